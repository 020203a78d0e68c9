#!/usr/bin/env python3
"""Hostile inputs against the conduit command line.

Every case is a crafted file, flag or stream state that a careless parser would trap, hang or
exhaust memory on. Each must end inside its time cap with an exit status below 128 (no signal,
no Swift trap), with the status the case expects, and, where it is an error, exactly one line on
standard error. Files outside the named outputs (a canary directory, symlink targets, device
nodes) must be unchanged afterwards.

    scripts/hostile-inputs.py [--conduit PATH] [--difftest PATH] [--only TEXT] [--list]

The case generators describe what each input attacks; the classes follow issue 11.
"""
import argparse
import hashlib
import os
import resource
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RAM_BASE = 0x4000_0000
BAD_INPUT = 1  # the README's exit status for bad input, usage errors included
OUTPUT_FAILED = 7  # an output could not be written


class Case:
    def __init__(self, name, argv, status=BAD_INPUT, one_line=True, stdin=None, stdout=None,
                 stderr=None, cap=30.0, check=None, memory_mib=4096, text=None):
        self.name = name
        self.argv = argv
        self.status = status  # an int, a set of ints, or None for "anything below 128"
        self.one_line = one_line
        self.stdin = stdin
        self.stdout = stdout  # None: captured; "closed"; "full"; "broken-pipe"; or a path
        self.stderr = stderr  # None: captured; "closed"; "full"
        self.cap = cap
        self.check = check  # a function(case, completed) -> problem or None
        self.memory_mib = memory_mib
        self.text = text  # text expected in standard error


# MARK: - ELF files

