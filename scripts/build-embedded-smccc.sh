#!/usr/bin/env bash
# Compiles the SMCCC module as Embedded Swift for the bare-metal targets the guest-side firmware
# uses. The module must stay free of Foundation, existentials and runtime allocation.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/embedded
mkdir -p "$out"
for target in aarch64-none-none-elf armv7-none-none-eabi; do
    mkdir -p "$out/$target"
    swiftc -enable-experimental-feature Embedded -target "$target" -wmo -parse-as-library -Osize \
        -module-name SMCCC -emit-module -emit-module-path "$out/$target/SMCCC.swiftmodule" \
        -c Sources/SMCCC/*.swift -o "$out/$target-SMCCC.o"
    echo "embedded SMCCC ($target): $(wc -c < "$out/$target-SMCCC.o") bytes of object code"
done
