import AArch64
import Testing

/// Where Conduit deliberately differs from Unicorn (QEMU 5's CPU), each case with the ARM ARM
/// rule that decides it. The differential run leaves these inputs out (see
/// `InstructionClasses.swift`); here they are checked against the architecture instead.
@Suite struct UnicornDifferenceTests {
    static let data: UInt64 = 0x4030_0000

    /// A machine with the MMU on (Normal memory, so only the instruction's own alignment rule
    /// can fault) running `instruction` with X1 = the data address, then `HVC #100`.
    static func machine(_ instruction: String) throws -> TestMachine {
        let m = try TestMachine(withVectors: "\(instruction)\nhvc #100")
        let tables = PageTables(m)
        tables.identityMapRAM()
        tables.enable()
        m.cpu.setRegister(1, data)
        return m
    }

    /// LDSMAX/LDSMIN compare the memory value and the low bits of Xs as signed numbers of the
    /// access size (pseudocode MemAtomic with MemAtomicOp_SMAX/SMIN: both operands are
    /// SInt(...) of `datasize` bits). QEMU 5 zero-extends the memory value first, so for bytes,
    /// halfwords and words it treats negative memory values as large positive ones.
    @Test(arguments: [
        // (instruction, memory before, Xs, memory after, old value returned)
        ("ldsmaxb w2, w0, [x1]", UInt64(0x80), UInt64(0x01), UInt64(0x01), UInt64(0x80)),
        ("ldsminb w2, w0, [x1]", 0x80, 0x01, 0x80, 0x80),
        ("ldsmaxh w2, w0, [x1]", 0xFFFE, 0x7FFF, 0x7FFF, 0xFFFE),
        ("ldsminh w2, w0, [x1]", 0x0005, 0xFFFF, 0xFFFF, 0x0005),
        ("ldsmax w2, w0, [x1]", 0x8000_0000, 0x1, 0x1, 0x8000_0000),
        ("ldsmin w2, w0, [x1]", 0x1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0x1),
    ])
    func signedAtomicsCompareAtTheAccessSize(instruction: String, before: UInt64, operand: UInt64, after: UInt64, returned: UInt64) throws {
        let m = try Self.machine(instruction)
        m.write64(before, at: Self.data)
        m.cpu.setRegister(2, operand)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m.read64(Self.data) == after)
        #expect(m[0] == returned)
    }

    /// LDUMAX/LDUMIN use only the low `datasize` bits of Xs (the pseudocode reads X[s, datasize]).
    /// QEMU 5 compares all 64 bits of Xs against the memory value.
    @Test(arguments: [
        ("ldumaxb w2, w0, [x1]", UInt64(0x05), UInt64(0xFFFF_FF01), UInt64(0x05)),
        ("lduminb w2, w0, [x1]", 0x05, 0x103, 0x03),
        ("ldumaxh w2, w0, [x1]", 0x0500, 0x1_0001, 0x0500),
        ("ldumin w2, w0, [x1]", 0x10, 0xFFFF_FFFF_0000_0002, 0x02),
    ])
    func unsignedAtomicsUseTheLowBitsOfTheOperand(instruction: String, before: UInt64, operand: UInt64, after: UInt64) throws {
        let m = try Self.machine(instruction)
        m.write64(before, at: Self.data)
        m.cpu.setRegister(2, operand)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m.read64(Self.data) == after)
        #expect(m[0] == before)
    }

    /// Load-acquire and store-release must be aligned to their size in ARMv8.0 (without
    /// FEAT_LSE2), whatever the memory type: an alignment fault, DFSC 0x21 (DDI0487 B2.5.2).
    /// QEMU 5 performs them unaligned on Normal memory.
    @Test(arguments: ["ldar x0, [x1]", "stlr x0, [x1]", "ldarh w0, [x1]", "stlrh w0, [x1]"])
    func orderedAccessesMustBeAligned(instruction: String) throws {
        let m = try Self.machine(instruction)
        m.cpu.setRegister(1, Self.data + 1)
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.currentELSync))
        #expect(m.exceptionClass == 0x25)
        #expect(m.faultStatus == 0x21)
        #expect(m.far == Self.data + 1)
    }

    /// LDAPR is FEAT_LRCPC (ARMv8.3), which this CPU does not advertise (ID_AA64ISAR1_EL1.LRCPC
    /// = 0): its encoding is unallocated and UNDEFINED here. QEMU's "max" CPU implements it.
    @Test func ldaprIsUndefinedWithoutRCpc() throws {
        let m = try Self.machine(".inst 0xf8bfc020  // ldapr x0, [x1]")
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.currentELSync))
        #expect(m.exceptionClass == 0x00)
    }

    /// CONTEXTIDR_EL1 bits 63:32 are RES0 (DDI0487 D17.2.27); QEMU 5 keeps them.
    @Test func contextIDRUpperBitsAreRES0() throws {
        let m = try Self.machine("msr contextidr_el1, x2\nmrs x0, contextidr_el1")
        m.cpu.setRegister(2, ~0)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 0xFFFF_FFFF)
    }
}
