#!/usr/bin/env bash
# The gdbstub against a real client: Debian's gdb-multiarch in batch mode, and a raw protocol
# client for what gdb never sends (malformed packets, Ctrl-C, no-ack mode).
#
#   1. the demo guest (symbols from its ELF) under `-smp 2 -s -S`: threads, a breakpoint on
#      main, general, SIMD and system registers (read and written), memory and disassembly,
#      physical memory through `monitor xp`, stepi, a watchpoint stopping on a secondary vCPU's
#      write, `monitor catch firmware` before and after PSCI_VERSION's answer, and the exit;
#   2. Debian's arm64 kernel (no symbols) under `-gdb unix:PATH -S`: its first PSCI call
#      caught, a hardware breakpoint on that HVC at its kernel virtual address, the kernel's next
#      call stopping there, then on to its power-off;
#   3. scripts/gdb-protocol-test.py on the demo guest.
#
#   scripts/gdb-test.sh [CONDUIT] [--no-linux]     (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
conduit=${1:-$(swift build -c release --show-bin-path)/conduit}
linux=yes
[ "${2:-}" = "--no-linux" ] && linux=no
if ! command -v gdb-multiarch >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get install -y -qq gdb-multiarch >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq gdb-multiarch >/dev/null; }
fi
work=.build/gdb-test
mkdir -p "$work"
failures=0

# expect FILE REGEX WHAT: the check passes if gdb's output has a line matching REGEX.
expect() {
    if grep -qE -- "$2" "$1"; then echo "  ok: $3"; else echo "  FAILED: $3 (no line matching '$2' in $1)"; failures=$((failures + 1)); fi
}

# session NAME GDB-SCRIPT ELF-OR-NONE CONDUIT-ARGS...: Conduit in the background, gdb against it.
session() {
    local name=$1 script=$2 elf=$3
    shift 3
    "$conduit" run "$@" >"$work/$name.console" 2>"$work/$name.stderr" &
    local pid=$!
    # -S: Conduit says it waits once it listens.
    for _ in $(seq 100); do grep -q "waiting for gdb" "$work/$name.stderr" 2>/dev/null && break; sleep 0.1; done
    local file=()
    [ "$elf" != none ] && file=("$elf")
    timeout 300 gdb-multiarch -nx -q -batch -x "$script" "${file[@]}" >"$work/$name.gdb.txt" 2>&1 || true
    local status=0
    wait "$pid" || status=$?
    echo "$status" >"$work/$name.status"
}

echo "gdb-test: the demo guest, -smp 2 -s -S"
session demo Tests/gdb/demo.gdb .build/guests/demo.elf --kernel .build/guests/demo.elf -smp 2 -s -S --timeout 120
out=$work/demo.gdb.txt
expect "$out" 'Thread 2 \(vCPU 1, MPIDR 0x80000001, off' "both vCPUs are threads (qfThreadInfo, qThreadExtraInfo)"
expect "$out" 'hit Breakpoint 1, 0x[0-9a-f]+ in main \(\)' "a breakpoint on main stops there"
expect "$out" '^cpsr +0x[0-9a-f]+ +\[ .*EL=1' "cpsr decoded through the target description"
expect "$out" '^\$[0-9]+ = \{0x0, 0x1122334455667788\}' "V2 written and read back as two doublewords"
expect "$out" '^\$[0-9]+ = 1\.5$' "V3's first single written and read back"
expect "$out" '^\$[0-9]+ = 0x30d50838$' "SCTLR_EL1 from the system feature: its reset value, the MMU still off in main"
expect "$out" '=> 0x[0-9a-f]+ <main\+[0-9]+>:' "disassembly through memory reads at the PC"
expect "$out" '^0000000040200000: ' "physical memory through monitor xp"
expect "$out" 'in enable_mmu \(\)' "stepi steps into the call"
expect "$out" 'Thread 2 hit Hardware watchpoint 2' "the watchpoint stops the secondary vCPU at its write"
expect "$out" '^New value = 1$' "with the value written"
expect "$out" 'Conduit: vCPU 0 HVC PSCI_VERSION \[0x84000000\].*caught before its answer' "catch firmware stops before PSCI_VERSION is answered"
expect "$out" 'Conduit: answered: .*PSCI_VERSION \[0x84000000\].* -> x0=0x1000[0-9] .*handle \(PSCI' "and after, with the result and the action"
expect "$out" '^catching firmware calls 0x84000000-0x8400001f$' "monitor catch firmware lists the range"
expect "$out" '^Policy: ' "monitor policy prints the effective policy"
expect "$out" '0x84000000-0x8400001f .*handle.*PSCI' "with PSCI's range handled by the built-in service"
expect "$work/demo.stderr" 'cpu1 HVC PSCI_CPU_OFF|cpu1 HVC CPU_OFF' "monitor trace firmware on traces the rest of the run"
expect "$out" 'exited normally' "continue runs the guest to its power-off"
expect "$work/demo.console" 'powering off with PSCI SYSTEM_OFF' "the guest printed all it prints"
expect "$work/demo.status" '^0$' "conduit exits with status 0"

