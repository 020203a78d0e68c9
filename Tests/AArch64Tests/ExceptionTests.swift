import AArch64
import Testing

/// Exception entry and return (DDI0487 D1.10, D1.11), syndromes (D24.2.40), vectors.
@Suite struct ExceptionTests {
    /// Vector numbers of `TestMachine(withVectors:)`.
    static let currentELSP0Sync: UInt16 = 0
    static let currentELSync: UInt16 = 4
    static let currentELIRQ: UInt16 = 5
    static let currentELFIQ: UInt16 = 6
    static let lowerELSync: UInt16 = 8

    /// Drops to EL0 at `el0` with SP_EL0 = 0x4010_0000 and DAIF clear.
    static let toEL0 = """
        ldr x0, =0x40100000
        msr sp_el0, x0
        adr x0, el0
        msr elr_el1, x0
        msr spsr_el1, xzr
        eret
        el0:

        """

    @Test func svcFromEL1() throws {
        let m = try TestMachine(withVectors: """
            movz x0, #1
            adr x1, 1f
            1: svc #0x1234
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0x5600_1234)  // EC 0x15, IL, imm16
        #expect(m.elr == m[1] + 4)  // SVC returns to the next instruction
        #expect(m.spsr == 0x3C5)  // EL1h, DAIF masked, NZCV clear
        #expect(m.cpu.el == 1 && m.cpu.daif == 0xF)
    }

    @Test func svcFromEL0AndBack() throws {
        let m = try TestMachine(withVectors: Self.toEL0 + """
            mov x2, sp
            mrs x3, nzcv
            adr x1, 1f
            1: svc #7
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0x5600_0007)
        #expect(m.elr == m[1] + 4)
        #expect(m.spsr == 0)  // EL0t, nothing masked
        #expect(m[2] == 0x4010_0000)  // SP_EL0 at EL0
        #expect(m.cpu.stackPointerEL0 == 0x4010_0000)
        #expect(m.cpu.el == 1 && m.cpu.spSelect)
    }

    @Test func eretRestoresPSTATE() throws {
        let m = try TestMachine(withVectors: """
            adr x0, 1f
            msr elr_el1, x0
            mov x0, #0xF0000000        // NZCV all set
            orr x0, x0, #0x4           // EL1t: SP_EL0
            msr spsr_el1, x0
            ldr x0, =0x40200000
            msr sp_el0, x0
            eret
            1: mov x1, sp
            mrs x2, nzcv
            mrs x3, spsel
            mrs x4, daif
            hvc #100
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[1] == 0x4020_0000)
        #expect(m[2] == 0xF000_0000)
        #expect(m[3] == 0)
        #expect(m[4] == 0)
    }

    @Test func illegalExceptionReturn() throws {
        // SPSR.M = EL2h: EL2 is not implemented, so the return is illegal: EL stays 1, PSTATE.IL
        // is set, and the next instruction takes an Illegal Execution State exception.
        let m = try TestMachine(withVectors: """
            adr x0, 1f
            msr elr_el1, x0
            mov x0, #0x9
            msr spsr_el1, x0
            eret
            1: nop
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.exceptionClass == 0x0E)
        #expect(m.esr == 0x3A00_0000)
        #expect(m.spsr & (1 << 20) != 0)  // IL was set when the exception was taken
        #expect(m.spsr & 0xF == 0x5)  // still EL1h
    }

