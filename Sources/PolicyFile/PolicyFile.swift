import Firmware
import Foundation

/// Policy files: a VM's firmware policy written as YAML (`.yaml`, `.yml`) or TOML (`.toml`).
public enum PolicyFile {
    /// The syntaxes a policy file can use.
    public enum Syntax: String, Sendable {
        case yaml
        case toml

        /// The syntax a file name's extension names, or nil.
        public init?(fileName: String) {
            switch (fileName as NSString).pathExtension.lowercased() {
            case "yaml", "yml": self = .yaml
            case "toml": self = .toml
            default: return nil
            }
        }
    }

    /// Reads and decodes the policy file at `path`.
    public static func load(path: String) throws(PolicyFileError) -> FirmwarePolicy {
        guard let syntax = Syntax(fileName: path) else {
            throw PolicyFileError(file: path, message: "cannot tell the syntax: name the file .yaml, .yml or .toml")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "it cannot be read as UTF-8 text"
            throw PolicyFileError(file: path, message: "cannot read the policy file: \(reason)")
        }
        return try decode(text, syntax: syntax, file: path)
    }

    /// Decodes policy text.
    public static func decode(_ text: String, syntax: Syntax, file: String = "<policy>") throws(PolicyFileError) -> FirmwarePolicy {
        let root: ConfigNode
        switch syntax {
        case .yaml: root = try YAMLSource.parse(text, file: file)
        case .toml: root = try TOMLSource.parse(text, file: file)
        }
        return try PolicyDecoder(file: file).decode(root)
    }
}
