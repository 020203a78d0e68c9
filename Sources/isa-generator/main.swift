import Foundation

// isa-generator: turns an encoding table (`*.isa`, see Sources/AArch64/ISA/A64.isa for the
// format) into Swift: one struct per encoding with its named fields, a visitor protocol with a
// method per encoding, a decoder that finds the encoding of a word and calls the visitor, and
// the table itself as data (masks, values, fields, groups, features) for golden tests and
// random instruction generators. Run by the ISATables build plugin:
//
//     isa-generator TABLE.isa OUTPUT.swift
//
// Errors name the table's line and stop the build: a row whose widths do not add up to the word,
// an unknown feature, a duplicate name, or two encodings that overlap without one being more
// specific than the other (the decoder could not tell them apart).

struct GeneratorError: Error, CustomStringConvertible {
    let file: String
    let line: Int
    let message: String
    var description: String { "\(file):\(line): error: \(message)" }
}

struct Field {
    let name: String
    let low: Int
    let width: Int
}

struct Row {
    let name: String
    let line: Int
    let mask: UInt64
    let value: UInt64
    let fields: [Field]
    let group: String
    let feature: String?
    let syntax: String?
    /// Field values that do not belong to the row (`!NAME=BITS`): a word matches only if its
    /// bits under each mask differ from the value.
    var exclusions: [(mask: UInt64, value: UInt64)] = []

    var specificity: Int { mask.nonzeroBitCount }

    /// Whether every word of `other` has one of this row's excluded values.
    func excludes(_ other: Row) -> Bool {
        exclusions.contains { other.mask & $0.mask == $0.mask && other.value & $0.mask == $0.value }
    }

    /// Whether some word matches both rows.
    func overlaps(_ other: Row) -> Bool {
        (value ^ other.value) & mask & other.mask == 0 && !excludes(other) && !other.excludes(self)
    }
    /// Whether every word `other` matches, this row matches too (other is at least as specific).
    func covers(_ other: Row) -> Bool { mask & other.mask == mask && other.value & mask == value }
}

struct Table {
    var name = ""
    var width = 32
    var dispatchHigh = 0
    var dispatchLow = 0
    var documentation: [String] = []
    var features: [(name: String, description: String)] = []
    var groups: [(name: String, title: String)] = []
    var rows: [Row] = []
}

