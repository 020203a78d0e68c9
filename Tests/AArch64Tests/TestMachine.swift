import AArch64
import Foundation
import TestSupport

/// A counter the test advances by hand.
final class ManualCounter: CounterSource {
    var counter: UInt64 = 0
}

/// One CPU on 16 MiB of RAM at 0x4000_0000, for directed tests.
///
/// With `CONDUIT_TEST_ENGINE=translator` in the environment, every CPU runs the translator
/// engine translating each block at its first run (scripts/test.sh runs the suite both ways).
final class TestMachine {
    static let engine = ProcessInfo.processInfo.environment["CONDUIT_TEST_ENGINE"].flatMap(ExecutionEngine.init(rawValue:)) ?? .interpreter

    static func configure(_ cpu: AArch64CPU) {
        cpu.engine = engine
        cpu.translatorSettings.threshold = 0
    }

    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize: UInt64 = 16 << 20
    let memory = PhysicalMemory()
    let counter = ManualCounter()
    let cpu: AArch64CPU

    init(features: CPUFeatures = .all) {
        try! memory.addRAM(base: Self.ramBase, size: Self.ramSize)
        cpu = AArch64CPU(memory: memory, features: features, counter: counter)
        Self.configure(cpu)
        cpu.reset(entry: Self.ramBase)
    }

    /// Loads `source` at the start of RAM and resets the CPU there.
    convenience init(_ source: String, features: CPUFeatures = .all) throws {
        self.init(features: features)
        let code = try Assembler.assemble(source, base: Self.ramBase)
        precondition(memory.write(code, at: Self.ramBase))
    }

    /// Loads `source` after a prologue that installs a vector table whose every entry copies
    /// ESR_EL1, FAR_EL1, ELR_EL1 and SPSR_EL1 to X20-X23 and stops with `HVC #n`, n being the
    /// entry (0-3: current EL with SP_EL0, 4-7: current EL with SP_ELx, 8-11: lower EL AArch64;
    /// synchronous, IRQ, FIQ, SError in each group). X9 is the prologue's scratch register.
    convenience init(withVectors source: String, features: CPUFeatures = .all) throws {
        var entries = ""
        for n in 0..<16 {
            entries += """
                .balign 0x80
                mrs x20, esr_el1
                mrs x21, far_el1
                mrs x22, elr_el1
                mrs x23, spsr_el1
                hvc #\(n)

                """
        }
        try self.init("""
            adr x9, vectors
            msr vbar_el1, x9
            b test
            .balign 2048
            vectors:
            \(entries)
            test:
            \(source)
            """, features: features)
    }

    /// Adds another vCPU on the same memory, running `source` assembled at `address`, with the
    /// first vCPU's translation regime (so both see the same page tables).
    func addCPU(_ source: String, at address: UInt64) throws -> AArch64CPU {
        typealias R = SystemRegisterEncoding
        let code = try Assembler.assemble(source, base: address)
        precondition(memory.write(code, at: address))
        let other = AArch64CPU(index: 1, memory: memory, features: cpu.features, counter: counter)
        Self.configure(other)
        other.reset(entry: address)
        for register in [R.MAIR_EL1, R.TCR_EL1, R.TTBR0_EL1, R.SCTLR_EL1] {
            other.setSystemRegister(register, cpu.systemRegister(register)!)
        }
        return other
    }

    /// Runs `target` (the first vCPU if nil) until an exit other than the budget, or until
    /// `limit` instructions.
    @discardableResult
    func run(_ target: AArch64CPU? = nil, limit: Int = 1_000_000) -> CPUExit {
        let cpu = target ?? self.cpu
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

    /// ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1 as the vector saved them.
    var esr: UInt64 { self[20] }
    var far: UInt64 { self[21] }
    var elr: UInt64 { self[22] }
    var spsr: UInt64 { self[23] }
    /// ESR_EL1.EC.
    var exceptionClass: UInt64 { esr >> 26 }
    /// ESR_EL1.ISS.{I,D}FSC.
    var faultStatus: UInt64 { esr & 0x3F }

    func read64(_ address: UInt64) -> UInt64 { memory.readValue(at: address, size: 8)! }
    func write64(_ value: UInt64, at address: UInt64) { memory.writeValue(value, at: address, size: 8) }
}

/// Builds stage 1 translation tables (4 KiB granule, 48-bit VA, starting at level 0) in the test
/// machine's RAM.
final class PageTables {
    let machine: TestMachine
    let root: UInt64
    private var next: UInt64

