/// A problem in a policy file, located by file, line and field.
public struct PolicyFileError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    /// The field at fault, as a path: `psci.version`, `ranges[2].action`.
    public let field: String?
    public let message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// One line: `policy.yaml:14: ranges[2].action: unknown action 'allow' (...)`.
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let field { return "\(place): \(field): \(message)" }
        return "\(place): \(message)"
    }
}
