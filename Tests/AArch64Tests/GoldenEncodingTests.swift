@testable import AArch64
import Foundation
import TestSupport
import Testing

/// The encoding table against the assembler: every row of `ISA/A64.isa` has a line in
/// `Golden/A64.golden`, an instruction written in assembly (encoded by the toolchain's clang,
/// not by Conduit) and the encoding and field values the decoder must find in its word.
///
/// `CONDUIT_GOLDEN_UPDATE=1 swift test --filter GoldenEncoding` rewrites the expectations from
/// the decoder, for review in the diff.
struct GoldenEncodingTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/A64.golden")

    struct Line {
        let assembly: String
        let expected: String
    }

    static func lines() throws -> [Line] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { raw in
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("//") else { return nil }
            let parts = text.components(separatedBy: " => ")
            return Line(assembly: parts[0].trimmingCharacters(in: .whitespaces),
                        expected: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
    }

    @Test func everyRowDecodesAsTheAssemblerEncodesIt() throws {
        let lines = try Self.lines()
        let bytes = try Assembler.assemble(lines.map(\.assembly).joined(separator: "\n"))
        #expect(bytes.count == lines.count * 4)
        var actual: [String] = []
        for (index, line) in lines.enumerated() {
            let word = bytes.withUnsafeBytes { $0.load(fromByteOffset: index * 4, as: UInt32.self) }
            let decoded = A64.describe(word) ?? "unallocated"
            actual.append(decoded)
            #expect(decoded == line.expected, "\(line.assembly) (\(String(word, radix: 16)))")
        }
        if ProcessInfo.processInfo.environment["CONDUIT_GOLDEN_UPDATE"] == "1" {
            let width = lines.map(\.assembly.count).max() ?? 0
            let header = try String(contentsOf: Self.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .prefix { $0.hasPrefix("//") }.joined(separator: "\n")
            let body = zip(lines, actual).map { line, decoded in
                line.assembly.padding(toLength: width, withPad: " ", startingAt: 0) + " => " + decoded
            }.joined(separator: "\n")
            try (header + "\n" + body + "\n").write(to: Self.file, atomically: true, encoding: .utf8)
        }
    }

    @Test func everyRowHasAGoldenLine() throws {
        let named = Set(try Self.lines().compactMap { $0.expected.split(separator: " ").first.map(String.init) })
        let missing = A64.Pattern.allCases.map { A64.encodings[$0.rawValue].name }.filter { !named.contains($0) }
        #expect(missing.isEmpty, "rows without a golden line: \(missing.joined(separator: ", "))")
    }
}
