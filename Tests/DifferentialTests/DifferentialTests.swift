import DifferentialTesting
import Foundation
import Testing

/// Conduit's interpreter against Unicorn (QEMU's CPU): at least 10,000 random instructions of
/// every class, with every general register, SP, PC, NZCV, DAIF, the thread ID registers, the
/// exception raised and the memory written compared after each. The long run (a million per
/// class) is `swift run -c release conduit-difftest`.
///
/// `CONDUIT_DIFFTEST_COUNT` lowers the count per class: scripts/sanitizers.sh runs the classes
/// under ASan and TSan, where the comparison itself has already been made by the plain run.
@Suite struct DifferentialTests {
    static let count = max(1, Int(ProcessInfo.processInfo.environment["CONDUIT_DIFFTEST_COUNT"] ?? "") ?? 10_000)

    @Test func tenThousandInstructionsPerClassAgreeWithUnicorn() throws {
        let results = try DifferentialRun.run(count: Self.count, seed: 2026)
        #expect(results.count == InstructionClass.all(lse: true).count)
        for result in results {
            #expect(result.instructions >= Self.count, "\(result.name)")
            #expect(result.mismatches.isEmpty, "\(result.name):\n\(result.mismatches.joined(separator: "\n"))")
        }
    }

    @Test func cortexA57ModelWithoutLSEAgrees() throws {
        let results = try DifferentialRun.run(count: min(2_000, Self.count), seed: 57, lse: false)
        for result in results {
            #expect(result.mismatches.isEmpty, "\(result.name):\n\(result.mismatches.joined(separator: "\n"))")
        }
    }
}
