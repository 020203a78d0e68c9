import AArch64
import CUnicorn
import Foundation

/// One differential test: a short instruction sequence and the register state it starts from.
public struct TestCase: Sendable, CustomStringConvertible {
    public var words: [UInt32]
    public var x: [UInt64]
    public var sp: UInt64
    /// NZCV in bits 31:28.
    public var nzcv: UInt64
    /// Whether the sequence may write memory (so the data region must be compared).
    public var writesMemory: Bool
    /// V0-V31 as 64 halves (V<n> low, high), FPCR and FPSR, for SIMD&FP cases: set in both CPUs
    /// and compared afterwards. Nil for the integer classes, which leave them alone.
    public var vectors: [UInt64]? = nil
    public var fpcr: UInt64 = 0
    public var fpsr: UInt64 = 0

    public var description: String {
        let code = words.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
        let registers = x.enumerated().map { "x\($0.offset)=0x\(String($0.element, radix: 16))" }.joined(separator: " ")
        var text = "[\(code)] sp=0x\(String(sp, radix: 16)) nzcv=0x\(String(nzcv >> 28, radix: 16)) \(registers)"
        if let vectors {
            text += " fpcr=0x\(String(fpcr, radix: 16)) fpsr=0x\(String(fpsr, radix: 16))"
            for n in 0..<32 { text += " v\(n)=0x\(Self.hex128(vectors[2 * n], vectors[2 * n + 1]))" }
        }
        return text
    }

    static func hex128(_ low: UInt64, _ high: UInt64) -> String {
        func pad(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return pad(high) + pad(low)
    }
}

/// A difference between Conduit and Unicorn after one test case.
public struct Mismatch: Error, CustomStringConvertible {
    public let testCase: TestCase
    public let differences: [String]

    public var description: String {
        "mismatch for \(testCase):\n  " + differences.joined(separator: "\n  ")
    }
}

/// Runs test cases on Conduit's interpreter and on Unicorn from identical state, and compares
/// every general register, SP, PC, NZCV, the exception raised (if any) and the memory the
/// instructions may have written.
///
/// Both CPUs run at EL1 with the MMU on and one identity-mapped 1 GiB block of Normal
/// write-back memory, so unaligned accesses are allowed where the architecture allows them.
/// (With the MMU off every data access is Device memory, where Conduit faults unaligned accesses
/// as the ARM ARM requires and QEMU 5, under Unicorn, does not.)
public final class DifferentialHarness {
    public static let ramBase: UInt64 = 0x4000_0000
    public static let ramSize = 0x10_0000
    static let pageTable: UInt64 = 0x4000_8000
    static let vectors: UInt64 = 0x4000_C000
    /// Test code ends here: the last instruction sits in the last slot of a page, so Conduit's
    /// block ends right after it.
    public static let codeEnd: UInt64 = 0x4000_2000
    /// Loads and stores are aimed into this region.
    public static let dataBase: UInt64 = 0x4002_0000
    public static let dataSize = 0x2_0000

    /// MAIR_EL1: attribute 0 is Normal, inner and outer write-back.
    static let mair: UInt64 = 0xFF
    /// TCR_EL1: 39-bit VA for TTBR0 with a 4 KiB granule and write-back walks, TTBR1 disabled
    /// (with its granule field set to 4 KiB: QEMU 5 faults every walk when TG1 holds the
    /// reserved value 0), 40-bit IPA.
    static let tcr: UInt64 = 25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 2 << 30 | 2 << 32
    /// Level 1 block descriptor for 0x4000_0000: AF, inner shareable, AP = EL1 read/write.
    static let blockDescriptor: UInt64 = 0x4000_0000 | 1 << 10 | 3 << 8 | 1
    /// HVC #0xEEEE fills the vector table, so Conduit stops right after taking an exception.
    static let vectorFill: UInt32 = 0xD400_0002 | 0xEEEE << 5

    let memory = PhysicalMemory()
    let conduit: AArch64CPU
    /// Where Unicorn's copy of the data region is read for comparison.
    private let unicornData = UnsafeMutableRawBufferPointer.allocate(byteCount: dataSize, alignment: 16)
    let unicorn: UnicornCPU
    private final class Counter: CounterSource { var counter: UInt64 = 0 }

