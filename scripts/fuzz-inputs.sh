#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read user input (Sources/conduit-fuzz-inputs):
# ELF and Image loaders, the device-tree reader and patcher, YAML and TOML policy files, the
# function-ID parser, and the -m and --timeout values. libFuzzer with AddressSanitizer, from the
# seed corpora in Fuzz/corpus (small valid inputs); what it learns goes to .build-fuzz/corpus and
# crashes to .build-fuzz/crashes, neither committed.
#
#   scripts/fuzz-inputs.sh [--runs N] [TARGET...]     (default: 100000 runs of every target)
#
# Exit status 1 if any target crashed, hung (10 s per input) or ran out of memory.
# Leak detection is off: it was turned off for TOMLKit's leaked error buffer, and has not been
# re-checked since Conduit's own TOML reader replaced TOMLKit. The targets look for traps, hangs
# and unbounded memory.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=100000
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        -*) echo "fuzz-inputs: unknown option $1" >&2; exit 1 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(elf image device-tree policy-yaml policy-toml function-id size duration)

scratch=.build-fuzz
swift build -c release --product conduit-fuzz-inputs --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld \
    -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address 2>&1 |
    grep -E "error|warning: " || true
fuzzer="$scratch/release/conduit-fuzz-inputs"
[ -x "$fuzzer" ] || { echo "fuzz-inputs: the fuzzer did not build" >&2; exit 1; }

failed=0
for target in "${targets[@]}"; do
    case "$target" in
        elf|image|device-tree) max_len=65536 ;;
        policy-yaml|policy-toml) max_len=8192 ;;
        *) max_len=256 ;;
    esac
    corpus="$scratch/corpus/$target"
    crashes="$scratch/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    log="$scratch/fuzz-$target.log"
    start=$(date +%s)
    status=0
    SWIFT_BACKTRACE=enable=no CONDUIT_FUZZ_TARGET="$target" "$fuzzer" "$corpus" "Fuzz/corpus/$target" \
        -runs="$runs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - start ))
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "$target: FAILED after ${executed:-?} runs in ${elapsed} s (exit $status); see $log and $crashes"
        grep -E "SUMMARY|ERROR|Assertion|Fatal error" "$log" | head -3 | sed 's/^/    /'
    else
        echo "$target: ${executed:-?} runs in ${elapsed} s, no crash, corpus $(ls "$corpus" | wc -l) inputs"
    fi
done
exit "$failed"
