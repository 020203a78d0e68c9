/// A TOML 1.0 reader (https://toml.io/en/v1.0.0) producing a ``ConfigNode`` tree with the line
/// of every key, table header and value.
///
/// Written for policy files, which are hostile input like any other: every byte is checked
/// against the grammar, nesting is limited (``maximumDepth``), nothing recurses deeper than that
/// limit, and every error is one located line. It replaces toml++ (through TOMLKit), which
/// aborts on inputs such as `a = [}` and `[=` (its debug assertions; undefined behaviour when
/// built with `NDEBUG`) and frees deep tables recursively.
///
/// Values become scalars as the decoder reads them: strings unescaped, integers in decimal
/// (`0x82000000`, `0o17` and `0b101` included), floats, booleans and dates as written.
struct TOMLReader {
    /// The deepest nesting of arrays and inline tables, and the most parts a key or header has.
    static let maximumDepth = 64

    struct SyntaxError: Error {
        let line: Int
        let column: Int
        let message: String
    }

    static func parse(_ text: String) throws(SyntaxError) -> ConfigNode {
        var reader = TOMLReader(Array(text.utf8))
        try reader.document()
        return reader.root.node()
    }

    // MARK: - The document model while reading

    /// A table, mutable while the document is read.
    final class Table {
        /// How the table came to exist, which decides what may add to it later (TOML 1.0,
        /// "Table" and "Inline Table"): a header may define an implicit table once; dotted keys
        /// may extend tables they created; nothing extends an inline table.
        enum Origin { case implicit, header, dotted, inline, arrayElement }

        var origin: Origin
        let line: Int
        var keys: [String] = []
        var entries: [String: Entry] = [:]

        init(origin: Origin, line: Int) {
            self.origin = origin
            self.line = line
        }

        func node() -> ConfigNode {
            ConfigNode(.mapping(keys.map { key in (key: key, node: entries[key]!.node()) }), line: line)
        }
    }

    enum Entry {
        case table(Table)
        /// An array of tables (`[[name]]`).
        case tables([Table], line: Int)
        case value(Value)

        func node() -> ConfigNode {
            switch self {
            case .table(let table): return table.node()
            case .tables(let tables, let line): return ConfigNode(.sequence(tables.map { $0.node() }), line: line)
            case .value(let value): return value.node()
            }
        }
    }

    indirect enum Value {
        case scalar(String, line: Int)
        case array([Value], line: Int)
        case table(Table)

        func node() -> ConfigNode {
            switch self {
            case .scalar(let text, let line): return ConfigNode(.scalar(text), line: line)
            case .array(let items, let line): return ConfigNode(.sequence(items.map { $0.node() }), line: line)
            case .table(let table): return table.node()
            }
        }
    }

