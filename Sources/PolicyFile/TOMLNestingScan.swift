/// A bound on how deeply a TOML document nests, found before toml++ parses it: toml++ limits
/// nested arrays and inline tables, but builds dotted keys (`a.b.c = 1`) and table headers
/// (`[a.b.c]`) into tables it frees recursively, so 100,000 key parts overflow the stack.
///
/// Every structure that nests sits on one line in TOML 1.0 (keys, headers, inline tables),
/// except arrays, which toml++ bounds itself. So the bound is per line: the dots, `[` and `{`
/// outside strings and comments. Floats and dates count too, which can only overestimate.
enum TOMLNestingScan {
    /// The first line whose count exceeds `limit`, with the count, or nil.
    static func firstExcess(in text: String, limit: Int) -> (line: Int, depth: Int)? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var count = 0
        /// The quote of an open multi-line string (`"""` or `'''`), which spans lines.
        var multiline: UInt8?
        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        func triple(_ quote: UInt8) -> Bool { at(0) == quote && at(1) == quote && at(2) == quote }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                count = 0
                index += 1
                continue
            }
            if let quote = multiline {
                if quote == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                    index += 2
                    if index - 1 < bytes.count, bytes[index - 1] == UInt8(ascii: "\n") { line += 1 }
                    continue
                }
                if triple(quote) {
                    multiline = nil
                    index += 3
                } else {
                    index += 1
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if triple(byte) {
                    multiline = byte
                    index += 3
                    continue
                }
                // A one-line string: to its closing quote or the end of the line.
                index += 1
                while index < bytes.count, bytes[index] != byte, bytes[index] != UInt8(ascii: "\n") {
                    if byte == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                if index < bytes.count, bytes[index] == byte { index += 1 }
                continue
            case UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "{"):
                count += 1
                if count > limit { return (line, count) }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
