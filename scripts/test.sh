#!/usr/bin/env bash
# Conduit's test command: everything CI checks, in the order a failure is cheapest to find.
#   0. what the machine needs beyond Swift (scripts/setup.sh: Unicorn, dtc; idempotent)
#   1. the unit tests (swift test)
#   2. the SMCCC module as Embedded Swift for the guest-side firmware targets
#   3. the command line, end to end, on the examples and on broken policy files
#   4. the firmware-call conformance suite on the virt machine (and on QEMU when installed)
#   5. hostile inputs, the fuzz targets' corpora and a short fuzzing slice
#   6. Debian 12's arm64 kernel to its busybox shell, reboot and poweroff (release build), and
#      the Swift runtime's share of perf samples on its boot (scripts/runtime-overhead.sh)
#   7. the sanitizers
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== set-up"
scripts/setup.sh

echo "== swift test"
# Passing tests are not printed; failures, the summary and build errors are.
swift test 2>&1 | { grep -vE "^(◇ |✔ Suite |✔ Test [A-Za-z0-9_]+\()" || true; }

echo "== Embedded Swift build of SMCCC"
scripts/build-embedded-smccc.sh

echo "== command line"
scripts/test-cli.sh

echo "== conformance suite (debug build; every vCPU count and GIC)"
scripts/conformance.sh --debug

echo "== hostile inputs (crafted files, flags and streams against the debug build)"
swift build --product conduit-difftest 2>&1 | grep -E "error|warning: " || true
bin=$(swift build --show-bin-path)
python3 scripts/hostile-inputs.py --conduit "$bin/conduit" --difftest "$bin/conduit-difftest"

echo "== fuzz targets: the seed corpora replayed, then a short libFuzzer slice of each"
swift build --product conduit-fuzz-inputs 2>&1 | grep -E "error|warning: " || true
for corpus in Fuzz/corpus/*; do "$bin/conduit-fuzz-inputs" "$(basename "$corpus")" "$corpus"; done
scripts/fuzz-inputs.sh --runs "${FUZZ_RUNS:-20000}"

echo "== Linux guest: Debian 12's arm64 kernel to its shell on 2 vCPUs, commands, reboot, poweroff"
swift build -c release --product conduit 2>&1 | grep -E "error|warning: " || true
scripts/linux-guest.sh
python3 scripts/linux-shell-test.py --smp 2 --reboot

echo "== the Swift runtime's share of the hot paths (perf record of a Linux boot and the guests)"
scripts/runtime-overhead.sh

echo "== sanitizers (the unit tests under ASan and TSan)"
scripts/sanitizers.sh