    @Test func brkReturnsToItself() throws {
        let m = try TestMachine(withVectors: """
            adr x1, 1f
            1: brk #0xBEEF
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0xF200_BEEF)  // EC 0x3C
        #expect(m.elr == m[1])
    }

    @Test(arguments: [
        ("udf #0", "permanently undefined"),
        // UNDEFINED takes priority over the CPACR_EL1.FPEN trap (these machines leave FP disabled).
        (".word 0x1EE22820", "FADD h0, h1, h2: half-precision arithmetic (FEAT_FP16) is not implemented"),
        (".word 0x6E828420", "SQRDMLAH v0.4s, v1.4s, v2.4s: FEAT_RDM is not implemented"),
        (".word 0x1E660020", "FMOV (general) from D to a W register: sf = 0 with ftype = 01 is reserved"),
        ("hlt #0", "halting debug is not enabled"),
        (".word 0x9AC01C00", "an unallocated 2-source encoding (opcode 7)"),
        ("ldlar x0, [x1]", "LORegions are not implemented"),
    ])
    func undefinedInstructions(instruction: String, why: String) throws {
        let m = try TestMachine(withVectors: """
            adr x1, 1f
            1: \(instruction)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync), "\(why)")
        #expect(m.esr == 0x0200_0000, "\(why)")  // EC 0, IL 1
        #expect(m.elr == m[1], "\(why)")
    }

    @Test(arguments: ["hvc #0", "smc #0"])
    func firmwareCallsAreUndefinedAtEL0(instruction: String) throws {
        let m = try TestMachine(withVectors: Self.toEL0 + """
            adr x1, 1f
            1: \(instruction)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0x0200_0000)
        #expect(m.elr == m[1])
    }

    @Test func firmwareCallsExitAtEL1WithThePCPastThem() throws {
        let m = try TestMachine("""
            adr x1, 1f
            1: hvc #0x42
            adr x2, 2f
            2: smc #7
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0x42))
        #expect(m.cpu.pc == m[1] + 4)
        #expect(m.run() == .firmwareCall(.smc, immediate: 7))
        #expect(m.cpu.pc == m[2] + 4)
    }

    @Test func injectedUndefinedReturnsToTheFirmwareCall() throws {
        let m = try TestMachine(withVectors: """
            adr x1, 1f
            1: smc #0
            """)
        #expect(m.run() == .firmwareCall(.smc, immediate: 0))
        m.cpu.injectUndefinedAtFirmwareCall()
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0x0200_0000)
        #expect(m.elr == m[1])
    }

    @Test func irqIsTakenWhenUnmaskedAndNotWhenMasked() throws {
        let m = try TestMachine(withVectors: """
            adr x1, 1f
            1: b 1b
            """)
        #expect(m.run(limit: 1000) == .budgetExhausted)
        m.cpu.setIRQ(true)
        #expect(m.run(limit: 1000) == .budgetExhausted)  // DAIF.I is set at reset
        m.cpu.setSystemRegister(SystemRegisterEncoding.DAIF, 0x3C0 & ~0x80)
        #expect(m.run(limit: 1000) == .firmwareCall(.hvc, immediate: Self.currentELIRQ))
        #expect(m.elr == m[1])  // the interrupted instruction
        #expect(m.spsr == 0x345)  // I was clear, D, A, F set
        #expect(m.cpu.daif == 0xF)
    }

    @Test func fiqIsTaken() throws {
        let m = try TestMachine(withVectors: """
            msr daifclr, #1
            1: b 1b
            """)
        m.cpu.setFIQ(true)
        #expect(m.run(limit: 1000) == .firmwareCall(.hvc, immediate: Self.currentELFIQ))
    }

    @Test func wfiSleepsUnlessAnInterruptIsPending() throws {
        let m = try TestMachine("""
            adr x1, 1f
            1: wfi
            adr x2, 2f
            2: wfi
            hvc #1
            """)
        #expect(m.run() == .waitForInterrupt)
        #expect(m.cpu.pc == m[1] + 4)
        m.cpu.setIRQ(true)  // masked, but still wakes WFI (DDI0487 D1.16.2)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
    }

    @Test func wfeAndEvents() throws {
        let m = try TestMachine("""
            sevl
            wfe
            wfe
            hvc #1
            """)
        #expect(m.run() == .waitForEvent)  // SEVL set the event register; the second WFE sleeps
        m.cpu.signalEvent()
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
    }

    @Test func pcAlignmentFault() throws {
        let m = try TestMachine(withVectors: """
            ldr x0, =0x40000402
            br x0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.exceptionClass == 0x22)
        #expect(m.far == 0x4000_0402)
        #expect(m.elr == 0x4000_0402)
    }

    @Test func spAlignmentFault() throws {
        // SCTLR_EL1.SA is set at reset: a load based on a misaligned SP faults. QEMU (and so
        // Unicorn) does not implement this check; DDI0487 D1.9.2 requires it.
        let m = try TestMachine(withVectors: """
            ldr x0, =0x40100008
            mov sp, x0
            adr x1, 1f
            1: ldr x2, [sp]
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0x9A00_0000)  // EC 0x26, IL
        #expect(m.elr == m[1])
    }

    @Test func el0CannotReachEL1Registers() throws {
        let m = try TestMachine(withVectors: Self.toEL0 + """
            adr x1, 1f
            1: mrs x0, sctlr_el1
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0x0200_0000)
        #expect(m.elr == m[1])
    }

    @Test func el0CacheTypeAccessIsTrappedUnlessSCTLRUCT() throws {
        let m = try TestMachine(withVectors: Self.toEL0 + "mrs x5, ctr_el0\nhvc #0")
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        // EC 0x18; ISS: Op0 3, Op2 1, Op1 3, CRn 0, Rt 5, CRm 0, direction read.
        #expect(m.esr == 0x6232_C0A1)
        let allowed = try TestMachine(withVectors: """
            mrs x0, sctlr_el1
            orr x0, x0, #0x8000
            msr sctlr_el1, x0

            """ + Self.toEL0 + "mrs x5, ctr_el0\nsvc #0")
        #expect(allowed.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(allowed[5] == 0x8444_C004)
    }

    @Test func el0InterruptMaskingIsTrappedUnlessSCTLRUMA() throws {
        let m = try TestMachine(withVectors: Self.toEL0 + "msr daifset, #2\nsvc #0")
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.exceptionClass == 0x18)
    }

    @Test func el0WFIIsTrappedWhenSCTLRnTWIIsClear() throws {
        let m = try TestMachine(withVectors: """
            mrs x0, sctlr_el1
            bic x0, x0, #0x10000
            msr sctlr_el1, x0

            """ + Self.toEL0 + "adr x1, 1f\n1: wfi")
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0x07E0_0000)  // EC 0x01, IL, CV, COND 0xE, TI 0 (WFI)
        #expect(m.elr == m[1])
    }

    @Test func el0DCZVAIsTrappedUnlessSCTLRDZE() throws {
        let m = try TestMachine(withVectors: Self.toEL0 + "ldr x0, =0x40300000\ndc zva, x0\nsvc #0")
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.exceptionClass == 0x18)
    }

    @Test func spEL0IsUndefinedWhileSPSelIsZero() throws {
        let m = try TestMachine(withVectors: """
            msr spsel, #0
            adr x1, 1f
            1: mrs x0, sp_el0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSP0Sync))
        #expect(m.esr == 0x0200_0000)
    }
}
