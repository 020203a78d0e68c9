#!/usr/bin/env bash
# The unit tests under AddressSanitizer and ThreadSanitizer, each in its own build folder
# (.build-asan, .build-tsan; a first build takes about 3 minutes, the tests 1-2).
#
#   scripts/sanitizers.sh [address] [thread]      (default: both)
#
# Leak detection is off for ASan: the build plugin's tools and the test runner hold memory until
# exit by design. scripts/asan.supp and scripts/tsan.supp hold the reports that are toolchain
# artefacts, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("$@")
# The differential classes run 500 instructions each here: they are there for what the
# sanitizers see, and the plain swift test has compared 10,000 per class already.
export CONDUIT_DIFFTEST_COUNT="${CONDUIT_DIFFTEST_COUNT:-500}"
# The robustness slice likewise: 500 cases of 32 random words, where the plain run has 4,000.
export CONDUIT_ROBUSTNESS_CASES="${CONDUIT_ROBUSTNESS_CASES:-500}"
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
failed=0
for kind in "${kinds[@]}"; do
    case "$kind" in
        address)
            export ASAN_OPTIONS="detect_leaks=0:suppressions=$PWD/scripts/asan.supp"
            scratch=.build-asan ;;
        thread)
            export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan.supp:halt_on_error=1"
            scratch=.build-tsan ;;
        *) echo "sanitizers: unknown sanitizer $kind (address or thread)" >&2; exit 1 ;;
    esac
    log="$scratch.log"
    status=0
    swift test --sanitize="$kind" --scratch-path "$scratch" >"$log" 2>&1 || status=$?
    summary=$(grep -E "Test run with" "$log" | tail -1)
    reports=$(grep -cE "ERROR: AddressSanitizer|WARNING: ThreadSanitizer" "$log" || true)
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
        failed=1
        echo "sanitize=$kind: FAILED (exit $status, $reports reports); see $log"
        grep -E "SUMMARY|^✘" "$log" | head -5 | sed 's/^/    /'
    else
        echo "sanitize=$kind: ${summary#✔ }, no reports"
    fi
done
exit "$failed"
