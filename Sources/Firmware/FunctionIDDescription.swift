import SMCCC

/// What a function ID means, in words, as `conduit decode` prints it: name, owner, calling
/// convention, call type, and notes on values that are not well-formed calls.
public struct FunctionIDDescription: Sendable {
    /// The caller's X0 (only W0 identifies the function).
    public let x0: UInt64

    public init(x0: UInt64) { self.x0 = x0 }

    public var text: String {
        let id = FunctionID(register: x0)
        var lines: [String] = []
        let title = id.name.map { "\($0)" } ?? "unnamed function"
        let interface = id.interface.map { "\($0.name) " } ?? ""
        lines.append("\(hex(id.rawValue, digits: 8)): \(interface)\(title)")
        lines.append("  call type    \(id.callType.name)")
        lines.append("  convention   \(id.convention.name)")
        lines.append("  owner        \(id.owner.rawValue), \(id.owner.name)")
        lines.append("  function     \(hex(UInt32(id.number), digits: 4))")
        if x0 >> 32 != 0 {
            lines.append("  note         bits 63:32 of X0 (\(hex(UInt32(x0 >> 32), digits: 8))) are ignored: SMCCC uses W0")
        }
        if !id.isWellFormed {
            lines.append("  note         not well formed: bits 23:17 must be zero in a fast call "
                + "(\(hex(id.reservedBits, digits: 8)) set); firmware answers NOT_SUPPORTED")
        }
        if id.hasSVEHint {
            lines.append("  note         SVE hint (bit 16) set: SMCCC v1.3 callers set it when they hold no live SVE state. "
                + "Conduit offers SMCCC 1.1 or 1.2, where the bit must be zero, so it answers NOT_SUPPORTED")
        }
        return lines.joined(separator: "\n")
    }
}

private func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
