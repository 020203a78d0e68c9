import AArch64
import Testing

/// The self-hosted debug architecture (DDI0487 D2): breakpoints, watchpoints and software step,
/// with their syndromes (D24.2.40: EC 0x30-0x35, {I,D}FSC 0b100010 "debug exception").
@Suite struct SelfHostedDebugTests {
    static let currentELSync = ExceptionTests.currentELSync
    static let lowerELSync = ExceptionTests.lowerELSync
    /// The `HVC` that ends a test which should not have taken a debug exception.
    static let finished: UInt16 = 0x77

    /// Clears the OS lock (set at reset) and sets MDSCR_EL1 to `mdscr`.
    static func unlock(mdscr: UInt64) -> String {
        """
        msr oslar_el1, xzr
        ldr x0, =\(mdscr)
        msr mdscr_el1, x0
        isb

        """
    }

    static let kde: UInt64 = 1 << 13
    static let mde: UInt64 = 1 << 15
    static let ss: UInt64 = 1 << 0
    /// DBGBCR: BAS = 0b1111, PMC = EL1 only, enabled.
    static let breakpointAtEL1: UInt64 = 0xF << 5 | 0b01 << 1 | 1

    @Test func breakpointAtEL1FiresBeforeTheInstruction() throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.kde | Self.mde) + """
            adr x1, target
            msr dbgbvr0_el1, x1
            ldr x0, =\(Self.breakpointAtEL1)
            msr dbgbcr0_el1, x0
            isb
            msr daifclr, #8
            nop
            target: mov x2, #1
            hvc #\(Self.finished)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0xC600_0022)  // EC 0x31, IL, IFSC "debug exception"
        #expect(m.elr == m[1])
        #expect(m[2] == 0)  // not executed
        #expect(m.spsr & 0x200 == 0)  // taken with PSTATE.D clear
    }

    /// PSTATE.D masks debug exceptions at EL1, and so does the OS lock that is set at reset.
    @Test(arguments: [true, false])
    func breakpointMaskedByPSTATEDOrTheOSLock(osLock: Bool) throws {
        let m = try TestMachine(withVectors: (osLock ? "" : Self.unlock(mdscr: Self.kde | Self.mde)) + """
            ldr x0, =\(Self.kde | Self.mde)
            msr mdscr_el1, x0
            adr x1, target
            msr dbgbvr0_el1, x1
            ldr x0, =\(Self.breakpointAtEL1)
            msr dbgbcr0_el1, x0
            isb
            \(osLock ? "msr daifclr, #8" : "")
            target: mov x2, #1
            hvc #\(Self.finished)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.finished))
        #expect(m[2] == 1)
    }

    /// A context ID breakpoint (BT = 0b0010, on a context-aware breakpoint) at EL0, where
    /// debug exceptions need neither KDE nor PSTATE.D clear.
    @Test func contextIDBreakpointAtEL0() throws {
        let control: UInt64 = 0b0010 << 20 | 0b10 << 1 | 1
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.mde) + """
            mov x0, #0x42
            msr contextidr_el1, x0
            msr dbgbvr4_el1, x0
            ldr x0, =\(control)
            msr dbgbcr4_el1, x0
            isb

            """ + ExceptionTests.toEL0 + """
            mov x2, #1
            svc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0xC200_0022)  // EC 0x30: from the lower EL
        #expect(m[2] == 0)
    }

    @Test func watchpointOnAStoreReportsTheByteAndLeavesMemoryAlone() throws {
        let control: UInt64 = 0xFF << 5 | 0b10 << 3 | 0b01 << 1 | 1
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.kde | Self.mde) + """
            ldr x1, =0x40200000
            str xzr, [x1]              // the page is in the fast TLB before the watchpoint is set
            msr dbgwvr0_el1, x1
            ldr x0, =\(control)
            msr dbgwcr0_el1, x0        // BAS: 8 bytes; LSC: stores; PAC: EL1
            isb
            msr daifclr, #8
            ldr x4, [x1]               // a load: not watched
            mov x5, #0x55
            adr x6, 1f
            1: strb w5, [x1, #3]
            hvc #\(Self.finished)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0xD600_0062)  // EC 0x35, IL, WnR, DFSC "debug exception"
        #expect(m.far == 0x4020_0003)
        #expect(m.elr == m[6])
        #expect(m.read64(0x4020_0000) == 0)
    }

    @Test func watchpointWithAddressMaskCoversTheBlock() throws {
        let control: UInt64 = 12 << 24 | 0xFF << 5 | 0b11 << 3 | 0b11 << 1 | 1
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.kde | Self.mde) + """
            ldr x1, =0x40200000
            msr dbgwvr1_el1, x1
            ldr x0, =\(control)
            msr dbgwcr1_el1, x0        // MASK 12: the 4 KiB block; loads and stores; EL0 and EL1
            isb
            msr daifclr, #8
            ldr x4, [x1, #0xFF8]
            hvc #\(Self.finished)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0xD600_0022)  // a read: WnR clear
        #expect(m.far == 0x4020_0FF8)
    }

    /// ERET with SPSR_EL1.SS = 1 runs one instruction, then the Software Step exception is taken
    /// from EL0 with ISV set; the saved PSTATE.SS is 0.
    @Test func softwareStepOfOneEL0Instruction() throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.ss) + """
            adr x7, second
            adr x0, el0
            msr elr_el1, x0
            ldr x0, =\(1 << 21)
            msr spsr_el1, x0
            eret
            el0: mov x2, #1
            second: mov x3, #1
            svc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0xCB00_0022)  // EC 0x32, IL, ISV, EX = 0
        #expect(m[2] == 1 && m[3] == 0)
        #expect(m.elr == m[7])
        #expect(m.spsr == 0)
    }

    @Test func steppedLoadExclusiveSetsEX() throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.ss) + """
            ldr x0, =0x40100000
            msr sp_el0, x0
            adr x0, el0
            msr elr_el1, x0
            ldr x0, =\(1 << 21)
            msr spsr_el1, x0
            eret
            el0: ldxr x2, [sp]
            svc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0xCB00_0062)  // EX
    }

    /// SPSR_EL1.SS = 0 returns in the active-pending state: the exception comes before any
    /// instruction, with ISV clear.
    @Test func activePendingStepsNothing() throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.ss) + """
            adr x0, el0
            msr elr_el1, x0
            msr spsr_el1, xzr
            eret
            el0: mov x2, #1
            svc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.esr == 0xCA00_0022)
        #expect(m[2] == 0)
    }

    /// A stepped SVC completes before its exception, so SPSR_EL1.SS is 0 (the step exception
    /// follows the return); a stepped load that faults did not complete, so SS stays 1.
    @Test(arguments: [true, false])
    func stepOfAnExceptionGeneratingOrFaultingInstruction(svc: Bool) throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.ss) + """
            mov x2, #0x10              // no memory there: a synchronous external abort
            adr x0, el0
            msr elr_el1, x0
            ldr x0, =\(1 << 21)
            msr spsr_el1, x0
            eret
            el0: \(svc ? "svc #5" : "ldr x3, [x2]")
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerELSync))
        #expect(m.exceptionClass == (svc ? 0x15 : 0x24))
        #expect(m.spsr == (svc ? 0 : 1 << 21))
    }

    /// kvm-unit-tests' debug "ss" case: with KDE and SS set at EL1 and PSTATE.SS clear,
    /// unmasking PSTATE.D makes the next instruction take the Software Step exception at once.
    @Test func unmaskingDebugAtEL1WithSSPendsAStep() throws {
        let m = try TestMachine(withVectors: Self.unlock(mdscr: Self.kde | Self.ss) + """
            msr daifclr, #8
            target: mov x2, #1
            hvc #\(Self.finished)
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.currentELSync))
        #expect(m.esr == 0xCE00_0022)  // EC 0x33, ISV clear
        #expect(m[2] == 0)
    }

    @Test func idRegisterCountsTheComparators() throws {
        let m = TestMachine()
        let dfr0 = m.cpu.systemRegister(SystemRegisterEncoding.ID_AA64DFR0_EL1)!
        #expect((dfr0 >> 12) & 0xF == 5)  // 6 breakpoints
        #expect((dfr0 >> 20) & 0xF == 3)  // 4 watchpoints
        #expect((dfr0 >> 28) & 0xF == 1)  // 2 context-aware
    }
}
