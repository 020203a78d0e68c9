#!/usr/bin/env bash
# Installs what Conduit's tests need beyond the Swift toolchain, on a fresh Debian 12 machine.
# Idempotent: it installs only what is missing.
set -euo pipefail
needed=()
# Unicorn (QEMU's CPU as a library) for the differential tests of the AArch64 interpreter.
dpkg -s libunicorn-dev >/dev/null 2>&1 || needed+=(libunicorn-dev)
# dtc, so a test can round-trip the generated device tree through the reference compiler.
dpkg -s device-tree-compiler >/dev/null 2>&1 || needed+=(device-tree-compiler)
# perf, for scripts/runtime-overhead.sh (the Swift runtime's share of a boot's samples).
dpkg -s linux-perf >/dev/null 2>&1 || needed+=(linux-perf)
if [ "${#needed[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${needed[@]}"
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (expected /opt/swift/usr/bin)"; exit 1; }
