import AArch64
import Testing

/// The Performance Monitors Extension (DDI0487 D11, PMUv3 for ARMv8.0): identity, counting by
/// exception level, the cycle counter, EL0 access control, MEM_ACCESS, and an overflow interrupt
/// request raised when the counter wraps.
@Suite struct PerformanceMonitorsTests {
    typealias R = SystemRegisterEncoding
    static let lowerELSync = ExceptionTests.lowerELSync

    static func evcntr(_ n: UInt32) -> UInt16 { A64Decoder.systemRegisterEncoding(op0: 3, op1: 3, crn: 14, crm: 8 + n / 8, op2: n % 8) }
    static let pmccntr = A64Decoder.systemRegisterEncoding(op0: 3, op1: 3, crn: 9, crm: 13, op2: 0)
    static let pmovsset = A64Decoder.systemRegisterEncoding(op0: 3, op1: 3, crn: 9, crm: 14, op2: 3)
    static let pmcr = A64Decoder.systemRegisterEncoding(op0: 3, op1: 3, crn: 9, crm: 12, op2: 0)

    @Test func identityRegisters() throws {
        let m = try TestMachine("""
            mrs x1, pmcr_el0
            mrs x2, pmceid0_el0
            mrs x3, pmceid1_el0
            mrs x4, id_aa64dfr0_el1
            mov x0, #0x7f
            msr pmcr_el0, x0
            mrs x5, pmcr_el0
            hvc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m[1] == 0x4101_3000)  // IMP 'A', IDCODE 1 (Cortex-A57), N = 6
        // SW_INCR, INST_RETIRED, EXC_TAKEN, EXC_RETURN, CPU_CYCLES, MEM_ACCESS, CHAIN; BR_RETIRED.
        #expect(m[2] == 1 << 0 | 1 << 8 | 1 << 9 | 1 << 10 | 1 << 0x11 | 1 << 0x13 | 1 << 0x1E)
        #expect(m[3] == 1 << (0x21 - 32))  // BR_RETIRED
        #expect((m[4] >> 8) & 0xF == 1)  // PMUVer: PMUv3
        #expect(m[5] == 0x4101_3000 | 0x79)  // P and C are write-only, LP (bit 7) is RES0
    }

    /// Six counters split INST_RETIRED by exception level, and count the exception and its
    /// return, over: 2 instructions and the 6 that go to EL0 at EL1, 5 NOPs and the SVC at EL0,
    /// and the vector's 4 MRS and HVC back at EL1.
    @Test func countsInstructionsAndExceptionsByLevel() throws {
        let m = try TestMachine(withVectors: """
            ldr x0, =0x08
            msr pmevtyper0_el0, x0
            ldr x0, =0x40000008
            msr pmevtyper1_el0, x0
            ldr x0, =0x80000008
            msr pmevtyper2_el0, x0
            ldr x0, =0x09
            msr pmevtyper3_el0, x0
            ldr x0, =0x0A
            msr pmevtyper4_el0, x0
            ldr x0, =0x8000001F
            msr pmcntenset_el0, x0
            mov x0, #1
            msr pmcr_el0, x0
            mov x1, #1
            mov x2, #2

            """ + ExceptionTests.toEL0 + """
            nop
            nop
            nop
            nop
            nop
            svc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        let cpu = m.cpu
        #expect(cpu.systemRegister(Self.evcntr(0)) == 19)
        #expect(cpu.systemRegister(Self.evcntr(1)) == 13)  // EL1 only
        #expect(cpu.systemRegister(Self.evcntr(2)) == 6)  // EL0 only
        #expect(cpu.systemRegister(Self.evcntr(3)) == 1)  // EXC_TAKEN
        #expect(cpu.systemRegister(Self.evcntr(4)) == 1)  // EXC_RETURN
        #expect(cpu.systemRegister(Self.pmccntr) == 19)  // one cycle per instruction
    }

    /// PMCR_EL0.D: the cycle counter counts every 64th cycle; P and C reset the counters.
    @Test func cycleDividerAndResets() throws {
        let m = try TestMachine("""
            ldr x0, =0x80000001
            msr pmcntenset_el0, x0
            mov x0, #0x11
            msr pmevtyper0_el0, x0
            mov x0, #0x9
            msr pmcr_el0, x0
            mov x1, #200
            1: subs x1, x1, #1
            b.ne 1b
            msr pmcr_el0, xzr
            mrs x2, pmccntr_el0
            mrs x3, pmevcntr0_el0
            mov x0, #0x6
            msr pmcr_el0, x0
            mrs x4, pmccntr_el0
            mrs x5, pmevcntr0_el0
            hvc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        // 1 MOV, 400 loop instructions and the disabling MSR: 402 cycles.
        #expect(m[3] == 402)
        #expect(m[2] == 402 / 64)
        #expect(m[4] == 0)
        #expect(m[5] == 0)
    }

    /// PMUSERENR_EL0: with EN clear EL0's PMCCNTR_EL0 read traps (EC 0x18, the MRS's ISS); CR
    /// lets it read; PMUSERENR_EL0 itself is read-only at EL0 and PMINTENSET_EL1 is EL1's.
    @Test(arguments: [0, 4] as [UInt64])
    func el0AccessControl(userEnable: UInt64) throws {
        let m = try TestMachine(withVectors: """
            mov x0, #\(userEnable)
            msr pmuserenr_el0, x0

            """ + ExceptionTests.toEL0 + """
            mrs x1, pmccntr_el0
            mrs x2, pmuserenr_el0
            msr pmuserenr_el0, xzr
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        if userEnable == 0 {
            let iss: UInt64 = 3 << 20 | 3 << 14 | 9 << 10 | 1 << 5 | 13 << 1 | 1
            #expect(m.esr == 0x18 << 26 | 1 << 25 | iss)
        } else {
            #expect(m[2] == 4)
            #expect(m.exceptionClass == 0)  // the MSR is UNDEFINED
        }
        let el1Only = try TestMachine(withVectors: ExceptionTests.toEL0 + "mrs x1, pmintenset_el1\n")
        #expect(el1Only.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(el1Only.exceptionClass == 0)
    }

    /// MEM_ACCESS counts every load and store, although the page would be in the fast TLB: 10
    /// LDR/STR pairs and an LDP (two accesses).
    @Test func countsMemoryAccesses() throws {
        let m = try TestMachine("""
            ldr x5, =0x40200000
            ldr x0, [x5]
            mov x0, #0x13
            msr pmevtyper0_el0, x0
            mov x0, #1
            msr pmcntenset_el0, x0
            msr pmcr_el0, x0
            mov x1, #10
            1: ldr x2, [x5]
            str x2, [x5, #8]
            subs x1, x1, #1
            b.ne 1b
            ldp x3, x4, [x5]
            msr pmcr_el0, xzr
            mrs x6, pmevcntr0_el0
            hvc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m[6] == 22)
    }

    final class InterruptRecorder: PerformanceMonitorsObserver {
        var changes: [(level: Bool, retired: UInt64)] = []
        func performanceMonitorsInterruptChanged(_ cpu: AArch64CPU) {
            changes.append((cpu.performanceMonitorsInterrupt, cpu.instructionsRetired))
        }
    }

    /// An INST_RETIRED counter 100 instructions short of wrapping, with its interrupt enabled:
    /// the run stops at the overflow (within the block it falls in), the overflow flag is set and
    /// the interrupt request rises; clearing the flag lowers it.
    @Test func overflowRaisesTheInterruptOnTime() throws {
        let m = try TestMachine("""
            mov x0, #0x08
            msr pmevtyper0_el0, x0
            ldr x0, =0xFFFFFF9C
            msr pmevcntr0_el0, x0
            mov x0, #1
            msr pmintenset_el1, x0
            msr pmcntenset_el0, x0
            msr pmcr_el0, x0
            mov x1, #1000
            1: subs x1, x1, #1
            b.ne 1b
            hvc #0
            """)
        let recorder = InterruptRecorder()
        m.cpu.performanceMonitorsObserver = recorder
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        let enabledAt: UInt64 = 9  // the MSR that sets PMCR_EL0.E
        #expect(recorder.changes.count == 1)
        #expect(recorder.changes.first?.level == true)
        let late = (recorder.changes.first?.retired ?? 0) - enabledAt - 100
        #expect(late <= 2)  // the loop's block is two instructions long
        #expect(m.cpu.systemRegister(Self.pmovsset) == 1)
        m.cpu.setSystemRegister(A64Decoder.systemRegisterEncoding(op0: 3, op1: 3, crn: 9, crm: 12, op2: 3), 1)
        #expect(m.cpu.performanceMonitorsInterrupt == false)
        #expect(recorder.changes.count == 2)
    }

    /// BR_RETIRED counts branches taken or not: 50 B.NE (49 taken), a BL and its RET, a CBZ and
    /// a TBNZ not taken, a BR; and once the counter is disabled, branches decode as before.
    @Test func countsBranches() throws {
        let m = try TestMachine("""
            mov x0, #0x21
            msr pmevtyper0_el0, x0
            mov x0, #1
            msr pmcntenset_el0, x0
            msr pmcr_el0, x0
            mov x1, #50
            1: subs x1, x1, #1
            b.ne 1b
            bl f
            cbz x0, 2f
            tbnz x1, #3, 2f
            adr x2, 2f
            br x2
            2: msr pmcr_el0, xzr
            mrs x3, pmevcntr0_el0
            msr pmcntenclr_el0, x0
            mov x1, #3
            3: subs x1, x1, #1
            b.ne 3b
            hvc #0
            f: ret
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m[3] == 55)
        #expect(m[1] == 0)
    }

    /// SW_INCR on a chained pair: counter 0 wraps and counter 1 (CHAIN) counts the carry.
    @Test func softwareIncrementChains() throws {
        let m = try TestMachine("""
            msr pmevtyper0_el0, xzr
            mov x0, #0x1E
            msr pmevtyper1_el0, x0
            ldr x0, =0xFFFFFFFE
            msr pmevcntr0_el0, x0
            mov x0, #3
            msr pmcntenset_el0, x0
            mov x0, #1
            msr pmcr_el0, x0
            msr pmswinc_el0, x0
            msr pmswinc_el0, x0
            msr pmswinc_el0, x0
            mrs x1, pmevcntr0_el0
            mrs x2, pmevcntr1_el0
            mrs x3, pmovsclr_el0
            mov x0, #31
            msr pmselr_el0, x0
            ldr x0, =0xC00003FF
            msr pmxevtyper_el0, x0
            mrs x4, pmccfiltr_el0
            hvc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m[1] == 1)
        #expect(m[2] == 1)
        #expect(m[3] == 1)
        #expect(m[4] == 0xC000_0000)  // PMSELR_EL0.SEL 31 is PMCCFILTR_EL0: filters only
    }
}
