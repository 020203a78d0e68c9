#!/usr/bin/env bash
# Conduit's test command: everything CI checks, in the order a failure is cheapest to find.
#   1. the unit tests (swift test)
#   2. the SMCCC module as Embedded Swift for the guest-side firmware targets
#   3. the command line, end to end, on the examples and on broken policy files
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
# Passing tests are not printed; failures, the summary and build errors are.
swift test 2>&1 | { grep -vE "^(◇ |✔ Suite |✔ Test [A-Za-z0-9_]+\()" || true; }

echo "== Embedded Swift build of SMCCC"
scripts/build-embedded-smccc.sh

echo "== command line"
scripts/test-cli.sh
