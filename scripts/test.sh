#!/usr/bin/env bash
# Conduit's test command: everything CI checks, in the order a failure is cheapest to find.
#   0. what the machine needs beyond Swift (scripts/setup.sh: Unicorn, dtc; idempotent)
#   1. the unit tests (swift test)
#   2. the SMCCC module as Embedded Swift for the guest-side firmware targets
#   3. the command line, end to end, on the examples and on broken policy files; the libraries'
#      DocC documentation and the example package of its article (scripts/docs.sh)
#   4. the firmware-call conformance suite on the virt machine (and on QEMU when installed)
#   5. hostile inputs, the fuzz targets' corpora and a short fuzzing slice
#   6. Debian 12's arm64 kernel to its busybox shell, reboot and poweroff (release build, with
#      QEMU's command line), its boot's firmware-call timeline checked against the Trace Event
#      Format, and the Swift runtime's share of perf samples on its boot (runtime-overhead.sh)
#   7. the translator engine: the directed CPU tests, the Unicorn difftest, the conformance
#      suite, the demo and the Linux shell test, all with --engine translator
#   8. the gdbstub against gdb-multiarch and a raw protocol client (scripts/gdb-test.sh)
#   9. the sanitizers
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's heading says how long the run has taken so far: CI must stay well under its limit.
started=$SECONDS
section() { printf '== %s (at %dm%02ds)\n' "$1" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }

section "set-up"
scripts/setup.sh

section "swift test"
# Passing tests are not printed; failures, the summary and build errors are.
swift test 2>&1 | { grep -vE "^(◇ |✔ Suite |✔ Test [A-Za-z0-9_]+\()" || true; }

section "Embedded Swift build of SMCCC"
scripts/build-embedded-smccc.sh

section "command line"
scripts/test-cli.sh

section "documentation (DocC, no warnings) and the article's example package, built and run"
scripts/docs.sh

section "conformance suite (debug build; every vCPU count and GIC)"
scripts/conformance.sh --debug

section "hostile inputs (crafted files, flags and streams against the debug build)"
swift build --product conduit-difftest 2>&1 | grep -E "error|warning: " || true
bin=$(swift build --show-bin-path)
python3 scripts/hostile-inputs.py --conduit "$bin/conduit" --difftest "$bin/conduit-difftest"

section "fuzz targets: the seed corpora replayed, then a short libFuzzer slice of each"
swift build --product conduit-fuzz-inputs 2>&1 | grep -E "error|warning: " || true
for corpus in Fuzz/corpus/*; do "$bin/conduit-fuzz-inputs" "$(basename "$corpus")" "$corpus"; done
scripts/fuzz-inputs.sh --runs "${FUZZ_RUNS:-20000}"

section "Linux guest: Debian 12's arm64 kernel to its shell on 2 vCPUs, commands, reboot, poweroff"
swift build -c release --product conduit 2>&1 | grep -E "error|warning: " || true
scripts/linux-guest.sh
python3 scripts/linux-shell-test.py --smp 2 --reboot

section "the translator engine: the CPU's directed tests, the Unicorn difftest, the conformance suite, the demo and Linux on it"
CONDUIT_TEST_ENGINE=translator swift test --skip-build --filter AArch64Tests 2>&1 | { grep -vE "^(◇ |✔ Suite |✔ Test [A-Za-z0-9_]+\()" || true; }
"$bin/conduit-difftest" --engine translator --count 10000 | grep -vE ", 0 mismatches$"
scripts/conformance.sh --debug --engine translator
"$bin/conduit" demo --engine translator --timeout 60 >/dev/null
python3 scripts/linux-shell-test.py --smp 2 --conduit-args "--engine translator"

section "the gdbstub: gdb-multiarch on the demo guest and Debian's kernel, and the raw protocol"
scripts/gdb-test.sh

section "the firmware-call timeline of a Linux boot (--trace-format chrome) against the Trace Event Format"
"$(swift build -c release --show-bin-path)/conduit" run -M virt -smp 2 -kernel .build/linux/Image \
    -initrd .build/linux/initramfs.cpio.gz -append "console=ttyAMA0 rdinit=/bin/busybox -- poweroff -f" \
    --timeout 300 --trace-file .build/linux/boot-timeline.json --trace-format chrome >/dev/null
python3 scripts/check-chrome-trace.py .build/linux/boot-timeline.json --vcpus 2 --perfetto \
    --expect PSCI_VERSION --expect CPU_ON --expect SYSTEM_OFF --expect "power on"

section "the Swift runtime's share of the hot paths (perf record of a Linux boot and the guests)"
scripts/runtime-overhead.sh

section "sanitizers (the unit tests under ASan and TSan)"
scripts/sanitizers.sh
section "done"
