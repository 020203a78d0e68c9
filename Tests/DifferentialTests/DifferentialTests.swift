import DifferentialTesting
import Testing

/// Conduit's interpreter against Unicorn (QEMU's CPU): at least 10,000 random instructions of
/// every class, with every general register, SP, PC, NZCV, DAIF, the thread ID registers, the
/// exception raised and the memory written compared after each. The long run (a million per
/// class) is `swift run -c release conduit-difftest`.
@Suite struct DifferentialTests {
    @Test func tenThousandInstructionsPerClassAgreeWithUnicorn() throws {
        let results = try DifferentialRun.run(count: 10_000, seed: 2026)
        #expect(results.count == InstructionClass.all(lse: true).count)
        for result in results {
            #expect(result.instructions >= 10_000, "\(result.name)")
            #expect(result.mismatches.isEmpty, "\(result.name):\n\(result.mismatches.joined(separator: "\n"))")
        }
    }

    @Test func cortexA57ModelWithoutLSEAgrees() throws {
        let results = try DifferentialRun.run(count: 2_000, seed: 57, lse: false)
        for result in results {
            #expect(result.mismatches.isEmpty, "\(result.name):\n\(result.mismatches.joined(separator: "\n"))")
        }
    }
}
