#!/usr/bin/env bash
# The guard on the engine's hot paths (issue 12, part 1): no retain or release, no weak or
# unowned load and no dynamic exclusivity check per instruction, block, memory access,
# exception or firmware call. It samples a release build of Conduit with `perf record` on
#   - Debian 12's arm64 kernel on 1 vCPU, from power-on until its first user-space program
#     powers the machine off (`rdinit=/bin/busybox -- poweroff -f`; needs scripts/linux-guest.sh),
#   - the mixed benchmark guest (integer work with the MMU on), and
#   - the hvc benchmark guest (2,000,000 PSCI_VERSION calls through HVC),
# prints the share of samples in the Swift runtime's libraries (libswiftCore and friends) and
# fails when any of them exceeds the limit. (The HVC loop was at 9-11% until the router called
# its built-in services by type and the run loop its firmware-call handler unretained.)
#
#   scripts/runtime-overhead.sh [--limit PERCENT]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=5
while [ $# -gt 0 ]; do
    case "$1" in
        --limit) limit="$2"; shift 2 ;;
        *) echo "runtime-overhead.sh: unknown argument '$1' (usage: scripts/runtime-overhead.sh [--limit PERCENT])" >&2; exit 2 ;;
    esac
done
command -v perf >/dev/null || { echo "runtime-overhead.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
scripts/build-guests.sh >/dev/null
swift build -c release --product conduit 2>&1 | grep -E "error|warning: " || true
conduit="$(swift build -c release --show-bin-path)/conduit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# share NAME GUARDED COMMAND...: samples COMMAND and prints the Swift runtime's share of its
# samples; GUARDED (yes/no) says whether a share over the limit fails the script.
failed=0
share() {
    local name="$1" guarded="$2"; shift 2
    perf record -q -F 2000 -o "$work/$name.data" -- "$@" </dev/null >"$work/$name.out" 2>&1 || {
        echo "runtime-overhead.sh: $name: the run failed:" >&2; tail -5 "$work/$name.out" >&2; exit 1; }
    local percent
    percent=$(perf report -i "$work/$name.data" --no-children --sort dso -q 2>/dev/null |
        awk '$2 ~ /^libswift/ { sum += $1 } END { printf "%.2f", sum }')
    local verdict=ok
    if awk -v p="$percent" -v l="$limit" 'BEGIN { exit !(p > l) }'; then
        if [ "$guarded" = yes ]; then verdict="OVER ${limit}%"; failed=1; else verdict="over ${limit}% (not yet guarded)"; fi
    fi
    printf '%-34s %8s%%  %s\n' "$name" "$percent" "$verdict"
    if [ "$failed" = 1 ] && [ "$guarded" = yes ]; then
        perf report -i "$work/$name.data" --no-children --sort dso,symbol -q 2>/dev/null | grep libswift | head -8
    fi
}

printf '%-34s %9s\n' "workload" "Swift runtime"
if [ -f .build/linux/Image ] && [ -f .build/linux/initramfs.cpio.gz ]; then
    share "Linux boot to user space, 1 vCPU" yes "$conduit" run --kernel .build/linux/Image \
        --initrd .build/linux/initramfs.cpio.gz --smp 1 --timeout 300 \
        --append "console=ttyAMA0 rdinit=/bin/busybox -- poweroff -f"
else
    echo "Linux boot: skipped (no kit; scripts/linux-guest.sh builds it)"
fi
share "mixed benchmark guest" yes "$conduit" run --kernel .build/guests/bench-mixed.elf --timeout 120
share "hvc benchmark guest" yes "$conduit" run --kernel .build/guests/bench-hvc.elf --timeout 120
exit "$failed"