    // MARK: - State

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private let root = Table(origin: .header, line: 1)
    /// The table the current section's key/value pairs go to.
    private var current: Table

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
        current = root
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    private func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(line: line, column: index - lineStart + 1, message: message)
    }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the file" }
        if byte == 0x0A || byte == 0x0D { return "the end of the line" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    // MARK: - Lexical helpers

    private mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
    }

    /// A comment, if one starts here: to the end of the line, with no control characters.
    private mutating func skipComment() throws(SyntaxError) {
        guard peek == UInt8(ascii: "#") else { return }
        while let byte = peek, byte != 0x0A {
            if byte == 0x0D && peek(1) == 0x0A { break }
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F { throw error("control character \(describe(byte)) in a comment") }
            index += 1
        }
    }

    /// The end of a line (`\n` or `\r\n`), or of the file. Returns false if neither is here.
    private mutating func newline() -> Bool {
        if peek == 0x0A {
            index += 1
        } else if peek == 0x0D && peek(1) == 0x0A {
            index += 2
        } else {
            return false
        }
        line += 1
        lineStart = index
        return true
    }

    /// Spaces, comments and newlines, as between array elements.
    private mutating func skipBlankLines() throws(SyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if !newline() { return }
        }
    }

    /// After a key/value pair or header: only spaces and a comment may follow on the line.
    private mutating func endOfLine() throws(SyntaxError) {
        skipSpaces()
        try skipComment()
        if peek == nil { return }
        guard newline() else { throw error("expected the end of the line, found \(describe(peek))") }
    }

    private static func isBareKey(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: - Document

    private mutating func document() throws(SyntaxError) {
        // A byte-order mark may open the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while true {
            try skipBlankLines()
            guard let byte = peek else { return }
            if byte == UInt8(ascii: "[") {
                try header()
            } else {
                try keyValue(into: current, depth: 0)
            }
            try endOfLine()
        }
    }

    /// `[a.b]` or `[[a.b]]`.
    private mutating func header() throws(SyntaxError) {
        let headerLine = line
        index += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        let path = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw error("expected '\(isArray ? "]]" : "]")' to close the table header, found \(describe(peek))")
        }
        index += isArray ? 2 : 1

        var table = root
        for part in path.dropLast() {
            table = try descend(into: table, part, creating: .implicit, line: headerLine, forHeader: true)
        }
        let name = path.last!
        if isArray {
            let element = Table(origin: .arrayElement, line: headerLine)
            switch table.entries[name] {
            case nil:
                table.keys.append(name)
                table.entries[name] = .tables([element], line: headerLine)
            case .tables(var elements, let line)?:
                elements.append(element)
                table.entries[name] = .tables(elements, line: line)
            default:
                throw error("'\(path.joined(separator: "."))' is already defined, and not as an array of tables")
            }
            current = element
        } else {
            switch table.entries[name] {
            case nil:
                let defined = Table(origin: .header, line: headerLine)
                table.keys.append(name)
                table.entries[name] = .table(defined)
                current = defined
            case .table(let existing)? where existing.origin == .implicit:
                existing.origin = .header
                current = existing
            default:
                throw error("table '\(path.joined(separator: "."))' is defined more than once")
            }
        }
    }

    /// The table `part` names inside `table`, created if missing; an array of tables yields its
    /// last element (TOML's rule for headers below `[[name]]`).
    private mutating func descend(into table: Table, _ part: String, creating origin: Table.Origin, line: Int,
                                  forHeader: Bool) throws(SyntaxError) -> Table {
        switch table.entries[part] {
        case nil:
            let created = Table(origin: origin, line: line)
            table.keys.append(part)
            table.entries[part] = .table(created)
            return created
        case .table(let existing)?:
            if existing.origin == .inline { throw error("inline table '\(part)' cannot be extended") }
            // Dotted keys extend only the tables dotted keys made (or the section's own).
            if !forHeader, existing.origin == .header || existing.origin == .implicit {
                throw error("table '\(part)' is defined elsewhere; dotted keys cannot add to it")
            }
            return existing
        case .tables(let elements, _)? where forHeader:
            return elements[elements.count - 1]
        default:
            throw error("'\(part)' is already a value, not a table")
        }
    }

    /// A key: bare or quoted parts joined by dots, at most ``maximumDepth`` of them.
    private mutating func key() throws(SyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            guard parts.count < Self.maximumDepth else { throw error("a key with more than \(Self.maximumDepth) parts") }
            switch peek {
            case UInt8(ascii: "\"")?:
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw error("a key cannot be a multi-line string") }
                parts.append(try basicString())
            case UInt8(ascii: "'")?:
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw error("a key cannot be a multi-line string") }
                parts.append(try literalString())
            case let byte? where Self.isBareKey(byte):
                let start = index
                while let next = peek, Self.isBareKey(next) { index += 1 }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            default:
                throw error("expected a key, found \(describe(peek))")
            }
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { return parts }
            index += 1
            skipSpaces()
        }
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws(SyntaxError) -> Value {
        guard depth <= Self.maximumDepth else { throw error("arrays and inline tables nested more than \(Self.maximumDepth) deep") }
        let valueLine = line
        guard let byte = peek else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .scalar(try multilineBasicString(), line: valueLine) }
            return .scalar(try basicString(), line: valueLine)
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .scalar(try multilineLiteralString(), line: valueLine) }
            return .scalar(try literalString(), line: valueLine)
        case UInt8(ascii: "["):
            return try array(depth: depth)
        case UInt8(ascii: "{"):
            return try inlineTable(depth: depth)
        default:
            return .scalar(try bareValue(), line: valueLine)
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) -> Value {
        let arrayLine = line
        index += 1
        var items: [Value] = []
        while true {
            try skipBlankLines()
            if peek == UInt8(ascii: "]") {
                index += 1
                return .array(items, line: arrayLine)
            }
            items.append(try value(depth: depth + 1))
            try skipBlankLines()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek == UInt8(ascii: "]") else { throw error("expected ',' or ']' in the array, found \(describe(peek))") }
            index += 1
            return .array(items, line: arrayLine)
        }
    }

    private mutating func inlineTable(depth: Int) throws(SyntaxError) -> Value {
        let table = Table(origin: .dotted, line: line)
        index += 1
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            index += 1
            table.origin = .inline
            return .table(table)
        }
        while true {
            skipSpaces()
            try keyValue(into: table, depth: depth)
            skipSpaces()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek == UInt8(ascii: "}") else { throw error("expected ',' or '}' in the inline table, found \(describe(peek))") }
            index += 1
            freeze(table)
            return .table(table)
        }
    }

    /// `key = value` into `table`; `depth` is how deep in arrays and inline tables it sits.
    private mutating func keyValue(into table: Table, depth: Int) throws(SyntaxError) {
        let keyError = error("")
        let path = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else { throw error("expected '=' after the key, found \(describe(peek))") }
        index += 1
        skipSpaces()
        let value = try self.value(depth: depth + 1)
        var target = table
        for part in path.dropLast() {
            target = try descend(into: target, part, creating: .dotted, line: keyError.line, forHeader: false)
        }
        let name = path.last!
        guard target.entries[name] == nil else {
            throw SyntaxError(line: keyError.line, column: keyError.column, message: "key '\(path.joined(separator: "."))' is defined more than once")
        }
        target.keys.append(name)
        target.entries[name] = .value(value)
    }

    /// An inline table and the tables its dotted keys made are closed to later additions.
    private func freeze(_ table: Table) {
        var pending = [table]
        while let next = pending.popLast() {
            next.origin = .inline
            for case .table(let child) in next.entries.values where child.origin == .dotted { pending.append(child) }
        }
    }

    // MARK: - Strings

    private mutating func character(_ text: inout [UInt8], multiline: Bool) throws(SyntaxError) {
        let byte = bytes[index]
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error(byte == 0x0A || byte == 0x0D ? "the string is not closed on this line" : "control character \(describe(byte)) in a string")
        }
        text.append(byte)
        index += 1
    }

    private mutating func basicString() throws(SyntaxError) -> String {
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("the string is not closed") }
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try validated(text)
            }
            if byte == UInt8(ascii: "\\") {
                try escape(&text)
            } else {
                try character(&text, multiline: false)
            }
        }
    }

    private mutating func multilineBasicString() throws(SyntaxError) -> String {
        index += 3
        _ = newline()  // a newline right after the opening quotes is trimmed
        var text: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("the multi-line string is not closed") }
            if byte == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                // Up to two quotes may end the content right before the closing three.
                var quotes = 3
                while quotes < 5, peek(quotes) == UInt8(ascii: "\"") { quotes += 1 }
                text.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: quotes - 3))
                index += quotes
                return try validated(text)
            }
            if byte == UInt8(ascii: "\\") {
                // A backslash ending a line trims the newline and the white space after it.
                var probe = index + 1
                while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
                if probe < bytes.count, bytes[probe] == 0x0A || (bytes[probe] == 0x0D && probe + 1 < bytes.count && bytes[probe + 1] == 0x0A) {
                    index = probe
                    while true {
                        skipSpaces()
                        if !newline() { break }
                    }
                    continue
                }
                try escape(&text)
            } else if newline() {
                text.append(0x0A)
            } else {
                try character(&text, multiline: true)
            }
        }
    }

    private mutating func escape(_ text: inout [UInt8]) throws(SyntaxError) {
        index += 1
        guard let code = peek else { throw error("the string is not closed") }
        index += 1
        switch code {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "\""): text.append(0x22)
        case UInt8(ascii: "\\"): text.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = code == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                bytes[index..<index + count].allSatisfy({ Self.isHexDigit($0) }),
                let scalar = Unicode.Scalar(value)
            else { throw error("\\\(Character(Unicode.Scalar(code))) must give \(count) hex digits of a Unicode scalar value") }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
            index += count
        default:
            index -= 1
            throw error("unknown escape '\\\(Character(Unicode.Scalar(code)))'")
        }
    }

    private mutating func literalString() throws(SyntaxError) -> String {
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("the string is not closed") }
            if byte == UInt8(ascii: "'") {
                index += 1
                return try validated(text)
            }
            try character(&text, multiline: false)
        }
    }

    private mutating func multilineLiteralString() throws(SyntaxError) -> String {
        index += 3
        _ = newline()
        var text: [UInt8] = []
        while true {
            guard peek != nil else { throw error("the multi-line string is not closed") }
            if peek == UInt8(ascii: "'"), peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                var quotes = 3
                while quotes < 5, peek(quotes) == UInt8(ascii: "'") { quotes += 1 }
                text.append(contentsOf: repeatElement(UInt8(ascii: "'"), count: quotes - 3))
                index += quotes
                return try validated(text)
            }
            if newline() {
                text.append(0x0A)
            } else {
                try character(&text, multiline: true)
            }
        }
    }

    private func validated(_ text: [UInt8]) throws(SyntaxError) -> String {
        guard let string = String(validating: text, as: UTF8.self) else { throw error("the string is not valid UTF-8") }
        return string
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    // MARK: - Booleans, numbers, dates

    /// A value that is not a string, array or table: its token up to a separator.
    private mutating func bareValue() throws(SyntaxError) -> String {
        let start = index
        func isTokenByte(_ byte: UInt8) -> Bool {
            Self.isBareKey(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        while let byte = peek, isTokenByte(byte) { index += 1 }
        // A local or offset date-time may have a space between the date and the time.
        if peek == 0x20, index - start == 10, let next = peek(1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9"),
            Self.isDateTime(bytes[start..<index])
        {
            index += 1
            while let byte = peek, isTokenByte(byte) { index += 1 }
        }
        let token = bytes[start..<index]
        guard !token.isEmpty else { throw error("expected a value, found \(describe(peek))") }
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true", "false", "inf", "+inf", "-inf", "nan", "+nan", "-nan": return text
        default: break
        }
        if let integer = Self.integer(token) { return integer }
        if Self.isFloat(token) { return text.replacingOccurrences(of: "_", with: "") }
        if Self.isDateTime(token) { return text }
        index = start
        throw error("'\(text.prefix(40))' is not a TOML value (a string needs quotes)")
    }

    /// An integer token in decimal, or nil. TOML integers are 64-bit signed.
    private static func integer(_ token: ArraySlice<UInt8>) -> String? {
        var digits = token
        var radix = 10
        var negative = false
        if digits.count > 2, digits.first == UInt8(ascii: "0"),
            let prefix = digits.dropFirst().first, [UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b")].contains(prefix)
        {
            radix = prefix == UInt8(ascii: "x") ? 16 : prefix == UInt8(ascii: "o") ? 8 : 2
            digits = digits.dropFirst(2)
        } else if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first != UInt8(ascii: "_"), digits.last != UInt8(ascii: "_") else { return nil }
        // No leading zeros in decimal; underscores only between digits.
        if radix == 10, first == UInt8(ascii: "0"), digits.count > 1 { return nil }
        var value: UInt64 = 0
        var previousUnderscore = false
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < UInt64(radix) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry, sum <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else { return nil }
            value = sum
        }
        return negative && value != 0 ? "-\(value)" : "\(value)"
    }

    /// `[+-] int [. digits] [e [+-] digits]`, with TOML's underscore rule.
    private static func isFloat(_ token: ArraySlice<UInt8>) -> Bool {
        var rest = token
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        func digits(_ part: ArraySlice<UInt8>, leadingZeroAllowed: Bool) -> Bool {
            guard let first = part.first, first != UInt8(ascii: "_"), part.last != UInt8(ascii: "_") else { return false }
            if !leadingZeroAllowed, first == UInt8(ascii: "0"), part.count > 1 { return false }
            var previousUnderscore = false
            for byte in part {
                if byte == UInt8(ascii: "_") {
                    if previousUnderscore { return false }
                    previousUnderscore = true
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    previousUnderscore = false
                } else {
                    return false
                }
            }
            return true
        }
        let exponentAt = rest.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = exponentAt.map { rest[rest.startIndex..<$0] } ?? rest
        let pointAt = mantissa.firstIndex(of: UInt8(ascii: "."))
        guard exponentAt != nil || pointAt != nil else { return false }
        let whole = pointAt.map { mantissa[mantissa.startIndex..<$0] } ?? mantissa
        guard digits(whole, leadingZeroAllowed: false) else { return false }
        if let pointAt, !digits(mantissa[(pointAt + 1)...], leadingZeroAllowed: true) { return false }
        if let exponentAt {
            var exponent = rest[(exponentAt + 1)...]
            if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            return digits(exponent, leadingZeroAllowed: true)
        }
        return true
    }

    /// The date and time forms of TOML 1.0: offset and local date-times, local dates and times.
    private static func isDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        let shape = Array(token)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= shape.count && shape[range].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        func byte(_ at: Int, _ expected: UInt8) -> Bool { at < shape.count && shape[at] == expected }
        /// HH:MM:SS[.fraction] at `start`; returns where it ends.
        func time(at start: Int) -> Int? {
            guard digits(start..<start + 2), byte(start + 2, UInt8(ascii: ":")), digits(start + 3..<start + 5),
                byte(start + 5, UInt8(ascii: ":")), digits(start + 6..<start + 8)
            else { return nil }
            var end = start + 8
            if byte(end, UInt8(ascii: ".")) {
                end += 1
                let fraction = end
                while digits(end..<end + 1) { end += 1 }
                if end == fraction { return nil }
            }
            return end
        }
        if let end = time(at: 0) { return end == shape.count }  // a local time
        guard digits(0..<4), byte(4, UInt8(ascii: "-")), digits(5..<7), byte(7, UInt8(ascii: "-")), digits(8..<10) else { return false }
        if shape.count == 10 { return true }  // a local date
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(shape[10]), var end = time(at: 11) else { return false }
        if end == shape.count { return true }  // a local date-time
        if byte(end, UInt8(ascii: "Z")) || byte(end, UInt8(ascii: "z")) {
            end += 1
        } else if byte(end, UInt8(ascii: "+")) || byte(end, UInt8(ascii: "-")) {
            guard digits(end + 1..<end + 3), byte(end + 3, UInt8(ascii: ":")), digits(end + 4..<end + 6) else { return false }
            end += 6
        }
        return end == shape.count
    }
}
