import DifferentialTesting
import Foundation
import Testing

/// A slice of the robustness fuzz run: random words from random CPU, MMU and interrupt state must
/// never trap the host (a trap would end the test process). The long run is
/// `swift run -c release conduit-fuzz --words 10000000`.
///
/// `CONDUIT_ROBUSTNESS_CASES` lowers the 4,000 cases: scripts/sanitizers.sh runs 500 under ASan
/// and TSan, where this one test was most of the suite's wall time (75 of 79 seconds).
@Suite struct RobustnessTests {
    static let cases = max(1, Int(ProcessInfo.processInfo.environment["CONDUIT_ROBUSTNESS_CASES"] ?? "") ?? 4_000)

    @Test func randomWordsFromRandomStateNeverTrapTheHost() throws {
        let fuzzer = try RobustnessFuzzer(seed: 2026)
        let statistics = fuzzer.run(cases: Self.cases, wordsPerCase: 32)
        #expect(statistics.words == Self.cases * 32)
        // Each case runs its words from fresh state more than once (exceptions return into them):
        // over 125 instructions a case, as 500,000 over the 4,000 cases.
        #expect(statistics.instructions > UInt64(Self.cases) * 125)
    }
}
