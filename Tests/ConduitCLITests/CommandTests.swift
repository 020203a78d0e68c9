@testable import ConduitCLI
import Firmware
import Foundation
import Testing

@Suite struct DecodeCommandTests {
    @Test func psciCPUOn64() {
        #expect(FunctionIDDescription(x0: 0xC400_0003).text == """
            0xc4000003: PSCI CPU_ON
              call type    fast call
              convention   SMC64/HVC64
              owner        4, Standard Secure Service
              function     0x0003
            """)
    }

    @Test func sipServiceCall() {
        #expect(FunctionIDDescription(x0: 0x8200_0102).text == """
            0x82000102: unnamed function
              call type    fast call
              convention   SMC32/HVC32
              owner        2, SiP Service
              function     0x0102
            """)
    }

    @Test func notesForOddValues() {
        let text = FunctionIDDescription(x0: 0xFFFF_FFFF_8402_0000).text
        #expect(text.contains("bits 63:32 of X0 (0xffffffff) are ignored"))
        #expect(text.contains("not well formed: bits 23:17 must be zero in a fast call (0x00020000 set)"))
    }

    @Test func parsesArguments() throws {
        var command = try ConduitCommand.parseAsRoot(["decode", "0xC4000003", "2214592770"])
        #expect(command is DecodeCommand)
        #expect(parseRegisterValue("0x8400_0000") == 0x8400_0000)
        #expect(parseRegisterValue("banana") == nil)
        #expect(throws: Never.self) { try command.run() }
    }

    @Test func rejectsNonNumbers() throws {
        var command = try ConduitCommand.parseAsRoot(["decode", "CPU_ON"])
        #expect(throws: CommandError.self) { try command.run() }
    }
}

@Suite struct PolicyCommandTests {
    let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    @Test func reportShowsEveryRangeAndWhoHandlesIt() throws {
        let policy = try loadPolicy(examples.appendingPathComponent("highbank-sip.yaml").path)
        let text = try PolicyReport(policy: policy).text.collapsingSpaces
        #expect(text.contains("SMC means: the same firmware as HVC, through the same filter (smc: psci)"))
        #expect(text.contains("0x82000000-0x8200ffff forward highbank-sip filter range, "))
        #expect(text.contains("0xc2000000-0xc200ffff undefined - filter range"))
        #expect(text.contains("0x84000000-0x8400001f handle PSCI 1.3 built-in service"))
        #expect(text.contains("HVC calls:"))
        #expect(text.contains("SMC calls:"))
    }

    @Test func defaultReport() throws {
        let text = try PolicyReport(policy: FirmwarePolicy()).text.collapsingSpaces
        #expect(text.hasPrefix("Policy: conduits hvc, smc undefined, PSCI 1.3 builtin, SMCCC 1.1, 0 ranges"))
        #expect(text.contains("0x00000000-0xffffffff undefined - conduit disabled (undefined-instruction exception)"))
    }

    @Test func checkFailsWithTheLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("conduit-\(UUID()).yaml")
        try "ranges:\n  - id: 0x80000000\n    action: deny\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var command = try ConduitCommand.parseAsRoot(["policy", "check", file.path])
        let error = #expect(throws: CommandError.self) { try command.run() }
        #expect(error?.description.hasPrefix("\(file.path):2: ranges[0]: range 0x80000000 overlaps 0x80000000-0x8000ffff") == true)
    }
}

extension String {
    /// Runs of spaces as one, so that column widths do not matter.
    var collapsingSpaces: String {
        split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
    }
}
