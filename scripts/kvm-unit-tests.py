#!/usr/bin/env python3
"""Runs a built kvm-unit-tests tree's arm64 tests on Conduit (and QEMU) and prints a table.

kvm-unit-tests (https://gitlab.com/kvm-unit-tests/kvm-unit-tests) is not part of this project:
fetch and build it outside the repository, then point this script at the tree:

    ./configure --arch=arm64 --cross-prefix=aarch64-linux-gnu- && make -j2
    scripts/kvm-unit-tests.py --tests /path/to/kvm-unit-tests [--qemu] [--only NAME,...]

Every entry of arm/unittests.cfg for arm64 runs as its test_args, smp and qemu_params say
(gic-version becomes --gic, -m becomes -m), with an initrd holding ERRATA_FORCE=y as the
suite's own runner passes it. A test's result is what it reports at exit: "EXIT: STATUS=n"
with n = code << 1 | 1, code 0 PASS, 77 >> 1 SKIP (every check skipped), anything else FAIL;
no EXIT line within the time limit is a TIMEOUT. Entries for KVM only (accel = kvm: micro-bench,
fpu-context) run on Conduit, which is the hypervisor they exercise (hypervisor calls, MMIO exits,
FP/SIMD state across vCPUs), and are listed as not run on QEMU's TCG; entries needing MTE
(mte=on) or live migration (which the suite's own runner performs) are listed as not run.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_config(path):
    """The sections of unittests.cfg, in order, as dictionaries."""
    entries, current = [], None
    with open(path) as handle:
        for line in handle:
            line = line.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            header = re.match(r"^\[(.+)\]$", line)
            if header:
                current = {"name": header.group(1)}
                entries.append(current)
            elif current is not None and "=" in line:
                key, value = line.split("=", 1)
                current[key.strip()] = value.strip()
    return entries


def evaluate_smp(text, max_smp):
    """smp may be a shell arithmetic expression over $MAX_SMP."""
    text = text.replace("$MAX_SMP", str(max_smp))
    arithmetic = re.fullmatch(r"\$\(\((.*)\)\)", text)
    if arithmetic:
        expression = arithmetic.group(1)
        ternary = re.fullmatch(r"\(\s*(\d+)\s*<\s*(\d+)\s*\)\s*\?\s*(\d+)\s*:\s*(\d+)", expression)
        if ternary:
            a, b, yes, no = map(int, ternary.groups())
            return yes if a < b else no
        return int(expression)
    return int(text)


def unquote(text):
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def result_of(output, returncode, timed_out):
    match = re.findall(r"EXIT: STATUS=(\d+)", output)
    if not match:
        return "TIMEOUT" if timed_out else f"FAIL (no EXIT, status {returncode})"
    code = int(match[-1]) >> 1
    summary = re.findall(r"SUMMARY: .*", output)
    detail = f" ({summary[-1][9:]})" if summary else ""
    if code == 0:
        return "PASS" + detail
    if code == 77 >> 1:
        return "SKIP" + detail
    return "FAIL" + detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", required=True, help="a built kvm-unit-tests tree")
    parser.add_argument("--conduit", default=os.path.join(ROOT, ".build/release/conduit"))
    parser.add_argument("--qemu", action="store_true", help="also run each test on qemu-system-aarch64 -cpu max")
    parser.add_argument("--only", help="comma-separated test names")
    parser.add_argument("--max-smp", type=int, default=4, help="$MAX_SMP (default 4)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per test (default 90)")
    parser.add_argument("--logs", default=os.path.join(ROOT, ".build/kvm-unit-tests"), help="where each console log goes")
    args = parser.parse_args()
    config = os.path.join(args.tests, "arm/unittests.cfg")
    if not os.path.exists(config):
        sys.exit(f"kvm-unit-tests: {config} does not exist (--tests must be a built kvm-unit-tests tree)")
    os.makedirs(args.logs, exist_ok=True)
    wanted = set(args.only.split(",")) if args.only else None
    errata = tempfile.NamedTemporaryFile(prefix="errata-", delete=False)
    errata.write(b"ERRATA_FORCE=y\n")
    errata.close()

    rows = []
    for entry in parse_config(config):
        name = entry["name"]
        if wanted and name not in wanted:
            continue
        if entry.get("arch", "arm64") != "arm64":
            continue
        flat = os.path.join(args.tests, "arm", entry["file"])
        params = shlex.split(entry.get("qemu_params", ""))
        reason = None
        kvm_only = entry.get("accel") == "kvm"
        if any("mte=on" in p for p in params):
            reason = "not run: needs MTE"
        elif "migration" in entry.get("groups", "").split():
            reason = "not run: needs migration"
        elif not os.path.exists(flat):
            reason = f"not run: {entry['file']} not built"
        if reason:
            rows.append((name, reason, reason if args.qemu else None))
            print(f"{name}: {reason}", flush=True)
            continue
        smp = evaluate_smp(entry.get("smp", "1"), args.max_smp)
        gic, memory = None, None
        for index, param in enumerate(params):
            version = re.search(r"gic-version=(\d)", param)
            if version:
                gic = version.group(1)
            if param == "-m" and index + 1 < len(params):
                memory = params[index + 1]
        test_args = unquote(entry.get("test_args", ""))
        conduit = [args.conduit, "run", "--kernel", flat, "--initrd", errata.name, "--smp", str(smp),
                   "--timeout", str(args.timeout)]
        if test_args:
            conduit += ["--append", test_args]
        if gic:
            conduit += ["--gic", gic]
        if memory:
            conduit += ["-m", memory]
        results = []
        runs = [("conduit", conduit)]
        if args.qemu and not kvm_only:
            qemu = ["qemu-system-aarch64", "-nodefaults", "-M", "virt" + (f",gic-version={gic}" if gic else ""),
                    "-cpu", "max", "-display", "none", "-serial", "stdio", "-kernel", flat, "-initrd", errata.name,
                    "-smp", str(smp)] + (["-append", test_args] if test_args else []) + (["-m", memory] if memory else [])
            runs.append(("qemu", qemu))
        for engine, argv in runs:
            timed_out = False
            try:
                done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      timeout=args.timeout + 10)
                output, status = done.stdout.decode("utf-8", "replace"), done.returncode
            except subprocess.TimeoutExpired as expired:
                output, status, timed_out = (expired.stdout or b"").decode("utf-8", "replace"), None, True
            if engine == "conduit" and status == 4:
                timed_out = True
            with open(os.path.join(args.logs, f"{name}.{engine}.log"), "w") as log:
                log.write(" ".join(shlex.quote(a) for a in argv) + "\n" + output)
            results.append(result_of(output, status, timed_out))
        if args.qemu and kvm_only:
            results.append("not run: KVM only")
        rows.append((name, results[0], results[1] if args.qemu else None))
        print(f"{name}: conduit {results[0]}" + (f"; qemu {results[1]}" if args.qemu else ""), flush=True)
    os.unlink(errata.name)

    print()
    print("| Test | Conduit |" + (" QEMU -cpu max |" if args.qemu else ""))
    print("|---|---|" + ("---|" if args.qemu else ""))
    for name, conduit, qemu in rows:
        print(f"| {name} | {conduit} |" + (f" {qemu} |" if args.qemu else ""))
    for engine, column in [("Conduit", 1)] + ([("QEMU", 2)] if args.qemu else []):
        counted = [row[column] for row in rows]
        summary = {kind: sum(1 for r in counted if r.startswith(kind)) for kind in ("PASS", "FAIL", "SKIP", "TIMEOUT", "not run")}
        print(f"{engine}: " + ", ".join(f"{count} {kind.lower()}" for kind, count in summary.items() if count))


if __name__ == "__main__":
    main()
