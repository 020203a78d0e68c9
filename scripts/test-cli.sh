#!/usr/bin/env bash
# End-to-end checks of the `conduit` command line: outputs and exit statuses.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product conduit >/dev/null
conduit=$(swift build --show-bin-path)/conduit
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

expect_output() {  # expect_output "text" command...
    local wanted=$1; shift
    local got
    got=$("$@" 2>&1) || { echo "FAIL: $* exited $?"; failures=$((failures + 1)); return; }
    if ! grep -qF -- "$wanted" <<<"$got"; then
        echo "FAIL: $* does not print: $wanted"; echo "$got" | sed 's/^/    /'; failures=$((failures + 1))
    fi
}

expect_failure() {  # expect_failure "text in the one-line error" command...
    local wanted=$1; shift
    local got status=0
    got=$("$@" 2>&1) || status=$?
    if [ "$status" -eq 0 ]; then echo "FAIL: $* succeeded"; failures=$((failures + 1)); return; fi
    if [ "$(wc -l <<<"$got")" -ne 1 ] || ! grep -qF -- "$wanted" <<<"$got"; then
        echo "FAIL: $* (exit $status) did not print one line with: $wanted"; echo "$got" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

expect_status() {  # expect_status <status> "text in the output" command...
    local wanted_status=$1 wanted=$2; shift 2
    local got status=0
    got=$("$@" 2>&1 </dev/null) || status=$?
    if [ "$status" -ne "$wanted_status" ] || ! grep -qF -- "$wanted" <<<"$got"; then
        echo "FAIL: $* exited $status (wanted $wanted_status) or does not print: $wanted"
        echo "$got" | tail -20 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

expect_output "0xc4000003: PSCI CPU_ON" "$conduit" decode 0xC4000003
expect_output "convention   SMC64/HVC64" "$conduit" decode 0xC4000003
expect_output "call type    fast call" "$conduit" decode 0xC4000003
expect_output "owner        4, Standard Secure Service" "$conduit" decode 0xC4000003
expect_output "owner        2, SiP Service" "$conduit" decode 0x82000102
expect_output "function     0x0102" "$conduit" decode 0x82000102
expect_failure "is not a function ID" "$conduit" decode banana

# Every example names the machine it is written for ("# Machine: NAME"): it passes the check there
# and runs the demo guest there.
for example in examples/*; do
    machine=$(sed -n 's/^# Machine: //p' "$example" | head -1)
    [ -n "$machine" ] || { echo "FAIL: $example names no machine"; failures=$((failures + 1)); continue; }
    expect_output "$example: OK on $machine (" "$conduit" policy check --machine "$machine" "$example"
    wanted=0; [ "$example" = examples/psci-forwarded.yaml ] && wanted=5  # no PSCI handler: the demo halts
    expect_status "$wanted" "" "$conduit" demo --machine "$machine" --policy "$example" --timeout 30
done
expect_output "0x82000100-0x8200ffff    deny       -" "$conduit" policy show --machine highbank64 examples/highbank-sip.yaml
# policy check applies run's rules: a handler only another machine registers, a blob the
# machine lacks, a range the board profile claims. Several files: one line each.
printf 'ranges:\n  - id: 0x82000001\n    action: forward\n    handler: highbank-sip\n' >"$scratch/handler.yaml"
expect_failure "($scratch/handler.yaml:2) forwards to handler 'highbank-sip', which this VM does not have" \
    "$conduit" policy check "$scratch/handler.yaml"
printf 'ranges:\n  - id: 0xc2000001\n    action: firmware\n' >"$scratch/blob.yaml"
expect_failure "sends calls to the guest-side firmware, but this VM loads no firmware blob" "$conduit" policy check "$scratch/blob.yaml"
printf 'ranges:\n  - id: 0x82000001\n    action: deny\n' >"$scratch/claimed.yaml"
expect_failure "range 0x82000000-0x820000ff (machine highbank64) overlaps range 0x82000001 ($scratch/claimed.yaml:2)" \
    "$conduit" policy check --machine highbank64 "$scratch/claimed.yaml"
status=0
got=$("$conduit" policy check examples/policy.yaml "$scratch/blob.yaml" examples/kvm-like.toml 2>&1) || status=$?
if [ "$status" -ne 1 ] || [ "$(grep -c ': OK on virt' <<<"$got")" -ne 2 ] || [ "$(grep -c '^conduit: ' <<<"$got")" -ne 1 ]; then
    echo "FAIL: policy check of three files, one bad (exit $status):"; echo "$got" | sed 's/^/    /'; failures=$((failures + 1))
fi
expect_output "HVC calls:" "$conduit" policy show

printf 'ranges:\n  - range: 0x84000000-0x8400001f\n    action: deny\n  - id: 0x84000003\n    action: forward\n' >"$scratch/overlap.yaml"
expect_failure "overlap.yaml:4: ranges[1]: range 0x84000003 overlaps range 0x84000000-0x8400001f" "$conduit" policy check "$scratch/overlap.yaml"
printf 'ranges:\n  - id: 0x82000000\n    action: allow\n' >"$scratch/action.yaml"
expect_failure "action.yaml:3: ranges[0].action: unknown value 'allow'" "$conduit" policy check "$scratch/action.yaml"
printf '[[ranges]]\nrange = "0x80000000-0x80000010"\naction = "forward"\n' >"$scratch/reserved.toml"
expect_failure "reserved.toml:1: ranges[0]: range 0x80000000-0x80000010 overlaps 0x80000000-0x8000ffff, which is reserved" "$conduit" policy check "$scratch/reserved.toml"
printf 'psci:\n  mode: [builtin\n' >"$scratch/syntax.yaml"
expect_failure "syntax.yaml:3:1: YAML syntax error" "$conduit" policy check "$scratch/syntax.yaml"
printf '[psci]\nmode = \n' >"$scratch/syntax.toml"
expect_failure "syntax.toml:2:8: TOML syntax error" "$conduit" policy check "$scratch/syntax.toml"
expect_failure "cannot read the policy file" "$conduit" policy check "$scratch/missing.yaml"


# The virt machine: the demo, the generated device tree, boot errors and exit statuses.
expect_status 0 "all 4 CPUs ran; the secondaries are off again" "$conduit" demo
# The engine: the translator runs the demo as the interpreter does; bad engine flags are one line.
expect_status 0 "all 4 CPUs ran; the secondaries are off again" "$conduit" demo --engine translator --code-cache 64K
expect_status 1 "--engine: 'warp' is not an engine (interpreter or translator)" "$conduit" demo --engine warp
expect_status 1 "--code-cache: '1K' is outside 64K to 1G" "$conduit" demo --engine translator --code-cache 1K
expect_status 0 "x1 = 0x20261125" "$conduit" demo --smp 2
expect_status 0 "all 64 CPUs ran" "$conduit" demo --smp 64
expect_status 0 "all 8 CPUs ran" "$conduit" demo --smp 8 --gic 2
expect_status 0 "0x82000001                        0x82000001         1" "$conduit" demo
# PSCI forwarded with no handler: no /psci node, so the guest stays on one CPU; its SYSTEM_OFF
# then has no answer either, and the machine halts.
expect_status 5 "the device tree says there is no PSCI" "$conduit" demo --policy examples/psci-forwarded.yaml
expect_failure "does not exist" "$conduit" run --kernel "$scratch/missing.elf"
printf 'not a kernel' >"$scratch/junk.bin"
expect_failure "junk.bin: not a bootable AArch64 image: its code faulted at 0x40080000 (ESR_EL1 0x2000000, an undefined instruction) before it installed exception vectors" \
    "$conduit" run --kernel "$scratch/junk.bin" --timeout 10
: >"$scratch/empty.bin"
expect_failure "empty.bin: the kernel file is empty" "$conduit" run --kernel "$scratch/empty.bin"
# A guest that installs its vectors and then faults in its handler is a crashed guest (status 2):
# mov x0, #0x40000000; msr vbar_el1, x0; udf #0 (and the vector at RAM base + 0x200 holds zeros).
printf '\x00\x00\xa8\xd2\x00\xc0\x18\xd5\x00\x00\x00\x00' >"$scratch/crash.bin"
expect_status 2 "exception loop at 0x40000200: every exception handler entry faults again (ESR_EL1 0x2000000, FAR_EL1 0x0); it began with the exception taken at 0x40080008" \
    "$conduit" run --kernel "$scratch/crash.bin" --timeout 10
expect_failure "--smp: 9 vCPUs: GICv2 allows 1 to 8" "$conduit" run --kernel "$scratch/junk.bin" --gic 2 --smp 9
expect_failure "-m: 'lots' is not a size" "$conduit" run --kernel "$scratch/junk.bin" -m lots
expect_failure "Unknown option '--no-such-flag' (see 'conduit run --help')" "$conduit" run --kernel "$scratch/junk.bin" --no-such-flag
expect_output "stats: " "$conduit" demo -m 1.5G --stats
expect_output "all 1 CPUs ran" "$conduit" demo --smp=1
expect_output "all 4 CPUs ran" "$conduit" demo
expect_output "board service 0x82000001 (forwarded to the VMM): 0x0" "$conduit" demo -M virt,gic-version=2 -smp 2
expect_failure "--conduit: 'svc' is not a conduit" "$conduit" dtb -o "$scratch/x.dtb" --conduit svc
expect_status 0 "" "$conduit" dtb -o "$scratch/virt.dtb" --smp 2 --conduit smc
if command -v dtc >/dev/null; then
    expect_output 'method = "smc";' dtc -I dtb -O dts "$scratch/virt.dtb"
fi
# The console on a terminal: raw mode, and Ctrl-A x quits (exit status 0), as in QEMU. `script`
# gives the run a pseudo-terminal; the guest is an endless loop (b .).
printf '\000\000\000\024' >"$scratch/loop.bin"
expect_status 4 "timeout" "$conduit" run --kernel "$scratch/loop.bin" --timeout 0.5
if command -v script >/dev/null; then
    status=0
    (sleep 1; printf '\001x') | timeout 30 script -qec "$conduit run --kernel $scratch/loop.bin --timeout 20" /dev/null \
        >/dev/null 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then echo "FAIL: Ctrl-A x did not end the run (exit $status)"; failures=$((failures + 1)); fi
fi

# SIGTERM, SIGINT and SIGHUP on a pseudo-terminal: the run stops with status 8 and the terminal
# is out of raw mode again.
for signal in TERM INT HUP; do
    if ! python3 - "$conduit" "$scratch/loop.bin" "$signal" <<'PY'
import os, pty, signal, sys, termios, time
conduit, kernel, name = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(conduit, [conduit, "run", "--kernel", kernel, "--timeout", "20"])
time.sleep(1.5)
during = termios.tcgetattr(fd)
os.kill(pid, getattr(signal, "SIG" + name))
_, status = os.waitpid(pid, 0)
after = termios.tcgetattr(fd)
code = os.waitstatus_to_exitcode(status)
raw = not during[3] & termios.ECHO
restored = bool(after[3] & termios.ECHO) and bool(after[3] & termios.ICANON)
if code != 8 or not raw or not restored:
    sys.exit(f"SIG{name}: exit {code}, raw during the run {raw}, terminal restored {restored}")
PY
    then failures=$((failures + 1)); fi
done

# --trace-file: one JSON object per call.
expect_status 0 "all 2 CPUs ran" "$conduit" demo --smp 2 --trace-file "$scratch/trace.jsonl"
if ! python3 -c '
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
assert any(r["name"] == "CPU_ON" and r["action"] == "handle" and r["results"][0] == "0x0" for r in records), "no CPU_ON"
assert any(r["function_id"] == "0x82000001" and r["action"] == "forward" and r["handler"] == "demo-board" for r in records)
assert any(r["function_id"] == "0x83000000" and r["action"] == "deny" for r in records)
' "$scratch/trace.jsonl"; then
    echo "FAIL: --trace-file did not record the demo's calls as JSON lines"; failures=$((failures + 1))
fi

# Board profiles: /firmware exactly when the profile provides it.
expect_status 0 "" "$conduit" dtb -o "$scratch/hb.dtb" --machine highbank64
expect_output "0xc2000000-0xc20000ff    firmware  guest-side firmware blob      filter range, machine highbank64" \
    "$conduit" policy show --machine highbank64
expect_output "Board ABI: OMAP4 monitor API (service number in r12): SMC from AArch32" "$conduit" policy show --machine highbank64
expect_failure "--machine: 'calxeda' is not a board Conduit knows (virt, highbank64)" "$conduit" dtb -o "$scratch/x.dtb" --machine calxeda
if command -v dtc >/dev/null; then
    expect_output 'compatible = "conduit,highbank64-sip";' dtc -I dtb -O dts "$scratch/hb.dtb"
    expect_output 'compatible = "conduit,firmware-blob' dtc -I dtb -O dts "$scratch/hb.dtb"
    if dtc -I dtb -O dts "$scratch/virt.dtb" 2>/dev/null | grep -q firmware; then
        echo "FAIL: plain virt has a /firmware node"; failures=$((failures + 1))
    fi
fi
expect_status 0 "SoC query 0xC2000004 (the guest-side firmware blob): status 0x0" "$conduit" demo --machine highbank64
expect_status 0 "0xc2000012                        0xc2000012         1" "$conduit" demo --machine highbank64

# A user device tree that contradicts the policy: the run warns, and the guest, trusting the
# tree, calls PSCI through SMC, which this policy leaves undefined.
scripts/build-guests.sh "$scratch/guests" >/dev/null
expect_status 5 "warning: $scratch/virt.dtb: the device tree's /psci method is smc, but the firmware policy answers PSCI through hvc" \
    "$conduit" run --kernel "$scratch/guests/demo.elf" --dtb "$scratch/virt.dtb" --smp 2
# Its SYSTEM_OFF goes through SMC too, which faults again: the guest parks and the machine halts.
expect_status 5 "unexpected exception: vector 4 ESR 0x2000000" \
    "$conduit" run --kernel "$scratch/guests/demo.elf" --dtb "$scratch/virt.dtb" --smp 2
# QEMU's command line for the demo guest (README), with qemu-system-aarch64 replaced by conduit run.
expect_status 0 "all 4 CPUs ran" "$conduit" run -M virt -cpu cortex-a57 -smp 4 -m 128M -nographic \
    -kernel "$scratch/guests/demo.elf" -serial mon:stdio -no-reboot
expect_status 0 "" "$conduit" run -machine virt,gic-version=2 -smp cpus=2 -display none \
    -kernel "$scratch/guests/demo.elf" -serial "file:$scratch/serial.txt"
expect_output "all 2 CPUs ran" cat "$scratch/serial.txt"
# QEMU options Conduit does not have are refused by name, with what to use instead.
expect_failure "-device: QEMU's option is not supported: Conduit's virt has no devices beyond" \
    "$conduit" run -kernel "$scratch/guests/demo.elf" -device virtio-net-device
# The gdbstub's flags (scripts/gdb-test.sh runs gdb against it).
expect_failure "-S: waits for gdb, so it needs -s or -gdb ADDRESS" "$conduit" run -kernel "$scratch/guests/demo.elf" -S
expect_failure "-gdb: 'tcp::0': expected tcp::PORT, tcp:HOST:PORT or unix:PATH" "$conduit" run -kernel "$scratch/guests/demo.elf" -gdb tcp::0
expect_failure "-gdb tcp:example.com:1234: 'example.com' is not an IPv4 address" "$conduit" run -kernel "$scratch/guests/demo.elf" -gdb tcp:example.com:1234
expect_failure "-gdb unix:$scratch/no/such/dir/gdb.sock: bind: No such file or directory" "$conduit" run -kernel "$scratch/guests/demo.elf" -gdb "unix:$scratch/no/such/dir/gdb.sock"
expect_failure "-cpu: 'max' is not a CPU Conduit models" "$conduit" run -kernel "$scratch/guests/demo.elf" -cpu max
expect_failure "--machine: property 'highmem' is not supported" "$conduit" run -kernel "$scratch/guests/demo.elf" -M virt,highmem=off
expect_failure "-smp: 'sockets' is not supported" "$conduit" run -kernel "$scratch/guests/demo.elf" -smp 4,sockets=2
printf 'junk' >"$scratch/junk.dtb"
expect_failure "junk.dtb: not a flattened device tree (bad magic)" "$conduit" run --kernel "$scratch/guests/demo.elf" --dtb "$scratch/junk.dtb"

if [ "$failures" -ne 0 ]; then echo "$failures command-line check(s) failed"; exit 1; fi
echo "command line: all checks passed"
