#!/usr/bin/env bash
# The libraries' documentation and the example package its article is written from:
#   1. `swift package generate-documentation` for the five libraries (SMCCC, Firmware, PolicyFile,
#      AArch64, Machine; catalogs in Sources/*/*.docc), failing on any DocC warning. Without
#      --target the plugin also documents every executable and dependency: Yams's own doc
#      comments give a dozen warnings, and the plugin's pages for executables without public
#      symbols two more, none of them in the libraries;
#   2. every Swift code block of the article "Handling a board's firmware calls in your own VMM"
#      appears verbatim in the example package's source, so the article shows code that runs;
#   3. the example package (Examples/BoardService, which depends on Conduit's library products)
#      builds and boots the demo guest, which must get the example's answer.
#
#   scripts/docs.sh        (the archives land in .build/plugins/Swift-DocC/outputs/*.doccarchive)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

swift package --disable-sandbox generate-documentation \
    --target SMCCC --target Firmware --target PolicyFile --target AArch64 --target Machine >"$log" 2>&1 || {
    tail -20 "$log"; echo "docs: generate-documentation failed"; exit 1; }
if grep -q "warning:" "$log"; then
    grep "warning:" "$log" | sort -u | head -20
    echo "docs: DocC reported $(grep -c "warning:" "$log") warning(s)"
    exit 1
fi
echo "docs: $(grep -c "doccarchive" "$log") documentation archives, no warnings"

article=Sources/Machine/Machine.docc/HandlingBoardFirmwareCalls.md
example=Examples/BoardService/Sources/board-service/main.swift
python3 - "$article" "$example" <<'PYTHON'
import re, sys
article, example = (open(path, encoding="utf-8").read() for path in sys.argv[1:])
blocks = re.findall(r"```swift\n(.*?)```", article, re.S)
missing = [block for block in blocks if block not in example]
if not blocks or missing:
    for block in missing:
        print(f"docs: {sys.argv[1]}: this code is not in {sys.argv[2]}:\n{block}")
    sys.exit(f"docs: {len(missing)} of {len(blocks)} code blocks differ from the example")
print(f"docs: the article's {len(blocks)} Swift code blocks are the example's code")
PYTHON

scripts/build-guests.sh >/dev/null
swift build --package-path Examples/BoardService 2>&1 | grep -E "error|warning: " || true
output=$("$(swift build --package-path Examples/BoardService --show-bin-path)/board-service" .build/guests/demo.elf)
echo "$output" | sed 's/^/    /'
grep -q "example-board answered X0 = 0x0, X1 = 0x20270101" <<<"$output" || {
    echo "docs: the example's guest did not get the board's answer"; exit 1; }
echo "docs: the example package builds and runs"
