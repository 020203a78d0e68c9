#!/usr/bin/env bash
# Conduit's benchmarks, from a release build. Prints the firmware-call routing costs
# (Benchmarks/Sources/FirmwareBenchmarks). Times are per 1000 calls in microseconds, which is the
# cost of one call in nanoseconds.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift build -c release --product FirmwareBenchmarks 2>&1 | grep -E "error|warning: " || true
"$(swift build -c release --show-bin-path)/FirmwareBenchmarks" "$@"