func parse(_ text: String, file: String) throws -> Table {
    var table = Table()
    var group: String?
    var pendingDocumentation: [String] = []
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let number = offset + 1
        func fail(_ message: String) -> GeneratorError { GeneratorError(file: file, line: number, message: message) }
        var line = String(raw)
        if line.hasPrefix("##") {
            pendingDocumentation.append(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
            continue
        }
        // A quoted string at the end of a row is its assembler syntax or a title; a `#` outside
        // it starts a comment.
        var quoted: String?
        let hash = line.firstIndex(of: "#")
        if let first = line.firstIndex(of: "\""), hash.map({ first < $0 }) ?? true, let last = line.lastIndex(of: "\""), first < last {
            quoted = String(line[line.index(after: first)..<last])
            line = String(line[..<first])
        } else if let hash {
            line = String(line[..<hash])
        }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let keyword = words.first else { continue }
        switch keyword {
        case "isa":
            // isa NAME width BITS dispatch HIGH:LOW
            guard words.count == 6, words[2] == "width", let width = Int(words[3]), width == 16 || width == 32,
                words[4] == "dispatch", let (high, low) = range(words[5]), high < width, high - low < 8
            else { throw fail("expected 'isa NAME width 16|32 dispatch HIGH:LOW' (at most 8 dispatch bits)") }
            table.name = words[1]
            table.width = width
            table.dispatchHigh = high
            table.dispatchLow = low
            table.documentation = pendingDocumentation
            pendingDocumentation = []
        case "feature":
            guard words.count == 2, let description = quoted, isIdentifier(words[1]) else {
                throw fail("expected 'feature NAME \"description\"'")
            }
            table.features.append((words[1], description))
        case "group":
            guard words.count == 2, let title = quoted, isIdentifier(words[1]) else {
                throw fail("expected 'group NAME \"ARM ARM title\"'")
            }
            guard !table.groups.contains(where: { $0.name == words[1] }) else { throw fail("group \(words[1]) is declared twice") }
            table.groups.append((words[1], title))
            group = words[1]
        default:
            guard !table.name.isEmpty else { throw fail("the table must start with an 'isa' line") }
            guard let group else { throw fail("an encoding before any 'group' line") }
            guard isIdentifier(keyword) else { throw fail("'\(keyword)' is not an encoding name") }
            guard !table.rows.contains(where: { $0.name == keyword }) else { throw fail("encoding \(keyword) is defined twice") }
            var position = table.width
            var mask: UInt64 = 0
            var value: UInt64 = 0
            var fields: [Field] = []
            var feature: String?
            var excluded: [(String, String)] = []
            for token in words.dropFirst() {
                if token.hasPrefix("!") {
                    let parts = token.dropFirst().split(separator: "=").map(String.init)
                    guard parts.count == 2, isIdentifier(parts[0]), parts[1].allSatisfy({ "01".contains($0) }) else {
                        throw fail("'\(token)' is not an exclusion (!FIELD=BITS)")
                    }
                    excluded.append((parts[0], parts[1]))
                } else if token.hasPrefix("@") {
                    let name = String(token.dropFirst())
                    guard table.features.contains(where: { $0.name == name }) else { throw fail("unknown feature '\(name)'") }
                    feature = name
                } else if let colon = token.firstIndex(of: ":") {
                    let name = String(token[..<colon])
                    guard isIdentifier(name), name != "word", let width = Int(token[token.index(after: colon)...]), width > 0 else {
                        throw fail("'\(token)' is not a field (NAME:WIDTH)")
                    }
                    guard !fields.contains(where: { $0.name == name }) else { throw fail("field \(name) appears twice in \(keyword)") }
                    position -= width
                    guard position >= 0 else { throw fail("\(keyword) is wider than \(table.width) bits") }
                    fields.append(Field(name: name, low: position, width: width))
                } else if token.allSatisfy({ "01x".contains($0) }) {
                    for bit in token {
                        position -= 1
                        guard position >= 0 else { throw fail("\(keyword) is wider than \(table.width) bits") }
                        if bit != "x" {
                            mask |= 1 << UInt64(position)
                            if bit == "1" { value |= 1 << UInt64(position) }
                        }
                    }
                } else {
                    throw fail("'\(token)' is neither bits (0, 1, x) nor a field (NAME:WIDTH) nor a feature (@NAME)")
                }
            }
            guard position == 0 else { throw fail("\(keyword) has \(table.width - position) bits, not \(table.width)") }
            var row = Row(name: keyword, line: number, mask: mask, value: value, fields: fields, group: group,
                          feature: feature, syntax: quoted)
            for (name, bits) in excluded {
                guard let field = fields.first(where: { $0.name == name }), field.width == bits.count else {
                    throw fail("exclusion !\(name)=\(bits) names no field of \(bits.count) bits in \(keyword)")
                }
                let fieldMask = ((UInt64(1) << UInt64(field.width)) - 1) << UInt64(field.low)
                row.exclusions.append((fieldMask, UInt64(bits, radix: 2)! << UInt64(field.low)))
            }
            table.rows.append(row)
        }
    }
    guard !table.name.isEmpty else { throw GeneratorError(file: file, line: 1, message: "no 'isa' line") }
    // Two encodings that can match the same word must be ordered by specificity.
    for (index, row) in table.rows.enumerated() {
        for other in table.rows[(index + 1)...] where row.overlaps(other) && !row.covers(other) && !other.covers(row) {
            if row.feature != nil && other.feature != nil && row.feature != other.feature { continue }
            throw GeneratorError(file: file, line: other.line, message:
                "\(other.name) overlaps \(row.name) (line \(row.line)) and neither is more specific: a word could match both")
        }
    }
    return table
}

func range(_ text: String) -> (Int, Int)? {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let high = Int(parts[0]), let low = Int(parts[1]), high >= low, low >= 0 else { return nil }
    return (high, low)
}

func isIdentifier(_ text: String) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
}

func hex(_ value: UInt64, _ width: Int) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width / 4 - digits.count)) + digits
}