    /// A harness whose Conduit CPU has `features` and runs with `engine` (the translator
    /// translating every block at its first run); Unicorn runs its Cortex-A57 model, or its
    /// "max" model when the features include LSE.
    public init(features: CPUFeatures, engine: ExecutionEngine = .interpreter) throws {
        let lse = features.lse
        try memory.addRAM(base: Self.ramBase, size: UInt64(Self.ramSize))
        conduit = AArch64CPU(memory: memory, features: features, counter: Counter())
        conduit.engine = engine
        conduit.translatorSettings.threshold = 0
        unicorn = try UnicornCPU(lse: lse)
        try unicorn.map(Self.ramBase, size: Self.ramSize)

        var vectorBytes: [UInt8] = []
        for _ in 0..<(0x800 / 4) { vectorBytes += Self.bytes(Self.vectorFill) }
        try writeBoth(vectorBytes, at: Self.vectors)
        try writeBoth(Self.bytes64(Self.blockDescriptor), at: Self.pageTable + 8)

        typealias R = SystemRegisterEncoding
        let sctlr = (conduit.systemRegister(R.SCTLR_EL1) ?? 0) | 1 | 1 << 2 | 1 << 12
        for (encoding, value) in [(R.MAIR_EL1, Self.mair), (R.TCR_EL1, Self.tcr), (R.TTBR0_EL1, Self.pageTable),
                                  (R.VBAR_EL1, Self.vectors), (R.SCTLR_EL1, sctlr)] {
            conduit.setSystemRegister(encoding, value)
            let f = SystemRegisterEncoding.fields(encoding)
            unicorn.setSystemRegister(op0: UInt32(f.op0), op1: UInt32(f.op1), crn: UInt32(f.crn), crm: UInt32(f.crm), op2: UInt32(f.op2),
                                      value: encoding == R.SCTLR_EL1 ? (unicorn.systemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 0) | 1 | 1 << 2 | 1 << 12) : value)
        }
        // CPACR_EL1.FPEN = 0b11: SIMD&FP enabled at EL0 and EL1 (Unicorn ignores CPACR_EL1 and
        // never traps).
        conduit.setSystemRegister(R.CPACR_EL1, 3 << 20)
    }

    deinit { unicornData.deallocate() }

    static func bytes(_ word: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    static func bytes64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }

    func writeBoth(_ bytes: [UInt8], at address: UInt64) throws {
        precondition(memory.write(bytes, at: address))
        try unicorn.write(bytes, at: address)
    }

