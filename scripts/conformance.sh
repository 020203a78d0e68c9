#!/usr/bin/env bash
# The firmware-call conformance suite (Guests/conformance): runs the same guest on a release build
# of Conduit with 1, 2, 4 and 8 vCPUs and both GICs, under Guests/conformance/policy.yaml, and
# fails unless every run passes every case. When qemu-system-aarch64 is installed, runs it there
# too (-M virt -cpu cortex-a57, 4 vCPUs, GICv3) and prints each case whose result differs, and the
# time from power-on to the summary line with 8 vCPUs on both.
#
#   scripts/conformance.sh [--debug] [--engine E]
#     --debug uses the debug build, as scripts/test.sh does; --engine runs Conduit's vCPUs on
#     that engine (interpreter or translator), and leaves QEMU out
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=release
engine=interpreter
while [ $# -gt 0 ]; do
    case "$1" in
        --debug) configuration=debug ;;
        --engine) engine="$2"; shift ;;
        *) echo "conformance.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
scripts/build-guests.sh >/dev/null
swift build -c "$configuration" --product conduit 2>&1 | grep -E "error|warning: " || true
conduit="$(swift build -c "$configuration" --show-bin-path)/conduit"
guest=.build/guests/conformance.elf
policy=Guests/conformance/policy.yaml
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
failures=0

for gic in 3 2; do
    for smp in 1 2 4 8; do
        out="$results/conduit-gic$gic-smp$smp.txt"
        status=0
        "$conduit" run --engine "$engine" --kernel "$guest" --smp "$smp" --gic "$gic" --policy "$policy" --timeout 120 >"$out" 2>&1 </dev/null || status=$?
        summary=$(grep '^summary:' "$out" || echo "no summary (exit status $status)")
        printf 'conduit  GICv%s %d vCPU%s: %s\n' "$gic" "$smp" "$([ "$smp" -gt 1 ] && echo s || echo " ")" "$summary"
        if [ "$status" -ne 0 ] || ! grep -q ', 0 failed' <<<"$summary"; then
            grep -E ': FAIL|unexpected' "$out" | sed 's/^/    /' || true
            failures=$((failures + 1))
        fi
    done
done

# --machine highbank64: the board's SiP services in the VMM and in the firmware blob.
for config in "3 1" "3 4" "2 4"; do
    set -- $config
    out="$results/conduit-highbank64-gic$1-smp$2.txt"
    status=0
    "$conduit" run --engine "$engine" --kernel "$guest" --machine highbank64 --gic "$1" --smp "$2" \
        --policy Guests/conformance/policy-highbank64.yaml --timeout 120 >"$out" 2>&1 </dev/null || status=$?
    summary=$(grep '^summary:' "$out" || echo "no summary (exit status $status)")
    printf 'conduit  highbank64 GICv%s %d vCPU%s: %s\n' "$1" "$2" "$([ "$2" -gt 1 ] && echo s || echo " ")" "$summary"
    if [ "$status" -ne 0 ] || ! grep -q ', 0 failed' <<<"$summary" || ! grep -q 'sip-personality-vs-blob: PASS' "$out"; then
        grep -E ': FAIL|unexpected|sip-personality' "$out" | sed 's/^/    /' || true
        failures=$((failures + 1))
    fi
done

if [ "$engine" != interpreter ]; then
    if [ "$failures" -ne 0 ]; then echo "conformance ($engine): $failures Conduit configuration(s) failed"; exit 1; fi
    echo "conformance ($engine): every Conduit configuration passed every case"
    exit 0
fi

now() { date +%s.%N; }
start=$(now)
"$conduit" run --kernel "$guest" --smp 8 --policy "$policy" --timeout 120 >/dev/null 2>&1 </dev/null || true
conduit_time=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

qemu="$(command -v qemu-system-aarch64 || true)"
if [ -n "$qemu" ]; then
    out="$results/qemu.txt"
    timeout 120 "$qemu" -M virt,gic-version=3 -cpu cortex-a57 -smp 4 -m 128M -nographic -kernel "$guest" \
        </dev/null 2>&1 | tr -d '\r' >"$out" || true
    echo "qemu     GICv3 4 vCPUs: $(grep '^summary:' "$out" || echo 'no summary')"
    echo
    echo "cases where QEMU's result differs from Conduit's (4 vCPUs, GICv3):"
    grep '^case ' "$results/conduit-gic3-smp4.txt" | sed 's/: /|/' | LC_ALL=C sort -t '|' -k1,1 >"$results/a"
    grep '^case ' "$out" | sed 's/: /|/' | LC_ALL=C sort -t '|' -k1,1 >"$results/b"
    LC_ALL=C join -t '|' -a 1 -e 'missing (no result)' -o 0,1.2,2.2 "$results/a" "$results/b" |
        awk -F '|' '$2 != $3 { printf "  %-45s conduit: %-28s qemu: %s\n", $1, $2, $3 }'
    start=$(now)
    timeout 60 "$qemu" -M virt -cpu cortex-a57 -smp 8 -m 128M -nographic -kernel "$guest" </dev/null 2>&1 |
        tr -d '\r' >"$results/qemu8.txt" || true
    qemu_time=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }')
    if ! grep -q '^summary:' "$results/qemu8.txt"; then
        qemu_time="no summary within 60 s (last line: $(grep '^case' "$results/qemu8.txt" | tail -1))"
    fi
    echo
    echo "power-on to summary, 8 vCPUs: conduit ${conduit_time} s, qemu ${qemu_time}"
else
    echo "power-on to summary, 8 vCPUs: conduit ${conduit_time} s (qemu-system-aarch64 not installed)"
fi

if [ "$failures" -ne 0 ]; then echo "conformance: $failures Conduit configuration(s) failed"; exit 1; fi
echo "conformance: every Conduit configuration passed every case"
