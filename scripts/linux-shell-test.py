#!/usr/bin/env python3
"""Boots the Linux guest kit (scripts/linux-guest.sh) to its shell and checks it as a user would.

For each vCPU count: boot to the busybox prompt, then through the console
  - nproc is the vCPU count, and /proc/cpuinfo's Features name fp asimd aes pmull sha1 sha2 crc32;
  - md5sum, sha1sum, sha256sum and sha512sum of `seq 1 30000` match the host's digests;
  - gzip's output, base64-encoded, decompresses on the host to the same bytes, and
    `gzip | gzip -d` gives them back in the guest;
  - `reboot` (with --reboot) restarts the machine and the second boot reaches the prompt again;
  - `debug-probe` (ptrace single-step, hardware breakpoint, watchpoint) reports ok;
  - the kernel's PMU driver probed the PMU ("hw perfevents: enabled with armv8_pmuv3 PMU driver"),
    and `pmu-probe` (perf counting by exception level and overflow interrupts) reports ok;
  - `poweroff` ends the VM with exit status 0.

    scripts/linux-shell-test.py [--conduit BIN] [--smp 1,2,4,8] [--reboot] [--qemu] [--append TEXT]

Conduit runs with QEMU's command line (`conduit run -M virt -cpu cortex-a57 -smp N -m 128M -kernel
... -nographic`, the README's), so CI checks that QEMU's spellings boot the same guest. --qemu
runs the same steps on qemu-system-aarch64 with the same arguments after each Conduit run, so the
times to the shell can be compared in one run. Exit status 1 if any check failed.
"""
import argparse
import base64
import gzip
import hashlib
import os
import re
import shlex
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURES = ["fp", "asimd", "aes", "pmull", "sha1", "sha2", "crc32"]
SEQ = "".join(f"{n}\n" for n in range(1, 30001)).encode()
GZIP_SEQ = "".join(f"{n}\n" for n in range(1, 3001)).encode()


