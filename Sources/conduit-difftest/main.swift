import AArch64
import ArgumentParser
import CommandLineSupport
import DifferentialTesting
import Foundation

/// `--engine interpreter|translator`.
extension ExecutionEngine: ExpressibleByArgument {}

/// `conduit-difftest`: runs random instruction streams on Conduit's AArch64 interpreter and on
/// Unicorn, and reports every difference.
struct DifferentialTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conduit-difftest",
        abstract: "Differential test of the AArch64 interpreter against Unicorn (QEMU's CPU).")

    @Option(parsing: .unconditional, help: "Instructions to execute per instruction class.")
    var count = 1_000_000

    @Option(help: "Random seed; the same seed repeats the same run.")
    var seed: UInt64 = 1

    @Option(help: "Only classes whose name contains this text.")
    var only: String?

    @Flag(help: "Test without the LSE atomics (Cortex-A57 model on both sides).")
    var noLSE = false

    @Option(help: "Conduit's engine: interpreter, or translator (every block translated at its first run).")
    var engine: ExecutionEngine = .interpreter

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard engine.isAvailable else { throw ValidationError("--engine \(engine.rawValue): not available on this host (x86-64 only)") }
        if let only {
            let names = InstructionClass.all(lse: !noLSE).map(\.name)
            guard names.contains(where: { $0.lowercased().contains(only.lowercased()) }) else {
                throw ValidationError("--only: no instruction class matches '\(only)' (classes: \(names.joined(separator: ", ")))")
            }
        }
    }

    func run() throws {
        let start = Date()
        var total = 0
        var failed = 0
        print("conduit-difftest: \(count) instructions per class, seed \(seed), engine \(engine.rawValue)")
        _ = try DifferentialRun.run(count: count, seed: seed, lse: !noLSE, classFilter: only, engine: engine, keepMismatches: 3) { result in
            total += result.instructions
            failed += result.mismatches.isEmpty ? 0 : 1
            let status = result.mismatches.isEmpty ? "0 mismatches" : "MISMATCHES"
            let translated = engine == .translator ? ", \(result.translatedBlocks) blocks translated" : ""
            print("  \(result.name): \(result.instructions) instructions in \(result.cases) cases\(translated), \(status)")
            for mismatch in result.mismatches { print("    " + mismatch.replacingOccurrences(of: "\n", with: "\n    ")) }
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "total: %d instructions in %.1f s; %d class(es) with mismatches", total, seconds, failed))
        if failed > 0 { throw ExitCode.failure }
    }
}

// Statuses: 0 no mismatch or trap, 1 bad input or a failure found, 7 an output failed.
exit(CommandLineEntry.main(DifferentialTestCommand.self, arguments: Array(CommandLine.arguments.dropFirst()), programName: "conduit-difftest",
                           statuses: .init(badInput: 1, outputFailed: 7)))