def elf_header(phoff=64, phentsize=56, phnum=1, entry=RAM_BASE + 0x20_0000, klass=2, data=1, machine=183,
               etype=2):
    ident = b"\x7fELF" + bytes([klass, data, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0, 64, phentsize, phnum,
                               64, 0, 0)


def program_header(offset=0x1000, paddr=RAM_BASE + 0x20_0000, filesz=4, memsz=4, ptype=1):
    return struct.pack("<IIQQQQQQ", ptype, 7, offset, paddr, paddr, filesz, memsz, 0x1000)


def elf(**fields):
    header_fields = {k: v for k, v in fields.items() if k in ("phoff", "phentsize", "phnum", "entry", "klass",
                                                                  "data", "machine", "etype")}
    segment_fields = {k: v for k, v in fields.items() if k in ("offset", "paddr", "filesz", "memsz", "ptype")}
    body = elf_header(**header_fields) + program_header(**segment_fields)
    body += bytes(0x1000 - len(body))
    return body + b"\x1f\x20\x03\xd5" * 4  # NOPs


# MARK: - arm64 Image headers (Documentation/arch/arm64/booting.rst)

def image(text_offset=0, image_size=0x10000, length=0x10000):
    header = struct.pack("<IIQQQQQQII", 0x14000010, 0, text_offset, image_size, 0xA, 0, 0, 0, 0x644D5241, 0)
    return header + bytes(max(0, length - len(header)))


# MARK: - Flattened device trees (DTSpec 0.4, chapter 5)

def fdt(structure, strings=b"", totalsize=None, off_struct=None, off_strings=None, version=17,
        size_strings=None):
    header_size = 40 + 16
    off_struct = header_size if off_struct is None else off_struct
    real_strings = header_size + len(structure)
    off_strings = real_strings if off_strings is None else off_strings
    total = real_strings + len(strings)
    header = struct.pack(">IIIIIIIIII", 0xD00DFEED, total if totalsize is None else totalsize, off_struct,
                         off_strings, 40, version, 16, 0, len(strings) if size_strings is None else size_strings,
                         len(structure))
    return header + bytes(16) + structure + strings


def token(value):
    return struct.pack(">I", value)


def begin(name):
    raw = name.encode() + b"\0"
    return token(1) + raw + bytes((-len(raw)) % 4)


def prop(name_offset, value):
    return token(3) + struct.pack(">II", len(value), name_offset) + value + bytes((-len(value)) % 4)


def nested_fdt(depth):
    return fdt(begin("") + begin("n") * depth + token(2) * (depth + 1) + token(9))


# MARK: - Policy files

BILLION_LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
ranges: [*i]
"""


def cases(scratch, conduit, difftest):
    def path(name, content=None, mode=None):
        full = os.path.join(scratch, name)
        if content is not None:
            with open(full, "wb") as handle:
                handle.write(content if isinstance(content, bytes) else content.encode())
        return full

    run = [conduit, "run", "--timeout", "20"]
    out = []
    # A raw kernel that powers off at once: movz x0, #8; movk x0, #0x8400, lsl #16; hvc #0.
    path("k.bin", struct.pack("<III", 0xD2800100, 0xF2B08000, 0xD4000002))

    def add(*args, **kwargs):
        out.append(Case(*args, **kwargs))

    # ELF program headers whose arithmetic overflows, or whose sizes exhaust memory.
    i64max = (1 << 63) - 1
    for label, fields in [
        ("e_phoff INT64_MAX", dict(phoff=i64max)),
        ("e_phoff 2^64-1", dict(phoff=(1 << 64) - 1)),
        ("p_offset INT64_MAX", dict(offset=i64max)),
        ("p_offset 2^64-1", dict(offset=(1 << 64) - 1)),
        ("p_filesz INT64_MAX", dict(filesz=i64max, memsz=i64max)),
        ("p_filesz 2^64-1", dict(filesz=(1 << 64) - 1, memsz=(1 << 64) - 1)),
        ("p_paddr near 2^64", dict(paddr=(1 << 64) - 2)),
        ("p_paddr + p_memsz wraps", dict(paddr=(1 << 64) - 0x1000, memsz=0x2000)),
        ("p_memsz 2^36", dict(memsz=1 << 36)),
        ("p_memsz 4 GiB", dict(memsz=1 << 32)),
        ("p_memsz 2^64-1", dict(memsz=(1 << 64) - 1)),
        ("p_memsz below p_filesz", dict(filesz=4, memsz=2)),
        ("segment below RAM", dict(paddr=0x1000)),
        ("e_phnum 65535, e_phentsize 65535", dict(phnum=65535, phentsize=65535)),
        ("e_phentsize 0", dict(phentsize=0)),
        ("e_phentsize 1", dict(phentsize=1)),
        ("ELFCLASS32", dict(klass=1)),
        ("big-endian", dict(data=2)),
        ("e_machine 40 (ARM)", dict(machine=40)),
        ("e_type ET_REL", dict(etype=1)),
        ("no PT_LOAD", dict(ptype=4)),
    ]:
        add(f"ELF {label}", run + ["--kernel", path(f"elf-{len(out)}.elf", elf(**fields))], cap=20)
    add("ELF truncated header", run + ["--kernel", path("truncated.elf", b"\x7fELF\x02\x01\x01")])

    # arm64 Image headers near 2^64.
    for label, fields in [
        ("text_offset 2^64-1", dict(text_offset=(1 << 64) - 1)),
        ("text_offset 2^63", dict(text_offset=1 << 63)),
        ("text_offset past RAM", dict(text_offset=1 << 40)),
        ("image_size 2^64-1", dict(image_size=(1 << 64) - 1)),
        ("image_size 2^63", dict(image_size=1 << 63)),
        ("image_size past RAM", dict(image_size=1 << 32)),
    ]:
        add(f"Image {label}", run + ["--kernel", path(f"image-{len(out)}.bin", image(**fields))])
    add("kernel empty", run + ["--kernel", path("empty.bin", b"")])
    add("kernel 4 random bytes", run + ["--kernel", path("random4.bin", b"\xde\xad\xbe\xef")])
    add("kernel of random bytes", run + ["--kernel", path("random.bin", hashlib.sha512(b"x").digest() * 64)])
    add("kernel is an AArch32 zImage", run + ["--kernel", path("zImage", bytes(0x24) + struct.pack("<III", 0x016F2818, 0, 0x1000) + bytes(0x1000))])
    add("kernel is a directory", run + ["--kernel", scratch])
    add("kernel is /dev/zero", run + ["--kernel", "/dev/zero"])
    add("kernel larger than RAM", run + ["-m", "8M", "--kernel", path("big.bin", bytes(9 << 20))])

    # Device trees: nesting, offsets and lengths.
    add("dtb 100,000 nested nodes", run + ["--kernel", path("k.bin"), "--dtb", path("deep.dtb", nested_fdt(100_000))])
    add("dtb 65 nested nodes", run + ["--kernel", path("k.bin"), "--dtb", path("deep65.dtb", nested_fdt(65))])
    add("dtb totalsize larger than the file", run + ["--kernel", path("k.bin"), "--dtb", path("t.dtb", fdt(begin("") + token(2) + token(9), totalsize=1 << 31))])
    add("dtb off_dt_struct past the end", run + ["--kernel", path("k.bin"), "--dtb", path("s.dtb", fdt(begin("") + token(2) + token(9), off_struct=0xFFFFFFF0))])
    add("dtb off_dt_strings 2^32-1", run + ["--kernel", path("k.bin"), "--dtb", path("o.dtb", fdt(begin("") + prop(0, b"x") + token(2) + token(9), b"a\0", off_strings=0xFFFFFFFF))])
    add("dtb size_dt_strings 2^32-1", run + ["--kernel", path("k.bin"), "--dtb", path("z.dtb", fdt(begin("") + token(2) + token(9), size_strings=0xFFFFFFFF))])
    add("dtb property length 2^32-1", run + ["--kernel", path("k.bin"), "--dtb", path("p.dtb", fdt(begin("") + token(3) + struct.pack(">II", 0xFFFFFFFF, 0) + token(2) + token(9), b"a\0"))])
    add("dtb property name offset 2^32-1", run + ["--kernel", path("k.bin"), "--dtb", path("n.dtb", fdt(begin("") + prop(0xFFFFFFFF, b"x") + token(2) + token(9), b"a\0"))])
    add("dtb unterminated node name", run + ["--kernel", path("k.bin"), "--dtb", path("u.dtb", fdt(token(1) + b"abcd"))])
    add("dtb no end token", run + ["--kernel", path("k.bin"), "--dtb", path("e.dtb", fdt(begin("") + token(2)))])
    add("dtb is /dev/zero", run + ["--kernel", path("k.bin"), "--dtb", "/dev/zero"])
    add("dtb larger than 2 MiB", run + ["--kernel", path("k.bin"), "--dtb", path("huge.dtb", fdt(begin("") + prop(0, bytes(3 << 20)) + token(2) + token(9), b"a\0"))])
    add("dtb version 1", run + ["--kernel", path("k.bin"), "--dtb", path("v.dtb", fdt(begin("") + token(2) + token(9), version=1))])

    # Durations, sizes, counts and versions on the command line.
    for value in ["inf", "-inf", "1e20", "1e309", "-1", "nan", "0", "abc", "", "0x10"]:
        add(f"--timeout {value!r}", [conduit, "demo", "--timeout", value])
    for value in ["0", "-1", "1e3", "1.5Q", "99999999999999999999", "16E", "1T", "0.0001K", "256G", ".5M", "1..5G", "M"]:
        add(f"-m {value!r}", [conduit, "demo", "-m", value])
    for value in ["0", "-1", "124", "99999999999999999999", "1.5", "x"]:
        add(f"--smp {value!r}", [conduit, "demo", "--smp", value])
    for value in ["1.03", "01.3", "1.3.0", "1.", ".3", "1.4", "65536.0"]:
        add(f"--psci-version {value!r}", [conduit, "demo", "--psci-version", value])
    for value in ["0", "-1", "1e9"]:
        add(f"--max-instructions {value!r}", [conduit, "demo", "--max-instructions", value])
    add("--gic 4", [conduit, "demo", "--gic", "4"])
    add("--machine nosuch", [conduit, "demo", "--machine", "nosuch"])
    add("--trace nosuch", [conduit, "demo", "--trace", "nosuch"])
    add("decode a 65-bit value", [conduit, "decode", "0x10000000000000000"])
    add("decode 10,000 digits", [conduit, "decode", "9" * 10_000])
    add("unknown flag", [conduit, "run", "--kernel", path("k.bin"), "--no-such-flag"], text="--no-such-flag")
    add("missing --kernel", [conduit, "run"])
    add("unknown subcommand", [conduit, "nosuch"])
    add("no arguments", [conduit], status=None, one_line=False)
    add("--append of 100,000 bytes", run + ["--kernel", path("k.bin"), "--append", "x" * 100_000], status=0, one_line=False)

    # Standard output and error closed, full, or a broken pipe.
    add("demo, standard output closed", [conduit, "demo"], stdout="closed", status=OUTPUT_FAILED, one_line=False)
    add("demo, standard output full", [conduit, "demo"], stdout="full", status=OUTPUT_FAILED, one_line=False)
    add("demo, standard output a broken pipe", [conduit, "demo"], stdout="broken-pipe", status=OUTPUT_FAILED, one_line=False)
    add("demo, standard error closed", [conduit, "demo"], stderr="closed", status=OUTPUT_FAILED, one_line=False)
    add("demo, standard error full", [conduit, "demo"], stderr="full", status=OUTPUT_FAILED, one_line=False)
    add("decode, standard output full", [conduit, "decode", "0x84000000"], stdout="full", status=OUTPUT_FAILED, one_line=False)
    add("policy show, standard output a broken pipe", [conduit, "policy", "show"], stdout="broken-pipe", status=OUTPUT_FAILED, one_line=False)
    add("usage error, standard error full", [conduit, "run", "--no-such-flag"], stderr="full", one_line=False)

    # Policy files: aliases, nesting, size, bytes.
    add("YAML billion laughs", [conduit, "policy", "check", path("laughs.yaml", BILLION_LAUGHS)], memory_mib=1024)
    add("YAML one alias", [conduit, "policy", "check", path("alias.yaml", "psci: &p\n  version: \"1.3\"\nsmccc: *p\n")])
    add("YAML 100,000 nested flow sequences", [conduit, "policy", "check", path("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")])
    add("YAML 100,000 nested block sequences", [conduit, "policy", "check", path("block.yaml", "- " * 100_000 + "x\n")])
    add("YAML 100,000 nested flow mappings", [conduit, "policy", "check", path("map.yaml", "{a: " * 100_000 + "}" * 100_000 + "\n")])
    add("YAML 16 MiB", [conduit, "policy", "check", path("large.yaml", "# " + "x" * (16 << 20) + "\n")])
    add("YAML invalid UTF-8", [conduit, "policy", "check", path("bytes.yaml", b"conduits: \xff\xfe\n")])
    add("YAML NUL bytes", [conduit, "policy", "check", path("nul.yaml", b"conduits: hvc\0\0\n")])
    add("YAML 100,000 ranges", [conduit, "policy", "check", path("many.yaml", "ranges:\n" + "".join(f"  - id: {0x86000000 + n}\n    action: deny\n" for n in range(100_000)))], status={0, BAD_INPUT}, cap=60)
    add("TOML 100,000 nested arrays", [conduit, "policy", "check", path("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n")])
    add("TOML 100,000 nested inline tables", [conduit, "policy", "check", path("inline.toml", "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n")])
    add("TOML 100,000 dotted keys", [conduit, "policy", "check", path("dotted.toml", ".".join(["k"] * 100_000) + " = 1\n")])
    add("TOML 100,000-part table header", [conduit, "policy", "check", path("header.toml", "[" + ".".join(["k"] * 100_000) + "]\n")])
    add("policy is /dev/zero", [conduit, "policy", "check", "/dev/zero"])
    add("policy is a directory", [conduit, "policy", "check", scratch + "/d.yaml"])
    os.makedirs(scratch + "/d.yaml", exist_ok=True)
    add("policy with an unknown handler", [conduit, "policy", "check", path("handler.yaml", "ranges:\n  - id: 0x82000001\n    action: forward\n    handler: nosuch\n")], text="nosuch")
    add("policy firmware without a blob", [conduit, "policy", "check", path("blob.yaml", "ranges:\n  - id: 0xc2000001\n    action: firmware\n")], text="firmware")
    add("policy overlapping the profile", [conduit, "policy", "check", "--machine", "highbank64", path("clash.yaml", "ranges:\n  - id: 0x82000001\n    action: deny\n")], text="highbank64")
    add("demo --conduit smc", [conduit, "demo", "--conduit", "smc", "--timeout", "20"], status=0, one_line=False)

    # Initrds and other files that are too large, infinite or not files.
    sparse = path("sparse.img")
    with open(sparse, "wb") as handle:
        handle.truncate(8 << 30)
    add("--initrd an 8 GB sparse file", run + ["--kernel", path("k.bin"), "--initrd", sparse], memory_mib=1024)
    add("--initrd /dev/zero", run + ["--kernel", path("k.bin"), "--initrd", "/dev/zero"], memory_mib=1024)
    add("--initrd larger than RAM", run + ["-m", "8M", "--kernel", path("k.bin"), "--initrd", path("big.bin")])

    # Output paths are opened as cat, dd and QEMU open them.
    target = path("target.txt", "keep me\n")
    link = os.path.join(scratch, "link.txt")
    if not os.path.lexists(link):
        os.symlink(target, link)
    def link_followed(case, completed):
        if not os.path.islink(link):
            return "the symlink was replaced"
        with open(target, "rb") as handle:
            if b"keep me" in handle.read():
                return "the symlink's target was not written"
        return None
    add("--trace-file through a symlink", [conduit, "demo", "--trace-file", link], status=0, one_line=False, check=link_followed)
    full = os.path.join(scratch, "full")
    if not os.path.exists(full) and os.geteuid() == 0:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    if os.path.exists(full):
        def still_device(case, completed):
            return None if stat.S_ISCHR(os.lstat(full).st_mode) else "the device node was replaced"
        add("--trace-file a full device", [conduit, "demo", "--trace-file", full], status=OUTPUT_FAILED, one_line=False,
            text="cannot write --trace-file", check=still_device)
        add("--console-file a full device", [conduit, "demo", "--console-file", full], status=OUTPUT_FAILED, one_line=False,
            text="cannot write --console-file", check=still_device)
        add("dtb -o a full device", [conduit, "dtb", "-o", full], status=OUTPUT_FAILED, check=still_device)
    add("dtb -o - writes standard output", [conduit, "dtb", "-o", "-"], status=0, one_line=False,
        check=lambda case, completed: "a file named - was created" if os.path.exists(os.path.join(scratch, "-"))
        else (None if completed.stdout.startswith(b"\xd0\x0d\xfe\xed") else "standard output is not a device tree"))
    add("--trace-file in a missing directory", [conduit, "demo", "--trace-file", scratch + "/no/such/file"])
    add("--console-file a directory", [conduit, "demo", "--console-file", scratch])

    if difftest:
        add("conduit-difftest --only nosuch", [difftest, "--only", "nosuch", "--count", "10"])
        add("conduit-difftest --count -1", [difftest, "--count", "-1"])
    return out


def snapshot(directory):
    state = {}
    for base, dirs, files in os.walk(directory):
        for name in files:
            full = os.path.join(base, name)
            info = os.lstat(full)
            state[full] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return state


def run_case(case, scratch):
    stdin = subprocess.DEVNULL
    stdout, stderr = subprocess.PIPE, subprocess.PIPE
    opened = []
    pipe_read = None
    if case.stdout == "closed":
        stdout = None
    elif case.stdout == "full":
        stdout = open("/dev/full", "wb")
        opened.append(stdout)
    elif case.stdout == "broken-pipe":
        pipe_read, pipe_write = os.pipe()
        os.close(pipe_read)
        stdout = pipe_write
    if case.stderr == "full":
        stderr = open("/dev/full", "wb")
        opened.append(stderr)

    def limits():
        megabytes = case.memory_mib << 20
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 4 + (8 << 30), megabytes * 4 + (8 << 30)))
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        if case.stdout == "closed":
            os.close(1)
        if case.stderr == "closed":
            os.close(2)

    started = time.monotonic()
    process = subprocess.Popen(case.argv, stdin=stdin, stdout=stdout if case.stdout != "closed" else subprocess.DEVNULL,
                               stderr=stderr if case.stderr != "closed" else subprocess.DEVNULL,
                               preexec_fn=limits, cwd=scratch)
    if case.stdout == "broken-pipe":
        os.close(stdout)
    peak = 0
    try:
        out, err = process.communicate(timeout=case.cap)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return f"still running after {case.cap:.0f} s", time.monotonic() - started, out or b"", err or b""
    finally:
        for handle in opened:
            handle.close()
    elapsed = time.monotonic() - started
    status = process.returncode
    out, err = out or b"", err or b""
    if status < 0 or status >= 128:
        name = signal.Signals(-status).name if status < 0 else str(status)
        return f"killed by a signal or trapped ({name}): {err.decode(errors='replace').strip()[:300]}", elapsed, out, err
    wanted = case.status
    if isinstance(wanted, int) and status != wanted:
        return f"exit status {status}, expected {wanted}: {err.decode(errors='replace').strip()[:300]}", elapsed, out, err
    if isinstance(wanted, set) and status not in wanted:
        return f"exit status {status}, expected one of {sorted(wanted)}", elapsed, out, err
    lines = err.decode(errors="replace").strip().splitlines()
    if case.one_line and case.stderr is None and len(lines) != 1:
        return f"{len(lines)} lines on standard error, expected one: {lines[:4]}", elapsed, out, err
    if case.text and case.text not in err.decode(errors="replace"):
        return f"standard error does not name {case.text!r}: {lines[:2]}", elapsed, out, err
    if case.check:
        class Completed:
            pass
        completed = Completed()
        completed.stdout, completed.stderr = out, err
        problem = case.check(case, completed)
        if problem:
            return problem, elapsed, out, err
    return None, elapsed, out, err


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conduit", default=os.path.join(ROOT, ".build/release/conduit"))
    parser.add_argument("--difftest", default=None)
    parser.add_argument("--only", default=None, help="run only cases whose name contains this text")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    options.conduit = os.path.abspath(options.conduit)
    if options.difftest:
        options.difftest = os.path.abspath(options.difftest)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    with tempfile.TemporaryDirectory(prefix="conduit-hostile-") as scratch:
        canary_dir = os.path.join(scratch, "canary")
        os.makedirs(canary_dir)
        with open(os.path.join(canary_dir, "untouched"), "w") as handle:
            handle.write("canary\n")
        selected = [c for c in cases(scratch, options.conduit, options.difftest)
                    if not options.only or options.only in c.name]
        if options.list:
            for case in selected:
                print(case.name)
            return 0
        before = snapshot(canary_dir)
        failures = 0
        slowest = (0.0, "")
        for case in selected:
            problem, elapsed, out, err = run_case(case, scratch)
            slowest = max(slowest, (elapsed, case.name))
            if problem:
                failures += 1
                print(f"FAIL {case.name} ({elapsed:.1f} s): {problem}")
            elif options.verbose:
                print(f"ok   {case.name} ({elapsed:.1f} s): {err.decode(errors='replace').strip().splitlines()[:1]}")
        if snapshot(canary_dir) != before:
            failures += 1
            print("FAIL a file outside the named outputs changed")
        print(f"hostile inputs: {len(selected) - failures} of {len(selected)} cases ended cleanly "
              f"(slowest {slowest[0]:.1f} s: {slowest[1]})")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
