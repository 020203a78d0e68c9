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
            guard let value = CommandLineValues.registerValue(text) else {
                throw CommandError("'\(text)' is not a function ID (hex with 0x, or decimal, up to 64 bits)")
            }
            blocks.append(FunctionIDDescription(x0: value).text)
        }
        OutputFile.standardOutput.write(blocks.joined(separator: "\n") + "\n")
    }
}


/// `value` in hex with at least `digits` digits: `0x0003`.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
