import AArch64
import Testing

/// CPACR_EL1.FPEN (DDI0487 D13.2.30) and the SIMD&FP access trap (EC 0x07, D24.2.40): Linux
/// enables FP once per CPU and relies on the trap for nothing else, but a guest that leaves FPEN
/// clear must see every SIMD&FP instruction and FPCR/FPSR access trap, at EL1 and EL0 alike.
@Suite struct FloatingPointAccessTests {
    /// ESR_EL1 of the trap: EC 0x07, IL, CV = 1, COND = 0b1110.
    static let trapSyndrome: UInt64 = 0x07 << 26 | 1 << 25 | 1 << 24 | 0xE << 20

    @Test(arguments: ["ldr q0, [sp]", "str d1, [sp, #8]", "mrs x0, fpcr", "msr fpsr, xzr", "ld1 {v0.16b}, [sp]"])
    func trapsWhileFPENIsClear(_ instruction: String) throws {
        let m = try TestMachine(withVectors: """
            ldr x0, =0x40100000
            mov sp, x0
            adr x1, 1f
            1: \(instruction)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.currentELSync))
        #expect(m.esr == Self.trapSyndrome)
        #expect(m.elr == m[1])  // the trapped instruction, to be retried
    }

    @Test func fpenOneTrapsOnlyEL0() throws {
        let m = try TestMachine(withVectors: """
            mov x0, #0x100000
            msr cpacr_el1, x0
            ldr x0, =0x40100000
            mov sp, x0
            mov x2, #0x00c00000        // RMode = RZ
            msr fpcr, x2
            mrs x3, fpcr

            """ + ExceptionTests.toEL0 + """
            adr x1, 1f
            1: mrs x4, fpsr
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.lowerELSync))
        #expect(m[3] == 0x00C0_0000)
        #expect(m.esr == Self.trapSyndrome)
        #expect(m.elr == m[1])
    }

    @Test func fpcrAndFPSRKeepOnlyTheirDefinedBits() throws {
        let m = try TestMachine("""
            mov x0, #0x300000
            msr cpacr_el1, x0
            mov x1, #-1
            msr fpcr, x1
            msr fpsr, x1
            mrs x2, fpcr
            mrs x3, fpsr
            hvc #0
            """)
        m.run()
        // AHP, DN, FZ, RMode: the trap enables are RAZ/WI on a CPU that does not trap, FZ16 is
        // FEAT_FP16. QC and the six cumulative flags.
        #expect(m[2] == 0x07C0_0000)
        #expect(m[3] == 0x0800_009F)
    }

    @Test func idRegistersReportFPOnlyWhenImplemented() throws {
        let source = """
            mrs x0, id_aa64pfr0_el1
            hvc #0
            """
        let with = try TestMachine(source, features: CPUFeatures(floatingPoint: true))
        with.run()
        #expect((with[0] >> 16) & 0xFF == 0x00)  // FP and AdvSIMD implemented
        let without = try TestMachine(source, features: CPUFeatures(floatingPoint: false))
        without.run()
        #expect((without[0] >> 16) & 0xFF == 0xFF)
    }
}
