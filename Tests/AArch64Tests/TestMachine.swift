import AArch64

/// A counter the test advances by hand.
final class ManualCounter: CounterSource {
    var counter: UInt64 = 0
}

/// One CPU on RAM at 0x4000_0000, for directed tests.
final class TestMachine {
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize: UInt64 = 16 << 20
    let memory = PhysicalMemory()
    let counter = ManualCounter()
    let cpu: AArch64CPU

    init(features: CPUFeatures = .all) {
        try! memory.addRAM(base: Self.ramBase, size: Self.ramSize)
        cpu = AArch64CPU(memory: memory, features: features, counter: counter)
        cpu.reset(entry: Self.ramBase)
    }

    /// Loads `source` at the start of RAM and resets the CPU there.
    convenience init(_ source: String, features: CPUFeatures = .all) throws {
        self.init(features: features)
        let code = try Assembler.assemble(source, base: Self.ramBase)
        precondition(memory.write(code, at: Self.ramBase))
    }

    /// Runs until an exit other than the budget, or until `limit` instructions.
    @discardableResult
    func run(limit: Int = 1_000_000) -> CPUExit {
        var remaining = limit
        while remaining > 0 {
            let before = cpu.instructionsRetired
            let exit = cpu.run(maxInstructions: remaining)
            remaining -= Int(cpu.instructionsRetired - before)
            if exit != .budgetExhausted { return exit }
        }
        return .budgetExhausted
    }

    subscript(register: Int) -> UInt64 { cpu.register(register) }
}
