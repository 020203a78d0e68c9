/// A bound on how deeply a YAML document nests, found by a small lexer before any parser sees
/// the text, so that a hostile document (100,000 `[`, or `- - - ...`) never reaches Yams'
/// recursive composer. It follows YAML 1.2's rules (chapters 6-8) as far as nesting needs:
///
/// - a flow collection opens with `[` or `{` where a node may start, and anywhere inside a flow
///   collection, whose plain scalars cannot contain flow indicators;
/// - quoted scalars (`'...'` with `''`, `"..."` with `\` escapes) start only where a node may
///   start, and may span lines; comments start with `#` after white space;
/// - block scalars (`|`, `>`) hold literal text on the lines indented past their parent;
/// - block nesting costs at least one column per level, so the column where a line's content
///   starts, after its indentation and block indicators (`- `, `? `, `: `), bounds it.
///
/// The bound at each node start is the open flow collections plus the column where the
/// outermost of them started (or, outside flow, the node's own column). It can only
/// overestimate the nesting the parser would see.
///
/// It also finds anchors (`&name`) and aliases (`*name`) where a node starts: the composer would
/// hash an aliased key, so a "billion laughs" must be refused before it is composed.
struct YAMLNestingScan {
    /// What makes a document unsafe to compose.
    enum Finding: Equatable {
        case tooDeep(line: Int, depth: Int)
        case anchorOrAlias(line: Int, text: String)
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// Where the current line starts.
    private var lineStart = 0
    /// Whether the current line's indentation has been measured.
    private var measured = false
    private var flow = 0
    /// The column of the last node that started outside any flow collection.
    private var blockColumn = 0

    private init(_ text: String) { bytes = Array(text.utf8) }

    /// The first line whose bound exceeds `limit`, or the first anchor or alias; nil when there
    /// is neither.
    static func check(_ text: String, depthLimit limit: Int) -> Finding? {
        var scan = YAMLNestingScan(text)
        return scan.run(limit: limit)
    }

    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private func byte(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private func isBlank(_ value: UInt8?) -> Bool {
        value == nil || value == Self.space || value == Self.tab || value == Self.newline || value == Self.carriageReturn
    }

    private mutating func run(limit: Int) -> Finding? {
        var expectingNode = true
        var blockScalarParent: Int?  // indentation of the line that opened a block scalar
        while index < bytes.count {
            // A new line: measure its indentation first.
            if !measured {
                measured = true
                var indentation = 0
                while byte() == Self.space || byte() == Self.tab {
                    indentation += 1
                    index += 1
                }
                if let parent = blockScalarParent {
                    if byte() == Self.newline || byte() == Self.carriageReturn || byte() == nil || indentation > parent {
                        skipToEndOfLine()
                        continue
                    }
                    blockScalarParent = nil
                }
                if flow == 0 { expectingNode = true }
            }
            guard let current = byte() else { break }
            let column = index - lineStart
            if current == Self.newline {
                index += 1
                newLine()
                continue
            }
            if current == Self.space || current == Self.tab || current == Self.carriageReturn {
                index += 1
                continue
            }
            if current == UInt8(ascii: "#") && (index == lineStart || isBlank(bytes[index - 1])) {
                skipToEndOfLine()
                continue
            }
            if expectingNode {
                // Inside flow collections, depth is the column the outermost one started at plus
                // the collections open: columns there are only text.
                if flow == 0 { blockColumn = column }
                if blockColumn + flow > limit { return .tooDeep(line: line, depth: blockColumn + flow) }
            }
            let isIndicator = current == UInt8(ascii: "-") || current == UInt8(ascii: "?") || current == UInt8(ascii: ":")
            if isIndicator && isBlank(byte(1)) {
                // Block indicators and the mapping value indicator: a node follows.
                index += 1
                expectingNode = true
            } else if current == UInt8(ascii: ":") && flow > 0 {
                index += 1  // JSON-like keys in flow: `{"a":1}`
                expectingNode = true
            } else if current == UInt8(ascii: ",") && flow > 0 {
                index += 1
                expectingNode = true
            } else if (current == UInt8(ascii: "[") || current == UInt8(ascii: "{")) && (expectingNode || flow > 0) {
                flow += 1
                index += 1
                expectingNode = true
                if blockColumn + flow > limit { return .tooDeep(line: line, depth: blockColumn + flow) }
            } else if (current == UInt8(ascii: "]") || current == UInt8(ascii: "}")) && flow > 0 {
                flow -= 1
                index += 1
                expectingNode = false
            } else if (current == UInt8(ascii: "'") || current == UInt8(ascii: "\"")) && expectingNode {
                skipQuoted(current)
                expectingNode = false
            } else if (current == UInt8(ascii: "&") || current == UInt8(ascii: "*")) && expectingNode {
                let start = index
                skipToken()
                return .anchorOrAlias(line: line, text: String(decoding: bytes[start..<min(index, start + 40)], as: UTF8.self))
            } else if current == UInt8(ascii: "!") && expectingNode {
                skipToken()  // a tag: the node itself follows
            } else if (current == UInt8(ascii: "|") || current == UInt8(ascii: ">")) && expectingNode && flow == 0 {
                blockScalarParent = indentation(of: lineStart)
                skipToEndOfLine()
                expectingNode = false
            } else {
                skipPlain()
                expectingNode = false
            }
        }
        return nil
    }

    private func indentation(of start: Int) -> Int {
        var count = 0
        while start + count < bytes.count, bytes[start + count] == Self.space || bytes[start + count] == Self.tab { count += 1 }
        return count
    }

    /// Called with `index` just past a newline.
    private mutating func newLine() {
        line += 1
        lineStart = index
        measured = false
    }

    private mutating func skipToEndOfLine() {
        while let value = byte(), value != Self.newline { index += 1 }
        if byte() == Self.newline {
            index += 1
            newLine()
        }
    }

    private mutating func skipToken() {
        while !isBlank(byte()) { index += 1 }
    }

    /// A plain scalar ends at `: `, ` #`, the end of the line, or, in flow, a flow indicator.
    private mutating func skipPlain() {
        index += 1
        while let value = byte(), value != Self.newline {
            if value == UInt8(ascii: ":") && (isBlank(byte(1)) || flow > 0) { return }
            if value == UInt8(ascii: "#") && isBlank(bytes[index - 1]) { return }
            if flow > 0 && (value == UInt8(ascii: ",") || value == UInt8(ascii: "[") || value == UInt8(ascii: "]")
                || value == UInt8(ascii: "{") || value == UInt8(ascii: "}")) { return }
            index += 1
        }
    }

    /// A quoted scalar, across lines; unterminated ones run to the end (the parser reports them).
    private mutating func skipQuoted(_ quote: UInt8) {
        index += 1
        while let value = byte() {
            index += 1
            if value == Self.newline {
                // Continuation lines of a quoted scalar are not indentation to measure.
                newLine()
                measured = true
            } else if quote == UInt8(ascii: "\"") && value == UInt8(ascii: "\\") {
                index += 1
                if index <= bytes.count, bytes[index - 1] == Self.newline {
                    newLine()
                    measured = true
                }
            } else if value == quote {
                if quote == UInt8(ascii: "'") && byte() == quote { index += 1 } else { return }
            }
        }
    }
}
