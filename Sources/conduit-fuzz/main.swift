import AArch64
import ArgumentParser
import CommandLineSupport
import DifferentialTesting
import Foundation

/// `--engine interpreter|translator`.
extension ExecutionEngine: ExpressibleByArgument {}

/// `conduit-fuzz`: random instruction words from random CPU, MMU and interrupt state, to show
/// that no guest input crashes or hangs the host.
struct RobustnessFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conduit-fuzz",
        abstract: "Run random instruction words on the AArch64 interpreter from random state; fail on any host trap.")

    @Option(help: "Random instruction words to run (in programs of --words-per-case).")
    var words = 10_000_000

    @Option(help: "Instruction words per random program.")
    var wordsPerCase = 32

    @Option(help: "Random seed; the same seed repeats the same run.")
    var seed: UInt64 = 1

    @Option(help: "The engine: interpreter, or translator (every block translated at its first run).")
    var engine: ExecutionEngine = .interpreter

    func validate() throws {
        guard words > 0 else { throw ValidationError("--words must be positive") }
        guard (1...512).contains(wordsPerCase) else { throw ValidationError("--words-per-case must be 1...512") }
        guard engine.isAvailable else { throw ValidationError("--engine \(engine.rawValue): not available on this host (x86-64 only)") }
    }

    func run() throws {
        let start = Date()
        let fuzzer = try RobustnessFuzzer(seed: seed, engine: engine)
        let cases = (words + wordsPerCase - 1) / wordsPerCase
        var total = RobustnessStatistics()
        // In slices, so a long run shows progress.
        let slice = 100_000
        var done = 0
        while done < cases {
            let count = min(slice, cases - done)
            let statistics = fuzzer.run(cases: count, wordsPerCase: wordsPerCase)
            total.add(statistics)
            done += count
            print(String(format: "  %d programs, %d words, %d instructions retired (%.0f s)",
                         total.cases, total.words, total.instructions, Date().timeIntervalSince(start)))
        }
        let exits = total.exits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("conduit-fuzz: seed \(seed), engine \(engine.rawValue): \(total.words) random words in \(total.cases) programs, "
            + "\(total.instructions) instructions retired\(engine == .translator ? " (\(fuzzer.translatedBlocks) blocks translated)" : ""), no host trap; last exits: \(exits)")
    }
}

// Statuses: 0 no mismatch or trap, 1 bad input or a failure found, 7 an output failed.
exit(CommandLineEntry.main(RobustnessFuzzCommand.self, arguments: Array(CommandLine.arguments.dropFirst()), programName: "conduit-fuzz",
                           statuses: .init(badInput: 1, outputFailed: 7)))
