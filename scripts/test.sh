#!/usr/bin/env bash
# Conduit's test command: everything CI checks, in the order a failure is cheapest to find.
#   0. what the machine needs beyond Swift (scripts/setup.sh: Unicorn, dtc; idempotent)
#   1. the unit tests (swift test)
#   2. the SMCCC module as Embedded Swift for the guest-side firmware targets
#   3. the command line, end to end, on the examples and on broken policy files
#   4. the firmware-call conformance suite on the virt machine (and on QEMU when installed)
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
