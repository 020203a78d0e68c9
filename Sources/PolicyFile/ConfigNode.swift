/// A parsed configuration document, independent of its syntax: YAML and TOML both become this
/// tree, and one decoder turns it into a policy. Each node remembers the line it came from, so
/// that every error can name its place.
public struct ConfigNode: Sendable {
    public enum Value: Sendable {
        /// A scalar, as written (numbers keep their spelling: `0x84000000`, `1.3`).
        case scalar(String)
        /// Keys in document order where the syntax keeps it.
        case mapping([(key: String, node: ConfigNode)])
        case sequence([ConfigNode])
    }

    public let value: Value
    /// 1-based source line, when the parser reports one.
    public let line: Int?

    public init(_ value: Value, line: Int?) {
        self.value = value
        self.line = line
    }

    /// What the node is, for messages.
    var kindName: String {
        switch value {
        case .scalar: return "a value"
        case .mapping: return "a table of keys"
        case .sequence: return "a list"
        }
    }
}
