import Yams

/// Reads YAML into a ``ConfigNode`` tree through Yams, keeping each node's line.
enum YAMLSource {
    /// How deep a document may nest (flow collections, plus block indentation counted in
    /// columns). A policy is four levels deep; the limit only keeps Yams' recursive composer and
    /// this converter off the end of the stack.
    static let maximumDepth = 64

    static func parse(_ text: String, file: String) throws(PolicyFileError) -> ConfigNode {
        switch YAMLNestingScan.check(text, depthLimit: maximumDepth) {
        case .tooDeep(let line, let depth)?:
            throw PolicyFileError(file: file, line: line, message: "nested more than \(maximumDepth) levels deep (\(depth) here); a policy needs four")
        case .anchorOrAlias(let line, let text)?:
            throw PolicyFileError(file: file, line: line, message: "YAML anchors and aliases (\(text)) are not allowed in policy files")
        case nil:
            break
        }
        // The parser outlives the conversion: a node's anchor is a weak reference the parser holds.
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw PolicyFileError(file: file, message: "YAML syntax error: \(error)")
        }
        guard let root else { return ConfigNode(.mapping([]), line: 1) }
        return try withExtendedLifetime(parser) { () throws(PolicyFileError) -> ConfigNode in try convert(root, file: file) }
    }

    /// Anchors and aliases are refused: a policy has no use for them, and a few hundred bytes of
    /// nested aliases ("billion laughs") expand to gigabytes. Yams resolves an alias to the node
    /// its anchor names, so refusing every anchored node refuses every alias too.
    private static func convert(_ node: Node, file: String) throws(PolicyFileError) -> ConfigNode {
        let line = node.mark?.line
        if let anchor = node.anchor {
            throw PolicyFileError(file: file, line: line, message: "YAML anchors and aliases (&\(anchor.rawValue)) are not allowed in policy files")
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(.scalar(scalar.string), line: line)
        case .mapping(let mapping):
            var pairs: [(key: String, node: ConfigNode)] = []
            for (key, value) in mapping {
                if key.anchor != nil { _ = try convert(key, file: file) }
                pairs.append((key: key.string ?? "\(key)", node: try convert(value, file: file)))
            }
            return ConfigNode(.mapping(pairs), line: line)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for item in sequence { items.append(try convert(item, file: file)) }
            return ConfigNode(.sequence(items), line: line)
        case .alias(let alias):
            throw PolicyFileError(file: file, line: line, message: "YAML anchors and aliases (*\(alias.anchor.rawValue)) are not allowed in policy files")
        }
    }

    private static func syntaxError(_ error: YamlError, file: String) -> PolicyFileError {
        func located(_ problem: String, _ mark: Mark) -> PolicyFileError {
            PolicyFileError(file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(problem)")
        }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return located(problem, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PolicyFileError(file: file, line: context.mark.line, column: context.mark.column,
                                   message: "duplicate key \(duplicates.joined(separator: ", "))")
        default:
            let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return PolicyFileError(file: file, message: "YAML error: \(text)")
        }
    }
}
