import TOMLKit

/// Reads TOML into a ``ConfigNode`` tree through TOMLKit.
///
/// TOMLKit reports positions only for syntax errors, so lines of values are recovered from the
/// text: each key's line is where `key =` first appears in its table (`[table]` or the n-th
/// `[[array]]`). Values inside inline tables get the line of the key that holds them.
enum TOMLSource {
    /// The most key parts, brackets and braces one line may hold (see ``TOMLNestingScan``).
    static let maximumLineDepth = 64

    static func parse(_ text: String, file: String) throws(PolicyFileError) -> ConfigNode {
        if let (line, depth) = TOMLNestingScan.firstExcess(in: text, limit: maximumLineDepth) {
            throw PolicyFileError(file: file, line: line, message: "keys, tables or arrays nested more than \(maximumLineDepth) deep on one line (\(depth) here); a policy needs four")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw PolicyFileError(file: file, line: error.source.begin.line, column: error.source.begin.column,
                                  message: "TOML syntax error: \(error.description)")
        } catch {
            throw PolicyFileError(file: file, message: "TOML syntax error: \(error)")
        }
        let lines = KeyLines(text)
        return convert(table, path: "", line: 1, lines: lines)
    }

    private static func convert(_ value: any TOMLValueConvertible, path: String, line: Int?, lines: KeyLines) -> ConfigNode {
        switch value.type {
        case .table:
            guard let table = value.table else { return ConfigNode(.mapping([]), line: line) }
            let keys = table.keys.sorted { (lines.line(of: $0, in: path) ?? 0) < (lines.line(of: $1, in: path) ?? 0) }
            let pairs = keys.compactMap { key -> (key: String, node: ConfigNode)? in
                guard let child = table[key] else { return nil }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                let childLine = lines.line(of: key, in: path) ?? lines.headerLine(of: childPath) ?? line
                return (key, convert(child, path: childPath, line: childLine, lines: lines))
            }
            return ConfigNode(.mapping(pairs), line: line)
        case .array:
            guard let array = value.array else { return ConfigNode(.sequence([]), line: line) }
            let items = array.enumerated().map { index, item in
                let itemPath = "\(path)[\(index)]"
                return convert(item, path: itemPath, line: lines.headerLine(of: itemPath) ?? line, lines: lines)
            }
            return ConfigNode(.sequence(items), line: line)
        case .string:
            return ConfigNode(.scalar(value.string ?? ""), line: line)
        case .int:
            return ConfigNode(.scalar(String(value.int ?? 0)), line: line)
        case .double:
            return ConfigNode(.scalar(value.double.map { String($0) } ?? ""), line: line)
        case .bool:
            return ConfigNode(.scalar(value.bool == true ? "true" : "false"), line: line)
        default:
            return ConfigNode(.scalar(value.debugDescription), line: line)
        }
    }

    /// Where keys and table headers sit in the text.
    private struct KeyLines {
        /// "table.path" -> key -> line. The root table's path is "".
        private var keys: [String: [String: Int]] = [:]
        /// "table.path" or "array[n]" -> header line.
        private var headers: [String: Int] = [:]

        init(_ text: String) {
            var current = ""
            var arrayCounts: [String: Int] = [:]
            for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = offset + 1
                let trimmed = raw.trimmingCharacters(in: " \t\r")
                if trimmed.hasPrefix("[[") {
                    let name = String(trimmed.dropFirst(2).prefix { $0 != "]" }).trimmingCharacters(in: " \t")
                    let index = arrayCounts[name, default: 0]
                    arrayCounts[name] = index + 1
                    current = "\(name)[\(index)]"
                    headers[current] = line
                } else if trimmed.hasPrefix("[") {
                    current = String(trimmed.dropFirst().prefix { $0 != "]" }).trimmingCharacters(in: " \t")
                    headers[current] = line
                } else if let equals = trimmed.firstIndex(of: "="), !trimmed.hasPrefix("#") {
                    var key = String(trimmed[..<equals]).trimmingCharacters(in: " \t")
                    if key.count >= 2, key.first == "\"", key.last == "\"" { key = String(key.dropFirst().dropLast()) }
                    if keys[current, default: [:]][key] == nil { keys[current, default: [:]][key] = line }
                }
            }
        }

        func line(of key: String, in table: String) -> Int? { keys[table]?[key] }
        func headerLine(of path: String) -> Int? { headers[path] }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
