#!/usr/bin/env bash
# Host instructions per run, counted by valgrind's cachegrind: a measure of the engine that this
# noisy 2-core host does not blur (wall times vary by 30% between runs of one build; these
# counts by 0.001% for the guests, 0.5% for Linux, whose KASLR seed is random). For comparing
# two builds of a change to a hot path:
#
#   scripts/host-instructions.sh [CONDUIT ...]      (default: the release build)
#
# Each binary is copied without its DWARF 5 debug information, which valgrind 3.19 cannot read.
# Workloads: the four benchmark guests and the first 300 million instructions of Debian's
# kernel booting (--icount, so the same instructions every time; scripts/linux-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "host-instructions: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[ $# -gt 0 ] || set -- "$(swift build -c release --show-bin-path)/conduit"
scripts/build-guests.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
workloads=(alu ldst mixed hvc)
[ -s .build/linux/Image ] && workloads+=(linux)
printf '%-8s' workload
for binary in "$@"; do printf '%22s' "$(basename "$(dirname "$binary")")/$(basename "$binary")"; done
echo
n=0
for binary in "$@"; do strip --strip-debug -o "$work/conduit$n" "$binary"; n=$((n + 1)); done
for workload in "${workloads[@]}"; do
    printf '%-8s' "$workload"
    for ((i = 0; i < n; i++)); do
        if [ "$workload" = linux ]; then
            arguments=(--kernel .build/linux/Image --initrd .build/linux/initramfs.cpio.gz
                       --append "console=ttyAMA0 rdinit=/bin/busybox -- poweroff -f" --icount --max-instructions 300000000)
        else
            arguments=(--kernel ".build/guests/bench-$workload.elf")
        fi
        # The run's own status (6 for the instruction limit) is not the count's.
        count=$({ valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$work/conduit$i" run "${arguments[@]}" 2>&1 || true; } \
            | sed -n 's/.*I *refs: *//p' | tr -d ,)
        [ -n "$count" ] || { echo; echo "host-instructions: no count from $workload" >&2; exit 1; }
        [ "$i" -eq 0 ] && first=$count
        if [ "$i" -eq 0 ]; then
            printf '%22s' "$count"
        else
            printf '%22s' "$count ($(awk -v a="$first" -v b="$count" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }'))"
        fi
    done
    echo
done
