#!/usr/bin/env bash
# Runs the benchmark guests (Guests/bench, built from source by scripts/build-guests.sh) on a
# release build of Conduit and, when installed, on qemu-system-aarch64 -M virt -cpu cortex-a57
# (Debian: apt-get install qemu-system-arm). For each guest it prints Conduit's guest MIPS (from
# its own retired-instruction count), both wall times (whole process, best of N runs) and their
# ratio, and whether the two printed the same result line.
#
#   scripts/bench-guests.sh [runs] [engine]   (default: 3 runs each, best taken; the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
engine="${2:-interpreter}"
scripts/build-guests.sh >/dev/null
swift build -c release --product conduit 2>&1 | grep -E "error|warning: " || true
conduit="$(swift build -c release --show-bin-path)/conduit"
qemu="$(command -v qemu-system-aarch64 || true)"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
best() { printf '%s\n' "$@" | sort -g | head -1; }

printf '%-7s %14s %10s %10s %10s %10s  %s\n' guest instructions "MIPS" "conduit s" "qemu s" "ratio" "same result"
for guest in alu ldst mixed mixed-long hvc; do
    elf=.build/guests/bench-$guest.elf
    key=${guest%-long}  # the line of results the guest prints starts with its name
    times=(); mips=(); instructions=0; ours=""
    for _ in $(seq "$runs"); do
        start=$(now)
        output=$("$conduit" run --engine "$engine" --kernel "$elf" --stats --timeout 120 2>&1 </dev/null)
        times+=("$(elapsed "$start" "$(now)")")
        stats=$(grep '^stats:' <<<"$output")
        instructions=$(awk '{ print $2 }' <<<"$stats")
        mips+=("$(awk '{ for (i = 1; i <= NF; i++) if ($(i) == "MIPS,") print $(i - 1) }' <<<"$stats")")
        ours=$(grep "^$key:" <<<"$output" || true)
    done
    ours_time=$(best "${times[@]}")
    ours_mips=$(printf '%s\n' "${mips[@]}" | sort -g | tail -1)
    qemu_time="-"; ratio="-"; same="(no QEMU)"
    if [ -n "$qemu" ]; then
        times=(); theirs=""
        for _ in $(seq "$runs"); do
            start=$(now)
            output=$(timeout 120 "$qemu" -M virt -cpu cortex-a57 -m 128M -nographic -kernel "$elf" 2>&1 </dev/null)
            times+=("$(elapsed "$start" "$(now)")")
            theirs=$(grep "^$key:" <<<"$output" | tr -d '\r' || true)
        done
        qemu_time=$(best "${times[@]}")
        ratio=$(awk -v a="$ours_time" -v b="$qemu_time" 'BEGIN { printf "%.2fx", a / b }')
        if [ "$ours" = "$theirs" ]; then same=yes; else same="no: conduit '$ours', qemu '$theirs'"; fi
    fi
    printf '%-7s %14s %10s %10s %10s %10s  %s\n' "$guest" "$instructions" "$ours_mips" "$ours_time" "$qemu_time" "$ratio" "$same"
done
echo
echo "hvc: 2,000,000 PSCI_VERSION calls; its result differs from QEMU's by design (Conduit"
echo "implements PSCI 1.3, QEMU's TCG PSCI 1.1)."
echo
echo "Firmware-call cost per policy action, timed by the guest (Guests/bench/actions.c):"
"$conduit" run --kernel .build/guests/bench-actions.elf --policy Guests/conformance/policy.yaml </dev/null 2>&1 |
    grep '^actions:' | sed 's/^actions:/  conduit/'
"$conduit" run --kernel .build/guests/bench-actions.elf --machine highbank64 \
    --policy Guests/conformance/policy-highbank64.yaml </dev/null 2>&1 | grep '^actions:' | grep -E 'SMC' | sed 's/^actions:/  conduit/'
if [ -n "$qemu" ]; then
    timeout 120 "$qemu" -M virt -cpu cortex-a57 -m 128M -nographic -kernel .build/guests/bench-actions.elf </dev/null 2>&1 |
        tr -d '\r' | grep '^actions:' | sed 's/^actions:/  qemu   /'
fi
