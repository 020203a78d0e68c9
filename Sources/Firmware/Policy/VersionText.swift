/// Versions as policy files and flags write them: `MAJOR.MINOR` in decimal, each part `0` or a
/// number without leading zeros, at most 65535. Strict on purpose: `1.03` is not PSCI 1.3, and
/// `01.3` is a typo, not a version.
public enum VersionText {
    /// The two parts of `text`, or nil when it is not a version.
    public static func parse(_ text: String) -> (major: UInt16, minor: UInt16)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = part(parts[0]), let minor = part(parts[1]) else { return nil }
        return (major, minor)
    }

    private static func part(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            text == "0" || text.first != "0"
        else { return nil }
        return UInt16(text)
    }
}