func generate(_ table: Table, source: String) -> String {
    let word = table.width == 16 ? "UInt16" : "UInt32"
    let ns = table.name
    var out = """
        // Generated by isa-generator from \(source). Do not edit: change the table.

        """
    for line in table.documentation { out += "/// \(line)\n" }
    out += "public enum \(ns) {\n"

    // Features.
    out += "    /// The optional features the table's encodings depend on.\n"
    out += "    public struct Features: OptionSet, Sendable, Hashable {\n"
    out += "        public let rawValue: UInt64\n"
    out += "        public init(rawValue: UInt64) { self.rawValue = rawValue }\n"
    for (index, feature) in table.features.enumerated() {
        out += "        /// \(feature.description)\n"
        out += "        public static let \(feature.name) = Features(rawValue: 1 << \(index))\n"
    }
    out += "        /// Every feature the table names.\n"
    out += "        public static let all = Features(rawValue: \(table.features.isEmpty ? "0" : "(1 << \(table.features.count)) - 1"))\n"
    out += "    }\n\n"

    // Groups.
    out += "    /// The encoding groups of the ARM ARM's encoding index.\n"
    out += "    public enum Group: Int, CaseIterable, Sendable {\n"
    for group in table.groups { out += "        case \(group.name)\n" }
    out += "\n        /// The ARM ARM's title for the group.\n"
    out += "        public var title: String {\n            switch self {\n"
    for group in table.groups { out += "            case .\(group.name): return \"\(group.title)\"\n" }
    out += "            }\n        }\n    }\n\n"

    // Patterns.
    out += "    /// Every encoding in the table.\n"
    out += "    public enum Pattern: Int, CaseIterable, Sendable {\n"
    for row in table.rows { out += "        case \(row.name)\n" }
    out += "    }\n\n"

    // One struct per encoding.
    for row in table.rows {
        if let syntax = row.syntax { out += "    /// `\(syntax)`\n" } else { out += "    /// \(row.name)\n" }
        out += "    @frozen public struct \(row.name): Sendable {\n"
        out += "        public let word: \(word)\n"
        out += "        @inline(__always) public init(_ word: \(word)) { self.word = word }\n"
        for field in row.fields {
            let shift = field.low == 0 ? "UInt32(word)" : "UInt32(word) >> \(field.low)"
            let masked = field.low + field.width == table.width ? shift : "(\(shift)) & \(hex((1 << UInt64(field.width)) - 1, 8))"
            out += "        @inline(__always) public var \(field.name): UInt32 { \(masked) }\n"
        }
        out += "    }\n\n"
    }

    // The visitor.
    out += "    /// What a decoded word is handed to: one method per encoding.\n"
    out += "    public protocol Visitor {\n        associatedtype Result\n"
    for row in table.rows { out += "        func \(row.name)(_ instruction: \(row.name)) -> Result\n" }
    out += "        /// A word no encoding (with the given features) matches.\n"
    out += "        func unallocated(_ word: \(word)) -> Result\n"
    for group in table.groups {
        out += "        /// Any encoding of \"\(group.title)\" the visitor handles as a family, by pattern.\n"
        out += "        func \(group.name)(_ pattern: Pattern, _ word: \(word)) -> Result\n"
    }
    out += "    }\n\n"

    // The decoder: a switch on the dispatch bits, then the candidates most specific first.
    let dispatchWidth = table.dispatchHigh - table.dispatchLow + 1
    let dispatchMask = (UInt64(1) << UInt64(dispatchWidth)) - 1
    out += "    /// Finds the encoding of `word` among those `features` allow and hands it to `visitor`.\n"
    out += "    @inline(__always)\n"
    out += "    public static func decode<V: Visitor>(_ word: \(word), features: Features, _ visitor: V) -> V.Result {\n"
    out += "        switch (UInt32(word) >> \(table.dispatchLow)) & \(dispatchMask) {\n"
    for key in 0...dispatchMask {
        let keyBits = key << UInt64(table.dispatchLow)
        let keyMask = dispatchMask << UInt64(table.dispatchLow)
        let candidates = table.rows.enumerated()
            .filter { ($0.element.value ^ keyBits) & $0.element.mask & keyMask == 0 }
            .sorted { ($0.element.specificity, -$0.offset) > ($1.element.specificity, -$1.offset) }
            .map(\.element)
        if candidates.isEmpty { continue }
        out += "        case \(key):\n"
        for row in candidates {
            let residualMask = row.mask & ~keyMask
            var condition = residualMask == 0 ? "true" : "UInt32(word) & \(hex(residualMask, 32)) == \(hex(row.value & residualMask, 32))"
            for exclusion in row.exclusions {
                condition += " && UInt32(word) & \(hex(exclusion.mask, 32)) != \(hex(exclusion.value, 32))"
            }
            if let feature = row.feature { condition += " && features.contains(.\(feature))" }
            out += "            if \(condition) { return visitor.\(row.name)(\(row.name)(word)) }\n"
        }
        out += "            return visitor.unallocated(word)\n"
    }
    out += "        default:\n            return visitor.unallocated(word)\n        }\n    }\n\n"

    // The table as data.
    out += """
        /// A field of an encoding: bits `low ..< low + width` of the word.
        public struct FieldInfo: Sendable, Equatable {
            public let name: String
            public let low: Int
            public let width: Int
        }

        /// One row of the table.
        public struct Encoding: Sendable {
            public let pattern: Pattern
            public let name: String
            public let group: Group
            /// The fixed bits: a word matches when `word & mask == value`.
            public let mask: \(word)
            public let value: \(word)
            public let fields: [FieldInfo]
            /// The feature the encoding needs, or empty.
            public let feature: Features
            /// The assembler syntax, as the ARM ARM writes it, when the table gives it.
            public let syntax: String?
        }

        /// Every row, in table order (``Pattern``'s raw value indexes it).
        public static let encodings: [Encoding] = parseRows()

        // The rows as text, one per line and tab-separated (name, group, mask, value, feature
        // bits, fields as name:low:width, syntax), read once: as Swift literals, several hundred
        // rows took the type checker and the optimiser minutes and gigabytes.
        private static let rowText = #\"\"\"

    """
    for row in table.rows {
        let fields = row.fields.map { "\($0.name):\($0.low):\($0.width)" }.joined(separator: ",")
        let feature = row.feature.flatMap { name in table.features.firstIndex { $0.name == name } }.map { 1 << $0 } ?? 0
        let group = table.groups.firstIndex { $0.name == row.group } ?? 0
        out += "    " + [row.name, String(group), String(row.mask, radix: 16), String(row.value, radix: 16), String(feature), fields,
                row.syntax ?? ""].joined(separator: "\t") + "\n"
    }
    out += """
        \"\"\"#

        private static func parseRows() -> [Encoding] {
            rowText.split(separator: "\\n").enumerated().map { index, line in
                let columns = line.split(separator: "\\t", omittingEmptySubsequences: false)
                let fields = columns[5].split(separator: ",").map { field in
                    let parts = field.split(separator: ":")
                    return FieldInfo(name: String(parts[0]), low: Int(parts[1]) ?? 0, width: Int(parts[2]) ?? 0)
                }
                return Encoding(pattern: Pattern(rawValue: index) ?? .\(table.rows[0].name), name: String(columns[0]),
                                group: Group(rawValue: Int(columns[1]) ?? 0) ?? .\(table.groups[0].name),
                                mask: \(word)(columns[2], radix: 16) ?? 0, value: \(word)(columns[3], radix: 16) ?? 0, fields: fields,
                                feature: Features(rawValue: UInt64(columns[4]) ?? 0),
                                syntax: columns[6].isEmpty ? nil : String(columns[6]))
            }
        }

    """

    // Pattern lookup and description, for tests and tools.
    out += """
        private struct PatternVisitor: Visitor {

        """
    for row in table.rows { out += "        func \(row.name)(_ instruction: \(row.name)) -> Pattern? { .\(row.name) }\n" }
    out += "        func unallocated(_ word: \(word)) -> Pattern? { nil }\n    }\n\n"
    out += """
        /// The encoding `word` is, or nil when it is unallocated (given `features`).
        public static func pattern(of word: \(word), features: Features = .all) -> Pattern? {
            decode(word, features: features, PatternVisitor())
        }

        /// `NAME field=value ...`, the encoding and its fields, or nil when unallocated.
        public static func describe(_ word: \(word), features: Features = .all) -> String? {
            guard let pattern = pattern(of: word, features: features) else { return nil }
            let encoding = encodings[pattern.rawValue]
            let fields = encoding.fields.map { field in
                "\\(field.name)=\\((UInt32(word) >> UInt32(field.low)) & ((1 << UInt32(field.width)) - 1))"
            }
            return ([encoding.name] + fields).joined(separator: " ")
        }
    }

    """
    // A visitor handles each encoding by its own method or, by default, by its group's method;
    // the group's default is `unallocated`.
    out += "/// By default an encoding goes to its group's method, and a group's method to `unallocated`.\n"
    out += "public extension \(ns).Visitor {\n"
    for group in table.groups {
        out += "    func \(group.name)(_ pattern: \(ns).Pattern, _ word: \(word)) -> Result { unallocated(word) }\n"
    }
    for row in table.rows {
        out += "    func \(row.name)(_ instruction: \(ns).\(row.name)) -> Result { \(row.group)(.\(row.name), instruction.word) }\n"
    }
    out += "}\n"
    return out
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: isa-generator TABLE.isa OUTPUT.swift\n".utf8))
    exit(1)
}
do {
    let text = try String(contentsOfFile: arguments[1], encoding: .utf8)
    let table = try parse(text, file: arguments[1])
    let source = URL(fileURLWithPath: arguments[1]).lastPathComponent
    let generated = generate(table, source: source)
    // Debug and release builds share the plugin's output, and each runs this tool of its own:
    // rewriting an unchanged file made the other configuration recompile the whole AArch64
    // module (2.5 minutes of release build after every debug build).
    if (try? String(contentsOfFile: arguments[2], encoding: .utf8)) != generated {
        try generated.write(toFile: arguments[2], atomically: true, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
