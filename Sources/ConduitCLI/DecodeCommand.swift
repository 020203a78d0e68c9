import ArgumentParser
import Firmware
import SMCCC

/// `conduit decode`: what a function ID means.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode SMCCC function IDs: name, owner, calling convention and call type.",
        discussion: "An ID is the value of W0/X0 at the SMC or HVC, in hex (0x...) or decimal. Only the low 32 bits identify the function."
    )

    @Argument(help: "Function IDs to decode, e.g. 0xC4000003.")
    var ids: [String]

    func run() throws {
        var blocks: [String] = []
        for text in ids {
            guard let value = parseRegisterValue(text) else {
                throw CommandError("'\(text)' is not a function ID (hex with 0x, or decimal, up to 64 bits)")
            }
            blocks.append(FunctionIDDescription(x0: value).text)
        }
        OutputFile.standardOutput.write(blocks.joined(separator: "\n") + "\n")
    }
}

/// Parses a register value: `0x` hex or decimal, `_` allowed.
func parseRegisterValue(_ text: String) -> UInt64? {
    let cleaned = text.replacingOccurrences(of: "_", with: "").lowercased()
    if cleaned.hasPrefix("0x") { return UInt64(cleaned.dropFirst(2), radix: 16) }
    return UInt64(cleaned)
}

/// The human description of a function ID.
struct FunctionIDDescription {
    let x0: UInt64

    var text: String {
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

func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
