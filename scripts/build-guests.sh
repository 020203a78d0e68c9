#!/usr/bin/env bash
# Builds the bare-metal guests in Guests/ from source with the Swift toolchain's clang and
# ld.lld, into .build/guests/ (never committed). Each guest is an ELF file for QEMU's virt board
# (linked at 0x40200000, started at EL1 with the MMU off) that runs unchanged on Conduit and on qemu-system-aarch64.
#
#   scripts/build-guests.sh [output-directory]      (default .build/guests)
#
# The `conduit` build runs it too (Plugins/EmbedGuests) to embed the demo guest in the binary.
set -euo pipefail
if [ -n "${1:-}" ]; then out="$(realpath -m "$1")"; fi
cd "$(dirname "$0")/.."
out="${out:-$(realpath -m .build/guests)}"
toolchain="${SWIFT_TOOLCHAIN:-/opt/swift/usr/bin}"
clang="$toolchain/clang"
lld="$toolchain/ld.lld"
mkdir -p "$out/obj"

cflags=(--target=aarch64-none-elf -march=armv8-a -mgeneral-regs-only -ffreestanding -fno-builtin
        -nostdlib -O2 -Wall -Werror -fno-stack-protector -mstrict-align -I Guests/common)

compile() {  # compile <source> <object> [more flags]
    "$clang" "${cflags[@]}" "${@:3}" -c "$1" -o "$2"
}

compile Guests/common/start.S "$out/obj/start.o"
compile Guests/common/runtime.c "$out/obj/runtime.o"
compile Guests/common/mmu.S "$out/obj/mmu.o"
compile Guests/common/freestanding.S "$out/obj/freestanding.o"

link() {  # link <name> <objects...>
    local name=$1
    shift
    "$lld" -T Guests/common/guest.ld -nostdlib --no-dynamic-linker -static -o "$out/$name.elf" \
        "$out/obj/start.o" "$out/obj/runtime.o" "$out/obj/mmu.o" "$out/obj/freestanding.o" "$@"
}

for bench in alu ldst hvc; do
    compile "Guests/bench/$bench.S" "$out/obj/bench-$bench.o"
    link "bench-$bench" "$out/obj/bench-$bench.o"
done
compile Guests/bench/mixed.c "$out/obj/bench-mixed.o"
link bench-mixed "$out/obj/bench-mixed.o"
# The same work ten times over: past 1e9 instructions, the size of issue 12's speed target.
compile Guests/bench/mixed.c "$out/obj/bench-mixed-long.o" -DROUNDS=60
link bench-mixed-long "$out/obj/bench-mixed-long.o"
compile Guests/bench/actions.c "$out/obj/bench-actions.o"

compile Guests/common/fdt.c "$out/obj/fdt.o"
compile Guests/demo/demo.c "$out/obj/demo.o"
compile Guests/demo/secondary.S "$out/obj/demo-secondary.o"
link demo "$out/obj/demo.o" "$out/obj/demo-secondary.o" "$out/obj/fdt.o"
link bench-actions "$out/obj/bench-actions.o" "$out/obj/fdt.o"

# The conformance suite: Embedded Swift for the cases, assembly for the machine-level parts. It
# deliberately shares no code with Conduit (its expectations come from the specifications).
"$toolchain/swiftc" -enable-experimental-feature Embedded -enable-experimental-feature Extern \
    -target aarch64-none-none-elf -wmo -parse-as-library -Osize -Xcc -mgeneral-regs-only -Xfrontend -disable-stack-protector \
    -Xllvm -aarch64-enable-global-merge=false \
    -module-name Conformance -c Guests/conformance/*.swift -o "$out/obj/conformance-swift.o"
compile Guests/conformance/runtime.S "$out/obj/conformance-runtime.o"
"$lld" -T Guests/common/guest.ld -nostdlib --no-dynamic-linker -static -o "$out/conformance.elf" \
    "$out/obj/conformance-runtime.o" "$out/obj/conformance-swift.o" "$out/obj/mmu.o" "$out/obj/freestanding.o"

# The guest-side firmware blob for --machine highbank64: Embedded Swift importing the SMCCC
# module (built here for aarch64-none-none-elf), plus its assembly vector table.
mkdir -p "$out/obj/smccc"
"$toolchain/swiftc" -enable-experimental-feature Embedded -target aarch64-none-none-elf -wmo -parse-as-library \
    -Osize -Xcc -mgeneral-regs-only -Xfrontend -disable-stack-protector -module-name SMCCC \
    -emit-module -emit-module-path "$out/obj/smccc/SMCCC.swiftmodule" -c Sources/SMCCC/*.swift -o "$out/obj/smccc.o"
"$toolchain/swiftc" -enable-experimental-feature Embedded -enable-experimental-feature Extern \
    -target aarch64-none-none-elf -wmo -parse-as-library -Osize -Xcc -mgeneral-regs-only \
    -Xfrontend -disable-stack-protector -I "$out/obj/smccc" \
    -module-name FirmwareBlob -c Guests/firmware/*.swift -o "$out/obj/firmware-swift.o"
compile Guests/firmware/entry.S "$out/obj/firmware-entry.o"
"$lld" -T Guests/firmware/firmware.ld -nostdlib --no-dynamic-linker -static -o "$out/firmware.elf" \
    "$out/obj/firmware-entry.o" "$out/obj/firmware-swift.o" "$out/obj/smccc.o" "$out/obj/freestanding.o"

echo "guests built in $out: $(cd "$out" && ls ./*.elf | tr '\n' ' ')"
