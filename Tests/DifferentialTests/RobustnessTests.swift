import DifferentialTesting
import Testing

/// A slice of the robustness fuzz run: random words from random CPU, MMU and interrupt state must
/// never trap the host (a trap would end the test process). The long run is
/// `swift run -c release conduit-fuzz --words 10000000`.
@Suite struct RobustnessTests {
    @Test func randomWordsFromRandomStateNeverTrapTheHost() throws {
        let fuzzer = try RobustnessFuzzer(seed: 2026)
        let statistics = fuzzer.run(cases: 4_000, wordsPerCase: 32)
        #expect(statistics.words == 128_000)
        #expect(statistics.instructions > 500_000)
    }
}
