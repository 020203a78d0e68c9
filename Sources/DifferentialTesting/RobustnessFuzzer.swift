import AArch64

/// What a robustness run did.
public struct RobustnessStatistics: Sendable {
    /// Random programs run.
    public var cases = 0
    /// Random instruction words written as code.
    public var words = 0
    /// Instructions retired (including the exception entries they caused).
    public var instructions: UInt64 = 0
    /// How runs ended, by kind of exit.
    public var exits: [String: Int] = [:]

    public init() {}

    /// Adds another run's counts to these.
    public mutating func add(_ other: RobustnessStatistics) {
        cases += other.cases
        words += other.words
        instructions += other.instructions
        exits.merge(other.exits, uniquingKeysWith: +)
    }
}

/// Runs random instruction words on Conduit's CPU from random state: random registers, random
/// PSTATE (EL0 or EL1, any DAIF, SP selection), random system registers (SCTLR, TCR, MAIR,
/// TTBRs with ASIDs, VBAR), random translation tables (valid and invalid descriptors of every
/// kind pointing anywhere), random interrupt lines, and devices that refuse some accesses.
///
/// Nothing is compared: the point is that no guest input makes the host trap, hang or write
/// outside guest memory. Every case is bounded by an instruction budget, and firmware calls are
/// answered at random by returning or by injecting an undefined instruction, as a policy would.
public final class RobustnessFuzzer {
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize: UInt64 = 4 << 20
    /// Translation tables are built in these 16 pages.
    static let tableArea: UInt64 = 0x4010_0000
    static let tablePages: UInt64 = 16
    /// Code and vectors are written in these pages.
    static let codeArea: UInt64 = 0x4020_0000
    static let codePages: UInt64 = 16
    static let device: UInt64 = 0x0900_0000

    let memory = PhysicalMemory()
    let cpu: AArch64CPU
    private let counter = Counter()
    private var generator: SeededGenerator

    private final class Counter: CounterSource { var counter: UInt64 = 0 }