echo "gdb-test: gdb's kill, and a step of one thread while the others are held"
session kill Tests/gdb/kill.gdb .build/guests/demo.elf --kernel .build/guests/demo.elf -smp 2 -s -S --timeout 120
out=$work/kill.gdb.txt
expect "$out" 'Thread 2 hit Breakpoint 1, 0x[0-9a-f]+ in secondary_main \(\)' "vCPU 1 stops in secondary_main"
expect "$out" '^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <main\+[0-9]+>' "vCPU 0 steps one instruction of main, vCPU 1 held"
expect "$out" 'Inferior 1 \(Remote target\) killed' "gdb's kill ends the inferior"
expect "$work/kill.status" '^9$' "conduit exits with status 9"

if [ "$linux" = yes ]; then
    echo "gdb-test: Debian's arm64 kernel, -gdb unix:PATH -S, hardware breakpoints"
    read -r kernel initrd < <(scripts/linux-guest.sh --print)
    socket=$PWD/$work/linux.sock
    sed "s|GDB_SOCKET|$socket|" Tests/gdb/linux.gdb >"$work/linux.gdb"
    session linux "$work/linux.gdb" none -M virt -cpu cortex-a57 -smp 2 -m 256M -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyAMA0 rdinit=/bin/busybox -- poweroff -f" -nographic -gdb "unix:$socket" -S --timeout 280
    out=$work/linux.gdb.txt
    expect "$out" 'Conduit: vCPU 0 HVC PSCI_VERSION \[0x84000000\]' "the kernel's PSCI_VERSION is caught"
    expect "$out" '^\$2 = 0x4$' "at EL1 (CurrentEL)"
    expect "$out" '^\$3 = 0x1$' "with the MMU on"
    expect "$out" '<?0xffff[0-9a-f]+>?:?[[:space:]]+hvc[[:space:]]+#0x0' "the caller's HVC at a kernel virtual address"
    expect "$out" 'Hardware assisted breakpoint 1 at 0xffff' "a hardware breakpoint goes there"
    expect "$out" '^\$[0-9]+ = 1$' "the kernel's next firmware call stops at it"
    expect "$out" 'exited normally' "continue runs the kernel to its power-off"
    expect "$work/linux.status" '^0$' "conduit exits with status 0"
fi

echo "gdb-test: the protocol itself (malformed packets, Ctrl-C, no-ack mode)"
python3 scripts/gdb-protocol-test.py --conduit "$conduit" --kernel .build/guests/demo.elf || failures=$((failures + 1))

if [ "$failures" -ne 0 ]; then echo "gdb-test: $failures check(s) failed (outputs in $work)"; exit 1; fi
echo "gdb-test: all checks passed"
