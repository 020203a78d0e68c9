import ArgumentParser
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
        #expect(CommandLineValues.registerValue("0x8400_0000") == 0x8400_0000)
        #expect(CommandLineValues.registerValue("banana") == nil)
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
        #expect(text.contains("0x82000100-0x8200ffff deny - filter range, "))
        #expect(text.contains("0xc2000100-0xc200ffff undefined - filter range"))
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
        #expect(throws: CommandError.self) { try loadPolicy(file.path) }
        do {
            _ = try loadPolicy(file.path)
        } catch {
            #expect("\(error)".hasPrefix("\(file.path):2: ranges[0]: range 0x80000000 overlaps 0x80000000-0x8000ffff"))
        }
        // The command reports it as one line and fails with the bad-input status.
        var command = try ConduitCommand.parseAsRoot(["policy", "check", file.path])
        let exit = #expect(throws: ExitCode.self) { try command.run() }
        #expect(exit?.rawValue == ExitStatus.badInput.rawValue)
    }
}

extension String {
    /// Runs of spaces as one, so that column widths do not matter.
    var collapsingSpaces: String {
        split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
    }
}

/// Flag values parsed strictly: every spelling ends in a value in range or one line naming the
/// flag (issue 11).
@Suite struct CommandLineValueTests {
    static let sizes: [(String, UInt64)] = [
        ("512", 0x2000_0000), ("512M", 0x2000_0000), ("512MiB", 0x2000_0000), ("512mb", 0x2000_0000),
        ("1.5G", 0x6000_0000), ("2G", 0x8000_0000), ("64K", 0x1_0000), ("4096B", 4096), ("0.5M", 0x8_0000),
        ("1T", 0x100_0000_0000),
    ]

    @Test(arguments: sizes)
    func sizesAsQEMUTakesThem(text: String, bytes: UInt64) throws {
        #expect(try CommandLineValues.size(text, flag: "-m") == bytes)
    }

    @Test(arguments: ["", "M", "-1", "1e3", ".5M", "1..5G", "1.5Q", "16E", "99999999999999999999", "0x10", "1 G", "iB"])
    func notSizes(text: String) {
        #expect(throws: CommandError.self) { try CommandLineValues.size(text, flag: "-m") }
    }

    @Test func sizesThatOverflowOrSplitABye() {
        #expect(throws: CommandError.self) { try CommandLineValues.size("99999999999T", flag: "-m") }
        #expect(throws: CommandError.self) { try CommandLineValues.size("0.0001K", flag: "-m") }
    }

    @Test func seconds() throws {
        #expect(try CommandLineValues.seconds("30", flag: "--timeout") == 30)
        #expect(try CommandLineValues.seconds("0.5", flag: "--timeout") == 0.5)
        #expect(try CommandLineValues.seconds("1000000000", flag: "--timeout") == 1e9)
        for text in ["inf", "-inf", "nan", "1e20", "1e309", "-1", "0", "0.0", "", "abc", "1000000001", "0.0000000001"] {
            #expect(throws: CommandError.self) { try CommandLineValues.seconds(text, flag: "--timeout") }
        }
    }

    @Test func versionsAreWrittenOneWay() {
        #expect(VersionText.parse("1.3")! == (1, 3))
        #expect(VersionText.parse("0.2")! == (0, 2))
        for text in ["1.03", "01.3", "1.3.0", "1.", ".3", "1", "65536.0", "+1.3", "1.-3", "１.３"] {
            #expect(VersionText.parse(text) == nil, "\(text)")
        }
    }
}

/// Outputs opened and written as `cat` writes them (issue 11).
@Suite struct OutputFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conduit-output-\(UUID())")

    @Test func followsSymlinksAndTruncatesRegularFiles() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("target")
        let link = directory.appendingPathComponent("link")
        try "an old and longer text\n".write(to: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        do {
            let file = try OutputFile.open(link.path, flag: "--trace-file")
            file.write("new\n")
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
    }

    @Test func aFullDeviceFailsWithoutTrapping() throws {
        let file = try OutputFile.open("/dev/full", flag: "--console-file")
        file.write("x")
        file.write("more, dropped")
        #expect(file.failure == ENOSPC)
        #expect(file.failureDescription == "cannot write --console-file /dev/full: No space left on device")
    }

    @Test func dashIsStandardOutput() throws {
        #expect(try OutputFile.open("-", flag: "-o") === OutputFile.standardOutput)
    }

    @Test func unwritablePathsAreOneLine() {
        #expect(throws: CommandError.self) { try OutputFile.open("/nonexistent/dir/file", flag: "-o") }
    }
}
