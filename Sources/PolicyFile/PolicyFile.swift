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

    /// The largest policy file Conduit reads. Real ones are a few hundred bytes.
    public static let maximumSize = 1 << 20

    /// Reads and decodes the policy file at `path`. The file is read only up to
    /// ``maximumSize`` (a device or FIFO included), and must be UTF-8 text.
    public static func load(path: String) throws(PolicyFileError) -> FirmwarePolicy {
        guard let syntax = Syntax(fileName: path) else {
            throw PolicyFileError(file: path, message: "cannot tell the syntax: name the file .yaml, .yml or .toml")
        }
        func failure(_ reason: String) -> PolicyFileError {
            PolicyFileError(file: path, message: "cannot read the policy file: \(reason)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw failure("it does not exist") }
        guard !isDirectory.boolValue else { throw failure("it is a directory") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64, size > maximumSize {
            throw failure("it is larger than \(maximumSize >> 20) MiB")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw failure("permission denied") }
        defer { try? handle.close() }
        var data = Data()
        do {
            while data.count <= maximumSize, let chunk = try handle.read(upToCount: maximumSize + 1 - data.count), !chunk.isEmpty {
                data.append(chunk)
            }
        } catch {
            throw failure("\((error as NSError).localizedFailureReason ?? "a read failed")")
        }
        guard data.count <= maximumSize else { throw failure("it is larger than \(maximumSize >> 20) MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("it is not UTF-8 text") }
        guard !text.utf8.contains(0) else { throw failure("it contains NUL bytes; it is not a text file") }
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