    /// A device that answers some offsets and refuses others (a bus error).
    private final class PickyDevice: MMIODevice {
        var registers = [UInt64](repeating: 0, count: 64)
        func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
            offset < 0x200 && offset % 8 == 0 ? registers[Int(offset / 8)] : nil
        }
        func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
            guard offset < 0x200 && offset % 8 == 0 else { return false }
            registers[Int(offset / 8)] = value
            return true
        }
    }

    private let device = PickyDevice()

    /// A fuzzer from `seed` whose CPU runs `engine` (the translator translating every block at
    /// its first run).
    public init(seed: UInt64, engine: ExecutionEngine = .interpreter) throws {
        generator = SeededGenerator(seed: seed)
        try memory.addRAM(base: Self.ramBase, size: Self.ramSize)
        try memory.addMMIO(base: Self.device, size: 0x1000, device: device)
        cpu = AArch64CPU(memory: memory, features: .all, counter: counter)
        cpu.engine = engine
        cpu.translatorSettings.threshold = 0
    }

    /// Blocks the translator engine translated so far (0 under the interpreter).
    public var translatedBlocks: Int { cpu.translatedBlocks }

    /// Runs `cases` random programs of `wordsPerCase` instructions, each for at most `budget`
    /// instructions.
    public func run(cases: Int, wordsPerCase: Int = 32, budget: Int = 256) -> RobustnessStatistics {
        var statistics = RobustnessStatistics()
        for _ in 0..<cases {
            prepare(words: wordsPerCase)
            statistics.words += wordsPerCase
            let before = cpu.instructionsRetired
            var remaining = budget
            var lastExit = "budget"
            while remaining > 0 {
                let start = cpu.instructionsRetired
                let exit = cpu.run(maxInstructions: remaining)
                // A run that retires nothing (a sleeping WFI, say) still uses up budget.
                remaining -= max(1, Int(cpu.instructionsRetired - start))
                counter.counter &+= 7
                switch exit {
                case .budgetExhausted: lastExit = "budget"
                case .firmwareCallHandled: lastExit = "firmware call"  // no handler is set here
                case .firmwareCall:
                    lastExit = "firmware call"
                    if generator.chance(30) {
                        cpu.injectUndefinedAtFirmwareCall()
                    } else {
                        cpu.setRegister(0, generator.value())
                    }
                case .waitForInterrupt:
                    lastExit = "WFI"
                    if generator.chance(50) { cpu.setIRQ(true) }
                case .waitForEvent:
                    lastExit = "WFE"
                    cpu.signalEvent()
                case .sendEvent: lastExit = "SEV"
                case .exitRequested: lastExit = "exit request"
                case .hostDebugStop: lastExit = "host debug stop"  // no host debugger here
                }
            }
            statistics.cases += 1
            statistics.instructions += cpu.instructionsRetired - before
            statistics.exits[lastExit, default: 0] += 1
        }
        return statistics
    }

    // MARK: - Random state

    /// Writes random code, vectors and tables, and sets random CPU state.
    private func prepare(words: Int) {
        cpu.setIRQ(false)
        cpu.setFIQ(false)
        // Code: a random place in the code area; half the time the vector table is random
        // words too, in the code area.
        let codePage = Self.codeArea + generator.below(Self.codePages) * 0x1000
        let entry = codePage + generator.below(1024 - UInt64(words)) * 4
        writeWords(at: entry, count: words)
        let vbar: UInt64
        if generator.chance(70) {
            vbar = Self.codeArea + generator.below(Self.codePages) * 0x1000 + (generator.chance(50) ? 0 : 0x800)
            writeWords(at: vbar, count: 512)
        } else {
            vbar = generator.value()
        }
        writeTables()

        cpu.reset(entry: entry)
        for n in 0..<31 { cpu.setRegister(n, pointerOrValue()) }
        cpu.stackPointerEL0 = pointerOrValue()
        cpu.stackPointerEL1 = pointerOrValue()
        typealias R = SystemRegisterEncoding
        cpu.setSystemRegister(R.VBAR_EL1, vbar)
        cpu.setSystemRegister(R.MAIR_EL1, generator.chance(50) ? 0x44FF_0400 : generator.next())
        cpu.setSystemRegister(R.TCR_EL1, randomTCR())
        let asid0 = generator.below(0x10000) << 48
        let asid1 = generator.below(0x10000) << 48
        cpu.setSystemRegister(R.TTBR0_EL1, asid0 | tablePointer())
        cpu.setSystemRegister(R.TTBR1_EL1, asid1 | tablePointer())
        var sctlr = cpu.systemRegister(R.SCTLR_EL1)!
        if generator.chance(70) { sctlr |= 1 }  // M
        sctlr ^= generator.next() & 0x040D_D3BE  // any writable control bit, M aside
        cpu.setSystemRegister(R.SCTLR_EL1, sctlr)
        cpu.setSystemRegister(R.CNTKCTL_EL1, generator.next())
        cpu.setSystemRegister(R.CNTV_CTL_EL0, generator.below(4))
        cpu.setSystemRegister(R.CNTV_CVAL_EL0, counter.counter &+ generator.below(512))
        let modes: [UInt64] = [0, 4, 5, 5, 5, generator.below(32)]
        cpu.setPSTATE(generator.below(16) << 28 | generator.below(16) << 6 | modes[Int(generator.below(6))])
        if generator.chance(10) { cpu.setIRQ(true) }
        if generator.chance(5) { cpu.setFIQ(true) }
    }

    /// Random words: uniformly random half the time, otherwise biased to the system space
    /// (MSR/MRS/SYS), loads and stores, branches and exception generation, where the state
    /// changes that matter to the host happen.
    private func writeWords(at address: UInt64, count: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 * count)
        for _ in 0..<count {
            let random = UInt32(truncatingIfNeeded: generator.next())
            let word: UInt32
            switch generator.below(10) {
            case 0, 1: word = 0xD500_0000 | random & 0x003F_FFFF  // system
            case 2: word = 0xD400_0000 | random & 0x001F_FFFF  // exception generation
            case 3: word = 0xD600_0000 | random & 0x01FF_FFFF  // branch (register), ERET
            case 4, 5: word = 0x0800_0000 | random & 0xF1FF_FFFF  // loads and stores
            default: word = random
            }
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        _ = memory.write(bytes, at: address)
    }

    /// Fills the table area with a mix of descriptors: tables pointing into the area, blocks and
    /// pages pointing at RAM, the device or nowhere, and random bits.
    private func writeTables() {
        var bytes = [UInt8](repeating: 0, count: Int(Self.tablePages * 4096))
        bytes.withUnsafeMutableBytes { raw in
            let entries = raw.bindMemory(to: UInt64.self)
            for index in 0..<entries.count where generator.chance(40) {
                let attributes = generator.next() & 0xFFF0_0000_0000_0FFC
                let descriptor: UInt64
                switch generator.below(6) {
                case 0, 1: descriptor = tablePointer() | 3 | (generator.chance(20) ? generator.next() & 0xF800_0000_0000_0000 : 0)
                case 2: descriptor = (Self.ramBase + generator.below(Self.ramSize)) & ~0xFFF | attributes | 3
                case 3: descriptor = (Self.ramBase + generator.below(4) << 21) | attributes | 1
                case 4: descriptor = Self.device | attributes | (generator.chance(50) ? 3 : 1)
                default: descriptor = generator.next()
                }
                entries[index] = descriptor
            }
        }
        _ = memory.write(bytes, at: Self.tableArea)
    }

    private func tablePointer() -> UInt64 {
        generator.chance(95) ? Self.tableArea + generator.below(Self.tablePages) * 0x1000 : generator.next() & 0xFFFF_FFFF_F000
    }

    /// TCR_EL1: usually a plausible configuration, sometimes every field random.
    private func randomTCR() -> UInt64 {
        if generator.chance(20) { return generator.next() }
        let t0sz = generator.chance(70) ? 16 + generator.below(24) : generator.below(64)
        let t1sz = generator.chance(70) ? 16 + generator.below(24) : generator.below(64)
        let tg0 = generator.below(4)
        let tg1 = generator.below(4)
        let ips = generator.below(8)
        let epd = generator.below(4)  // EPD0, EPD1
        return t0sz | (epd & 1) << 7 | tg0 << 14 | t1sz << 16 | (epd >> 1) << 23 | tg1 << 30 | ips << 32
            | generator.below(2) << 36 | generator.below(4) << 37  // AS, TBI0/TBI1
    }

    /// A register value: often a pointer into RAM, the tables, the code or the device.
    private func pointerOrValue() -> UInt64 {
        switch generator.below(8) {
        case 0, 1: return Self.ramBase + generator.below(Self.ramSize)
        case 2: return Self.tableArea + generator.below(Self.tablePages * 4096)
        case 3: return Self.device + generator.below(0x1000)
        case 4: return Self.codeArea + generator.below(Self.codePages * 4096)
        default: return generator.value()
        }
    }
}