    /// Fills the data region with the same pseudo-random bytes in both.
    public func randomizeData<G: RandomNumberGenerator>(using generator: inout G) throws {
        var bytes = [UInt8](repeating: 0, count: Self.dataSize)
        for index in stride(from: 0, to: bytes.count, by: 8) {
            let word = generator.next()
            for byte in 0..<8 { bytes[index + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte))) }
        }
        try writeBoth(bytes, at: Self.dataBase)
    }

    /// The start address of a sequence of `count` instructions.
    public static func start(of count: Int) -> UInt64 { codeEnd - 4 * UInt64(count) }

    /// Runs `testCase` on both CPUs and returns the differences, if any.
    public func run(_ testCase: TestCase) throws -> Mismatch? {
        let start = Self.start(of: testCase.words.count)
        // Restore what a stray store may have changed, then place the code.
        try writeBoth(Self.bytes64(Self.blockDescriptor), at: Self.pageTable + 8)
        try writeBoth(testCase.words.flatMap(Self.bytes), at: start)
        try unicorn.invalidateCode(start, size: UInt64(4 * testCase.words.count))

        // The previous case may have moved PSTATE.SP or DAIF.
        conduit.setSystemRegister(SystemRegisterEncoding.SPSel, 1)
        unicorn.setSystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 0, value: 1)
        conduit.setSystemRegister(SystemRegisterEncoding.DAIF, 0x3C0)
        unicorn.setSystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 1, value: 0x3C0)
        for n in 0..<31 {
            conduit.setRegister(n, testCase.x[n])
            unicorn.setX(n, testCase.x[n])
        }
        conduit.sp = testCase.sp
        unicorn.sp = testCase.sp
        conduit.flags = testCase.nzcv
        unicorn.nzcv = testCase.nzcv
        if let vectors = testCase.vectors {
            for n in 0..<32 {
                conduit.setVector(n, low: vectors[2 * n], high: vectors[2 * n + 1])
                unicorn.setVector(n, low: vectors[2 * n], high: vectors[2 * n + 1])
            }
            conduit.fpcr = testCase.fpcr
            unicorn.fpcr = testCase.fpcr
            conduit.fpsr = testCase.fpsr
            unicorn.fpsr = testCase.fpsr
        }
        conduit.setPC(start)
        unicorn.pc = start
        // Conduit took an exception if ELR_EL1 no longer holds this marker.
        conduit.setSystemRegister(SystemRegisterEncoding.ELR_EL1, Self.elrMarker)

        // Conduit: stop after the sequence (the page ends there) or after the exception handler's
        // first instruction (an HVC).
        let conduitExit = conduit.run(maxInstructions: testCase.words.count)
        let unicornError = unicorn.run(from: start, count: testCase.words.count)

        var differences: [String] = []
        let conduitException = exceptionClass(conduitExit)
        var unicornException = Self.exceptionClass(interrupt: unicorn.lastInterrupt, error: unicornError)
        // Unicorn counts instructions by starting the next one: after a branch to an address it
        // cannot fetch, it reports that fetch's fault. The branch itself completed if its PC
        // agrees with Conduit's.
        if unicornException == Self.fetchFault, conduitException == nil, unicorn.pc == conduit.pc,
            unicorn.pc != start || testCase.words.count > 1
        {
            unicornException = nil
        }
        if conduitException != unicornException {
            differences.append("exception: conduit \(Self.describe(conduitException)), unicorn \(Self.describe(unicornException))")
        }
        for n in 0..<31 where conduit.register(n) != unicorn.x(n) {
            differences.append("x\(n): conduit 0x\(String(conduit.register(n), radix: 16)), unicorn 0x\(String(unicorn.x(n), radix: 16))")
        }
        if conduitException == nil && unicornException == nil {
            if conduit.sp != unicorn.sp {
                differences.append("sp: conduit 0x\(String(conduit.sp, radix: 16)), unicorn 0x\(String(unicorn.sp, radix: 16))")
            }
            if conduit.pc != unicorn.pc {
                differences.append("pc: conduit 0x\(String(conduit.pc, radix: 16)), unicorn 0x\(String(unicorn.pc, radix: 16))")
            }
        }
        if conduit.flags != unicorn.nzcv & 0xF000_0000 {
            differences.append("nzcv: conduit 0x\(String(conduit.flags >> 28, radix: 16)), unicorn 0x\(String(unicorn.nzcv >> 28, radix: 16))")
        }
        let unicornDAIF = unicorn.register(UC_ARM64_REG_PSTATE) >> 6 & 0xF
        if conduitException == nil && unicornException == nil && UInt64(conduit.daif) != unicornDAIF {
            differences.append("DAIF: conduit 0x\(String(conduit.daif, radix: 16)), unicorn 0x\(String(unicornDAIF, radix: 16))")
        }
        if testCase.vectors != nil {
            for n in 0..<32 {
                let mine = conduit.vector(n)
                let theirs = unicorn.vector(n)
                if mine != theirs {
                    differences.append("v\(n): conduit 0x\(TestCase.hex128(mine.low, mine.high)), unicorn 0x\(TestCase.hex128(theirs.low, theirs.high))")
                }
            }
            // Unicorn keeps FPCR's AArch32-only Len and Stride and FPSR's NZCV; this CPU has no AArch32.
            let theirFPCR = unicorn.fpcr & FloatingPointControl.writable
            if conduit.fpcr != theirFPCR {
                differences.append("fpcr: conduit 0x\(String(conduit.fpcr, radix: 16)), unicorn 0x\(String(theirFPCR, radix: 16))")
            }
            let theirFPSR = unicorn.fpsr & FloatingPointStatus.writable
            if conduit.fpsr != theirFPSR {
                differences.append("fpsr: conduit 0x\(String(conduit.fpsr, radix: 16)), unicorn 0x\(String(theirFPSR, radix: 16))")
            }
        }
        for (encoding, name) in Self.comparedSystemRegisters {
            let f = SystemRegisterEncoding.fields(encoding)
            let theirs = unicorn.systemRegister(op0: UInt32(f.op0), op1: UInt32(f.op1), crn: UInt32(f.crn), crm: UInt32(f.crm), op2: UInt32(f.op2))
            let mine = conduit.systemRegister(encoding) ?? 0
            if mine != theirs {
                differences.append("\(name): conduit 0x\(String(mine, radix: 16)), unicorn 0x\(String(theirs, radix: 16))")
            }
        }
        if testCase.writesMemory {
            // Compare without copying on Conduit's side: its RAM is host memory.
            try unicorn.read(into: unicornData, at: Self.dataBase)
            let region = memory.ramRegion(containing: Self.dataBase)!
            let conduitData = UnsafeRawPointer(region.host + Int(Self.dataBase - region.base))
            if memcmp(conduitData, unicornData.baseAddress!, Self.dataSize) != 0 {
                let mine = memory.read(count: Self.dataSize, at: Self.dataBase)!
                let theirs = try unicorn.read(count: Self.dataSize, at: Self.dataBase)
                let first = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }!.offset
                let window = first & ~7
                func hex(_ bytes: [UInt8]) -> String {
                    bytes[window..<min(window + 8, bytes.count)].reversed().map { String(format: "%02x", $0) }.joined()
                }
                differences.append("memory at 0x\(String(Self.dataBase + UInt64(first), radix: 16)): "
                    + "conduit 0x\(hex(mine)), unicorn 0x\(hex(theirs)) (8 bytes at 0x\(String(Self.dataBase + UInt64(window), radix: 16)))")
                try writeBoth(mine, at: Self.dataBase)
            }
        }
        return differences.isEmpty ? nil : Mismatch(testCase: testCase, differences: differences)
    }

    /// System registers the system class writes, compared after every case.
    static let comparedSystemRegisters: [(UInt16, String)] = [
        (SystemRegisterEncoding.TPIDR_EL0, "TPIDR_EL0"), (SystemRegisterEncoding.TPIDRRO_EL0, "TPIDRRO_EL0"),
        (SystemRegisterEncoding.TPIDR_EL1, "TPIDR_EL1"),
    ]

    /// An ELR_EL1 value no exception from the test code can produce.
    static let elrMarker: UInt64 = 0xDEAD_0000_0000_0000

    /// The exception class Conduit took, from ESR_EL1, if its PC ended in the vector table; or
    /// 0x16 for a firmware-call exit (which Unicorn reports as EXCP_HVC/EXCP_SMC).
    func exceptionClass(_ exit: CPUExit) -> UInt32? {
        let tookException = conduit.systemRegister(SystemRegisterEncoding.ELR_EL1) != Self.elrMarker
        if case .firmwareCall = exit, !tookException { return 0x16 }
        guard tookException else { return nil }
        let ec = UInt32(truncatingIfNeeded: (conduit.systemRegister(SystemRegisterEncoding.ESR_EL1) ?? 0) >> 26)
        // Unicorn does not tell lower/same-EL aborts apart, nor alignment from other aborts.
        switch ec {
        case 0x20, 0x21: return Self.fetchFault
        case 0x24, 0x25: return 0x25
        default: return ec
        }
    }

    /// An instruction abort, as Unicorn reports it (it cannot tell a translation fault from
    /// fetching unmapped memory).
    static let fetchFault: UInt32 = 0x21

    /// The exception class matching Unicorn's report.
    static func exceptionClass(interrupt: UInt32?, error: uc_err) -> UInt32? {
        if let interrupt {
            switch interrupt {
            case 1: return 0x00  // EXCP_UDEF
            case 2: return 0x15  // EXCP_SWI
            case 3: return fetchFault  // EXCP_PREFETCH_ABORT
            case 4: return 0x25  // EXCP_DATA_ABORT
            case 7: return 0x3C  // EXCP_BKPT
            case 11, 13: return 0x16  // EXCP_HVC, EXCP_SMC: Conduit's firmware-call exit
            default: return 0x100 + interrupt
            }
        }
        switch error {
        case UC_ERR_OK: return nil
        case UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_UNMAPPED: return 0x25  // external abort
        case UC_ERR_FETCH_UNMAPPED: return fetchFault
        default: return 0x200 + UInt32(error.rawValue)
        }
    }

    static func describe(_ ec: UInt32?) -> String {
        guard let ec else { return "none" }
        return "EC 0x" + String(ec, radix: 16)
    }
}
