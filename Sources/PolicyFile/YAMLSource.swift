import Yams

/// Reads YAML into a ``ConfigNode`` tree through Yams, keeping each node's line.
enum YAMLSource {
    static func parse(_ text: String, file: String) throws(PolicyFileError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw PolicyFileError(file: file, message: "YAML syntax error: \(error)")
        }
        guard let root else { return ConfigNode(.mapping([]), line: 1) }
        return convert(root)
    }

    private static func convert(_ node: Node) -> ConfigNode {
        let line = node.mark?.line
        switch node {
        case .scalar(let scalar):
            return ConfigNode(.scalar(scalar.string), line: line)
        case .mapping(let mapping):
            let pairs = mapping.map { (key: $0.key.string ?? "\($0.key)", node: convert($0.value)) }
            return ConfigNode(.mapping(pairs), line: line)
        case .sequence(let sequence):
            return ConfigNode(.sequence(sequence.map(convert)), line: line)
        case .alias(let alias):
            return ConfigNode(.scalar("*\(alias.anchor)"), line: line)
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
