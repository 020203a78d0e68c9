import Foundation

/// The values flags take, parsed strictly and without trapping arithmetic: whatever the user
/// writes ends in a value in range or a one-line error naming the flag.
public enum CommandLineValues {
    /// A memory size as QEMU's `-m` takes it: a number of MiB (`512`), or a number with a binary
    /// suffix K, M, G or T, optionally followed by `iB` or `B` (`512M`, `1.5G`, `2GiB`), in any
    /// case. Fractions are allowed where the result is a whole number of bytes.
    public static func size(_ text: String, flag: String) throws -> UInt64 {
        let problem = CommandError("\(flag): '\(text)' is not a size (MiB, or a number with K, M, G or T: 512M, 1.5G, 2G)")
        var body = Substring(text.uppercased())
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var shift = 20  // QEMU: a bare -m number is MiB
        if body.hasSuffix("IB") {
            body.removeLast(2)
            guard let last = body.last, units[last] != nil else { throw problem }
        } else if body.hasSuffix("B") {
            body.removeLast()
            if let last = body.last, units[last] == nil { shift = 0 }  // "4096B": bytes, as QEMU
        }
        if let last = body.last, let unit = units[last] {
            shift = unit
            body.removeLast()
        }
        guard let (whole, fraction, fractionDigits) = decimal(body) else { throw problem }
        // bytes = (whole + fraction / 10^digits) << shift, exactly, or not at all.
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1 << UInt64(shift))
        guard !overflow else { throw CommandError("\(flag): '\(text)' is larger than any machine") }
        var power: UInt64 = 1
        for _ in 0..<fractionDigits { power *= 10 }
        let (fractionBytes, fractionOverflow) = fraction.multipliedReportingOverflow(by: 1 << UInt64(shift))
        guard !fractionOverflow, fractionBytes % power == 0 else {
            throw CommandError("\(flag): '\(text)' is not a whole number of bytes")
        }
        let (bytes, sumOverflow) = scaled.addingReportingOverflow(fractionBytes / power)
        guard !sumOverflow else { throw CommandError("\(flag): '\(text)' is larger than any machine") }
        return bytes
    }

    /// The most `--timeout` takes: about 31 years.
    public static let longestDuration: Double = 1e9

    /// A duration in seconds: a positive decimal number (`30`, `0.5`) up to ``longestDuration``.
    public static func seconds(_ text: String, flag: String) throws -> Double {
        guard let (whole, fraction, digits) = decimal(Substring(text)), digits <= 9 else {
            throw CommandError("\(flag): '\(text)' is not a number of seconds (e.g. 30 or 0.5)")
        }
        var power = 1.0
        for _ in 0..<digits { power *= 10 }
        let seconds = Double(whole) + Double(fraction) / power
        guard seconds > 0 else { throw CommandError("\(flag): '\(text)' is not a positive number of seconds") }
        guard seconds <= longestDuration else {
            throw CommandError("\(flag): '\(text)' is longer than \(Int(longestDuration)) seconds")
        }
        return seconds
    }

    /// `DIGITS[.DIGITS]`: the whole part, the fraction's digits as a number, and how many there
    /// are. At most 18 digits on each side, so nothing overflows.
    private static func decimal(_ text: Substring) -> (UInt64, UInt64, Int)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, !parts[0].isEmpty else { return nil }
        func digits(_ part: Substring) -> UInt64? {
            guard part.count <= 18, part.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return part.isEmpty ? 0 : UInt64(part)
        }
        guard let whole = digits(parts[0]) else { return nil }
        if parts.count == 1 { return (whole, 0, 0) }
        guard !parts[1].isEmpty, let fraction = digits(parts[1]) else { return nil }
        return (whole, fraction, parts[1].count)
    }

    /// A count in 1...`maximum`.
    public static func count(_ text: String, flag: String, maximum: Int) throws -> Int {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text)
        else { throw CommandError("\(flag): '\(text)' is not a whole number") }
        guard value >= 1, value <= maximum else { throw CommandError("\(flag): \(text) is not in 1-\(maximum)") }
        return value
    }

    /// A register value: `0x` hex or decimal, up to 64 bits, `_` separators allowed; nil when
    /// the text is not one.
    public static func registerValue(_ text: String) -> UInt64? {
        let cleaned = text.replacingOccurrences(of: "_", with: "").lowercased()
        guard cleaned.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        if cleaned.hasPrefix("0x") {
            let digits = cleaned.dropFirst(2)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard !cleaned.isEmpty, cleaned.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(cleaned)
    }
}