class Console:
    """The guest's console: everything it printed so far, read on a thread."""

    def __init__(self, argv, log):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.text = ""
        self.position = 0  # where the next wait starts looking
        self.lock = threading.Condition()
        self.log = log
        self.closed = False  # the console's output reached end of file
        self.last_seconds = None  # how long the last run() took, marker to marker; None if it timed out
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        while True:
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                break
            self.log.write(chunk)
            self.log.flush()
            with self.lock:
                self.text += chunk.decode("utf-8", "replace")
                self.lock.notify_all()
        with self.lock:
            self.closed = True
            self.lock.notify_all()

    def wait_for(self, pattern, timeout):
        """Waits for `pattern` after the last match; returns the match, or None on timeout or
        exit."""
        expression = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                match = expression.search(self.text, self.position)
                if match:
                    self.position = match.end()
                    return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    return None
                self.lock.wait(min(remaining, 1.0))

    def send(self, line):
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def run(self, command, tag, timeout=120):
        """Runs `command` in the shell; returns what it printed, or None. The markers are printed
        by printf so that the terminal's echo of the command line never matches them."""
        self.last_seconds = None
        self.send(f"printf '@@%s@@\\n' B{tag}; {command}; printf '@@%s@@\\n' E{tag}")
        if not self.wait_for(rf"^@@B{tag}@@\r?$", timeout):
            return None
        start = self.position
        began = time.monotonic()
        if not self.wait_for(rf"^@@E{tag}@@\r?$", timeout):
            return None
        self.last_seconds = time.monotonic() - began
        body = self.text[start:self.position]
        body = body[:body.rfind("@@E")]
        return body.replace("\r", "").strip("\n")

    def stop(self):
        """Ends the VM if it is still running: SIGTERM first, so Conduit prints its --stats
        (where each vCPU stopped) into the log."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


class Session:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def check(self, condition, what):
        print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
        if not condition:
            self.failures.append(what)
        return condition


def boot_to_prompt(console, session, smp, timeout, started):
    if not session.check(console.wait_for(rf"init running on {smp} CPUs", timeout) is not None,
                         f"init runs on {smp} CPUs"):
        return False
    if not session.check(console.wait_for(r"/ # ", timeout) is not None, "the shell prompt appears"):
        return False
    print(f"  time to the shell: {time.monotonic() - started:.1f} s", flush=True)
    return True


def exercise(console, session, smp):
    tag = iter(range(1, 1000))
    out = console.run("nproc", next(tag))
    session.check(out == str(smp), f"nproc prints {smp} (got {out!r})")
    out = console.run("grep -m1 Features /proc/cpuinfo", next(tag)) or ""
    present = out.split(":", 1)[-1].split()
    missing = [f for f in FEATURES if f not in present]
    session.check(not missing, f"/proc/cpuinfo Features has {' '.join(FEATURES)}"
                  + (f" (missing {' '.join(missing)}: {out!r})" if missing else ""))
    for tool, digest in [("md5sum", hashlib.md5), ("sha1sum", hashlib.sha1),
                         ("sha256sum", hashlib.sha256), ("sha512sum", hashlib.sha512)]:
        out = console.run(f"seq 1 30000 | {tool}", next(tag)) or ""
        expected = digest(SEQ).hexdigest()
        # The pipeline's time shows a stall that a right digest would hide. On 1 vCPU these take
        # 10-16 s on Conduit and 5 s on QEMU: busybox seq writes each line with its own write(2),
        # and the kernel switches tasks for every line (README, "A Linux guest").
        took = "" if console.last_seconds is None else f" ({console.last_seconds:.1f} s)"
        session.check(out.split()[:1] == [expected], f"{tool} of seq 1 30000 is {expected[:16]}...{took}")
    out = console.run("seq 1 30000 | gzip -9 | gzip -d | md5sum", next(tag)) or ""
    session.check(out.split()[:1] == [hashlib.md5(SEQ).hexdigest()], "gzip | gzip -d gives the bytes back")
    out = console.run("seq 1 3000 | gzip -9 | base64", next(tag), timeout=240)
    try:
        decoded = gzip.decompress(base64.b64decode("".join((out or "").split())))
    except Exception as error:  # a broken stream is a failed check, not a crash of the test
        decoded = f"{type(error).__name__}: {error}".encode()
    session.check(decoded == GZIP_SEQ, "the guest's gzip output decompresses on the host to seq 1 3000")
    out = console.run("debug-probe", next(tag)) or ""
    session.check(out.splitlines()[-1:] == ["debug-probe: ok"],
                  "ptrace single-step, hardware breakpoint and watchpoint stop the child (debug-probe)"
                  + ("" if out.endswith("debug-probe: ok") else f" (got {out!r})"))
    probed = re.search(r"hw perfevents: enabled with armv8_pmuv3 PMU driver, (\d+) counters available", console.text)
    session.check(probed is not None, "the kernel's armv8_pmuv3 driver finds the PMU"
                  + (f" ({probed.group(1)} counters)" if probed else ""))
    out = console.run("pmu-probe", next(tag), timeout=240) or ""
    session.check(out.splitlines()[-1:] == ["pmu-probe: ok"],
                  "perf counts a loop's instructions by exception level and samples on overflow (pmu-probe)"
                  + ("" if out.endswith("pmu-probe: ok") else f" (got {out!r})"))
    for line in out.splitlines()[:-1]:
        if line.startswith("pmu-probe:"):  # not the kernel's "perf: interrupt took too long" notes
            print(f"       {line}", flush=True)


def run_guest(name, argv, smp, reboot, timeout, log_path):
    session = Session(name)
    print(f"{name}, {smp} vCPU{'s' if smp > 1 else ''}: {' '.join(argv)}", flush=True)
    with open(log_path, "wb") as log:
        started = time.monotonic()
        console = Console(argv, log)
        try:
            if not boot_to_prompt(console, session, smp, timeout, started):
                return session
            exercise(console, session, smp)
            if reboot:
                console.send("reboot")
                session.check(console.wait_for(r"reboot: Restarting system", timeout) is not None,
                              "reboot restarts the machine")
                restarted = time.monotonic()
                if not boot_to_prompt(console, session, smp, timeout, restarted):
                    return session
                out = console.run("nproc", 999)
                session.check(out == str(smp), f"after the reboot nproc prints {smp} (got {out!r})")
            console.send("poweroff")
            try:
                status = console.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = None
            session.check(status == 0, f"poweroff ends the VM with status 0 (got {status})")
        finally:
            console.stop()
            if session.failures:
                print(f"  console log: {log_path}", flush=True)
    return session


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conduit", default=os.path.join(ROOT, ".build/release/conduit"))
    parser.add_argument("--smp", default="2", help="comma-separated vCPU counts (default 2)")
    parser.add_argument("--reboot", action="store_true", help="also reboot once and boot again")
    parser.add_argument("--qemu", action="store_true", help="run the same steps on QEMU too")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per step (default 300)")
    parser.add_argument("--append", default="console=ttyAMA0",
                        help="the kernel command line (default console=ttyAMA0; add nokaslr to symbolize --stats)")
    parser.add_argument("--conduit-args", default="", help="more arguments for conduit run (--icount, say)")
    args = parser.parse_args()
    kernel = os.path.join(ROOT, ".build/linux/Image")
    initrd = os.path.join(ROOT, ".build/linux/initramfs.cpio.gz")
    for path in (args.conduit, kernel, initrd):
        if not os.path.exists(path):
            sys.exit(f"linux-shell-test: {path} does not exist (build it, or run scripts/linux-guest.sh)")
    try:
        counts = [int(n) for n in args.smp.split(",")]
    except ValueError:
        sys.exit(f"linux-shell-test: --smp: not a list of numbers: {args.smp}")
    failed = []
    for smp in counts:
        # One command line for both: QEMU's, which `conduit run` takes as QEMU does (README).
        machine = ["-M", "virt", "-cpu", "cortex-a57", "-smp", str(smp), "-m", "128M", "-kernel", kernel,
                   "-initrd", initrd, "-append", args.append, "-nographic"]
        runs = [("conduit", [args.conduit, "run"] + machine + ["--stats"] + shlex.split(args.conduit_args))]
        if args.qemu:
            runs.append(("qemu", ["qemu-system-aarch64"] + machine))
        for name, argv in runs:
            log = os.path.join(ROOT, f".build/linux/console-{name}-smp{smp}.log")
            session = run_guest(name, argv, smp, args.reboot, args.timeout, log)
            failed += [f"{name} smp {smp}: {what}" for what in session.failures]
    if failed:
        print(f"linux-shell-test: {len(failed)} check(s) failed")
        for what in failed:
            print(f"  {what}")
        sys.exit(1)
    print("linux-shell-test: every check passed")


if __name__ == "__main__":
    main()
