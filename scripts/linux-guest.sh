#!/usr/bin/env bash
# A Linux guest kit: Debian 12's arm64 kernel and a busybox initramfs, fetched with apt-get
# download (nothing is committed) into .build/linux/:
#
#   .build/linux/Image               the kernel (linux-image-*-arm64, decompressed vmlinuz)
#   .build/linux/initramfs.cpio.gz   busybox-static with an /init that mounts proc, sys and
#                                    devtmpfs and runs busybox init, which starts a shell on the
#                                    console (poweroff and reboot work), /bin/debug-probe
#                                    (Guests/linux/debug-probe.c, built here) and /bin/pmu-probe
#                                    (Guests/linux/pmu-probe.c)
#
#   scripts/linux-guest.sh            fetch (once) and build
#   scripts/linux-guest.sh --print    print the paths only
#
# Then: conduit run --kernel .build/linux/Image --initrd .build/linux/initramfs.cpio.gz \
#           --append "console=ttyAMA0" --smp 2
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/linux
kernel=$out/Image
initrd=$out/initramfs.cpio.gz
if [ "${1:-}" = "--print" ]; then echo "$kernel $initrd"; exit 0; fi
mkdir -p "$out/debs"

if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
fi
# The meta-package names the current kernel ABI (linux-image-6.1.0-N-arm64).
package=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9.-]*-arm64\):arm64$/\1/p' | head -1)
if [ -z "$package" ]; then
    $sudo apt-get update -qq
    package=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9.-]*-arm64\):arm64$/\1/p' | head -1)
fi
[ -n "$package" ] || { echo "linux-guest: cannot find Debian's arm64 kernel package" >&2; exit 1; }
(
    cd "$out/debs"
    # apt's sandbox user may not write here; the download is checked by apt either way.
    ls "$package"_*_arm64.deb >/dev/null 2>&1 || apt-get download -q -o APT::Sandbox::User=root "$package:arm64"
    ls busybox-static_*_arm64.deb >/dev/null 2>&1 || apt-get download -q -o APT::Sandbox::User=root busybox-static:arm64
)

if [ ! -s "$kernel" ] || [ "$out/debs/$package"_*_arm64.deb -nt "$kernel" ]; then
    rm -rf "$out/kernel-deb"
    dpkg-deb -x "$out/debs/$package"_*_arm64.deb "$out/kernel-deb"
    vmlinuz=$(ls "$out/kernel-deb/boot/vmlinuz-"*)
    # Debian 12's arm64 vmlinuz is the Image itself (with its EFI stub); older ones are gzipped.
    if [ "$(head -c2 "$vmlinuz" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then zcat "$vmlinuz" >"$kernel.tmp"; else cp "$vmlinuz" "$kernel.tmp"; fi
    mv "$kernel.tmp" "$kernel"
    echo "${package#linux-image-}" >"$out/kernel-version"
fi

rm -rf "$out/busybox-deb"
dpkg-deb -x "$out/debs/"busybox-static_*_arm64.deb "$out/busybox-deb"
# /bin/debug-probe (Guests/linux/debug-probe.c): ptrace single-step, hardware breakpoint and
# watchpoint, as gdb uses them.
command -v aarch64-linux-gnu-gcc >/dev/null || { $sudo apt-get update -qq; $sudo apt-get install -y -qq gcc-aarch64-linux-gnu; }
aarch64-linux-gnu-gcc -static -O2 -Wall -o "$out/debug-probe" Guests/linux/debug-probe.c
# /bin/pmu-probe (Guests/linux/pmu-probe.c): perf counting and sampling through the PMU.
aarch64-linux-gnu-gcc -static -O2 -Wall -o "$out/pmu-probe" Guests/linux/pmu-probe.c
python3 - "$out/busybox-deb/bin/busybox" "$out/debug-probe" "$out/pmu-probe" "$initrd" <<'PY'
import gzip, os, stat, sys, time
busybox, probe, pmu_probe, output = sys.argv[1:]
# /init mounts the virtual file systems and hands PID 1 to busybox init, which starts the
# console shell from /etc/inittab and turns `poweroff` and `reboot` into the kernel's power-off
# and restart (PSCI SYSTEM_OFF and SYSTEM_RESET).
init = b"""#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "conduit-guest: init running on $(nproc) CPUs"
exec /bin/busybox init
"""
inittab = b"""::respawn:/bin/cttyhack /bin/sh
::shutdown:/bin/echo conduit-guest: shutting down
"""
entries = [("bin", stat.S_IFDIR | 0o755, b""), ("sbin", stat.S_IFDIR | 0o755, b""), ("usr", stat.S_IFDIR | 0o755, b""),
           ("usr/bin", stat.S_IFDIR | 0o755, b""), ("usr/sbin", stat.S_IFDIR | 0o755, b""), ("proc", stat.S_IFDIR | 0o755, b""),
           ("sys", stat.S_IFDIR | 0o755, b""), ("dev", stat.S_IFDIR | 0o755, b""), ("tmp", stat.S_IFDIR | 0o1777, b""),
           ("root", stat.S_IFDIR | 0o700, b""), ("etc", stat.S_IFDIR | 0o755, b""),
           ("etc/inittab", stat.S_IFREG | 0o644, inittab),
           ("bin/busybox", stat.S_IFREG | 0o755, open(busybox, "rb").read()),
           ("bin/debug-probe", stat.S_IFREG | 0o755, open(probe, "rb").read()),
           ("bin/pmu-probe", stat.S_IFREG | 0o755, open(pmu_probe, "rb").read()),
           ("init", stat.S_IFREG | 0o755, init)]
def record(number, name, mode, data):
    # The "newc" cpio format (the kernel's initramfs format): a 110-byte ASCII header, the name
    # and the data, each padded to 4 bytes.
    name = name.encode() + b"\0"
    header = b"070701" + b"".join(b"%08X" % v for v in (number, mode, 0, 0, 1, int(time.time()), len(data), 0, 0, 0, 0, len(name), 0))
    padding = lambda n: b"\0" * ((4 - n % 4) % 4)
    return header + name + padding(len(header) + len(name)) + data + padding(len(data))
archive = b"".join(record(n + 1, *entry) for n, entry in enumerate(entries)) + record(0, "TRAILER!!!", 0, b"")
with gzip.open(output, "wb", compresslevel=6) as handle:
    handle.write(archive)
PY
echo "linux-guest: $kernel ($(cat "$out/kernel-version"), $(du -h "$kernel" | cut -f1)), $initrd ($(du -h "$initrd" | cut -f1))"
