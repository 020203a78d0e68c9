/// Reads TOML into a ``ConfigNode`` tree through ``TOMLReader``, which knows every key's line.
enum TOMLSource {
    static func parse(_ text: String, file: String) throws(PolicyFileError) -> ConfigNode {
        do {
            return try TOMLReader.parse(text)
        } catch {
            throw PolicyFileError(file: file, line: error.line, column: error.column, message: "TOML syntax error: \(error.message)")
        }
    }
}