    /// Descriptor bits.
    static let valid: UInt64 = 1
    static let table: UInt64 = 2
    static let page: UInt64 = 3  // valid + "page" at level 3
    static let accessFlag: UInt64 = 1 << 10
    static let innerShareable: UInt64 = 3 << 8
    static let el0Access: UInt64 = 1 << 6  // AP[1]
    static let readOnly: UInt64 = 1 << 7  // AP[2]
    static let notGlobal: UInt64 = 1 << 11
    static let pxn: UInt64 = 1 << 53
    static let uxn: UInt64 = 1 << 54
    /// AttrIndx 0: Normal write-back (MAIR 0xFF); AttrIndx 1: Device-nGnRnE (MAIR 0x00).
    static let normal: UInt64 = 0 << 2
    static let device: UInt64 = 1 << 2
    static let mair: UInt64 = 0x00FF

    /// Tables live from `area` upwards.
    init(_ machine: TestMachine, area: UInt64 = 0x4080_0000) {
        self.machine = machine
        root = area
        next = area + 0x1000
    }

    private func allocate() -> UInt64 {
        defer { next += 0x1000 }
        return next
    }

    /// The table at `level` that covers `va`, creating tables on the way.
    func tableAddress(for va: UInt64, level: Int) -> UInt64 {
        var table = root
        for current in 0..<level {
            let index = (va >> UInt64(39 - 9 * current)) & 0x1FF
            let entryAddress = table + index * 8
            let entry = machine.read64(entryAddress)
            if entry & 3 == 3 {
                table = entry & 0x0000_FFFF_FFFF_F000
            } else {
                let newTable = allocate()
                machine.write64(newTable | 3, at: entryAddress)
                table = newTable
            }
        }
        return table
    }

    /// Writes `descriptor` as the entry for `va` at `level` (a 4 KiB page at level 3, a 2 MiB
    /// block at level 2, a 1 GiB block at level 1).
    func set(_ va: UInt64, level: Int, descriptor: UInt64) {
        let table = tableAddress(for: va, level: level)
        let index = (va >> UInt64(39 - 9 * level)) & 0x1FF
        machine.write64(descriptor, at: table + index * 8)
    }

    /// Maps a 4 KiB page.
    func mapPage(_ va: UInt64, to pa: UInt64, attributes: UInt64 = accessFlag | innerShareable) {
        set(va, level: 3, descriptor: pa | attributes | Self.page)
    }

    /// Maps a 2 MiB block.
    func mapBlock(_ va: UInt64, to pa: UInt64, attributes: UInt64 = accessFlag | innerShareable) {
        set(va, level: 2, descriptor: pa | attributes | Self.valid)
    }

    /// Identity-maps all of the test machine's RAM as 2 MiB blocks of EL1 read/write memory.
    func identityMapRAM() {
        var address = TestMachine.ramBase
        while address < TestMachine.ramBase + TestMachine.ramSize {
            mapBlock(address, to: address)
            address += 0x20_0000
        }
    }

    /// Turns the MMU on: MAIR, TCR (48-bit VA, 4 KiB, TTBR1 disabled, 40-bit PA), TTBR0 with
    /// `asid`, SCTLR.M.
    func enable(asid: UInt64 = 0) {
        typealias R = SystemRegisterEncoding
        let cpu = machine.cpu
        cpu.setSystemRegister(R.MAIR_EL1, Self.mair)
        cpu.setSystemRegister(R.TCR_EL1, 16 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 2 << 30 | 2 << 32 | 1 << 36)
        cpu.setSystemRegister(R.TTBR0_EL1, root | asid << 48)
        cpu.setSystemRegister(R.SCTLR_EL1, cpu.systemRegister(R.SCTLR_EL1)! | 1)
    }
}
