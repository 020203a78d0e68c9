import AArch64

/// The outcome of running many test cases of one class.
public struct ClassResult: Sendable {
    public let name: String
    public let instructions: Int
    public let cases: Int
    public let mismatches: [String]
    /// Blocks Conduit's translator engine translated for the class (0 under the interpreter).
    public let translatedBlocks: Int
}

/// Runs `count` test cases of every class through a harness, from `seed`.
public enum DifferentialRun {
    public static func run(count: Int, seed: UInt64, lse: Bool = true, classFilter: String? = nil,
                           engine: ExecutionEngine = .interpreter, keepMismatches: Int = 5, progress: ((ClassResult) -> Void)? = nil) throws -> [ClassResult] {
        // Unicorn's "max" CPU (the one with LSE) aborts the host process on some FP16 SIMD
        // encodings it meets when it looks ahead at a branch target in random data, so only the
        // atomics run on it; everything else runs on its Cortex-A57.
        var generator = SeededGenerator(seed: seed)
        let plain = try DifferentialHarness(features: CPUFeatures(crc32: true, lse: false, floatingPoint: true, cryptography: true), engine: engine)
        try plain.randomizeData(using: &generator)
        let withLSE = lse ? try DifferentialHarness(features: .all, engine: engine) : nil
        try withLSE?.randomizeData(using: &generator)
        var results: [ClassResult] = []
        for instructionClass in InstructionClass.all(lse: lse) {
            if let classFilter, !instructionClass.name.lowercased().contains(classFilter.lowercased()) { continue }
            let harness = instructionClass.needsLSE ? withLSE! : plain
            var mismatches: [String] = []
            var instructions = 0
            var cases = 0
            let translatedBefore = harness.conduit.translatedBlocks
            while instructions < count {
                let testCase = instructionClass.testCase(&generator)
                if let mismatch = try harness.run(testCase) {
                    if mismatches.count < keepMismatches { mismatches.append(mismatch.description) }
                }
                instructions += testCase.words.count
                cases += 1
            }
            let result = ClassResult(name: instructionClass.name, instructions: instructions, cases: cases,
                                     mismatches: mismatches, translatedBlocks: harness.conduit.translatedBlocks - translatedBefore)
            progress?(result)
            results.append(result)
        }
        return results
    }
}
