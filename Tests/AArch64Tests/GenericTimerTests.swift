import AArch64
import Testing

/// The generic timer's EL0/EL1 view (DDI0487 D11): counts, compare and timer values, the
/// condition, the interrupt outputs the machine wires to the GIC, and EL0 access controls.
@Suite struct GenericTimerTests {
    typealias R = SystemRegisterEncoding

    @Test func countersReadTheMachinesCount() throws {
        let m = try TestMachine("mrs x0, cntvct_el0\nmrs x1, cntpct_el0\nmrs x2, cntfrq_el0\nhvc #100")
        m.counter.counter = 123_456
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 123_456)
        #expect(m[1] == 123_456)
        #expect(m[2] == m.cpu.systemRegister(R.CNTFRQ_EL0))
    }

    /// TVAL writes set CVAL = count + SignExtend(TVAL); TVAL reads (CVAL - count)[31:0].
    @Test func timerValueIsRelativeToTheCount() throws {
        let m = try TestMachine("""
            msr cntv_tval_el0, x1
            mrs x2, cntv_cval_el0
            hvc #1
            mrs x3, cntv_tval_el0
            hvc #2
            mrs x4, cntv_tval_el0
            hvc #3
            """)
        m.counter.counter = 1000
        m.cpu.setRegister(1, 100)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[2] == 1100)
        m.counter.counter = 1050
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[3] == 50)
        m.counter.counter = 1200
        #expect(m.run() == .firmwareCall(.hvc, immediate: 3))
        #expect(m[4] == 0xFFFF_FF9C)  // -100 in 32 bits
    }

    @Test func negativeTimerValueSignExtends() throws {
        let m = try TestMachine("msr cntp_tval_el0, x1\nmrs x2, cntp_cval_el0\nhvc #100")
        m.counter.counter = 1000
        m.cpu.setRegister(1, 0xFFFF_FFFF)  // -1
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[2] == 999)
    }

    @Test func conditionStatusAndInterruptOutput() throws {
        let m = try TestMachine("""
            msr cntv_cval_el0, x1
            msr cntv_ctl_el0, x2
            mrs x3, cntv_ctl_el0
            hvc #1
            mrs x3, cntv_ctl_el0
            hvc #2
            mov x2, #3                  // ENABLE | IMASK
            msr cntv_ctl_el0, x2
            mrs x3, cntv_ctl_el0
            hvc #3
            """)
        m.counter.counter = 10
        m.cpu.setRegister(1, 20)
        m.cpu.setRegister(2, 1)  // ENABLE
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[3] == 1)  // not yet
        #expect(m.cpu.virtualTimerInterrupt == false)
        #expect(m.cpu.nextTimerDeadline == 20)
        m.counter.counter = 20
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[3] == 5)  // ISTATUS | ENABLE
        #expect(m.cpu.virtualTimerInterrupt == true)
        #expect(m.cpu.physicalTimerInterrupt == false)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 3))
        #expect(m[3] == 7)  // the condition holds, the output is masked
        #expect(m.cpu.virtualTimerInterrupt == false)
        #expect(m.cpu.nextTimerDeadline == nil)
    }

    /// CNTKCTL_EL1 decides what EL0 may touch; the rest traps to EL1 with EC 0x18.
    static let el0Cases: [(String, UInt64, Bool)] = [
        ("mrs x0, cntvct_el0", 0, false),
        ("mrs x0, cntvct_el0", 0b10, true),  // EL0VCTEN
        ("mrs x0, cntpct_el0", 0b10, false),
        ("mrs x0, cntpct_el0", 0b01, true),  // EL0PCTEN
        ("mrs x0, cntfrq_el0", 0b01, true),
        ("mrs x0, cntv_ctl_el0", 0b10, false),
        ("mrs x0, cntv_ctl_el0", 0x100, true),  // EL0VTEN
        ("msr cntp_cval_el0, x0", 0x100, false),
        ("msr cntp_cval_el0, x0", 0x200, true),  // EL0PTEN
    ]

    @Test(arguments: el0Cases)
    func el0AccessFollowsCNTKCTL(instruction: String, control: UInt64, allowed: Bool) throws {
        let m = try TestMachine(withVectors: "msr cntkctl_el1, x5\n" + ExceptionTests.toEL0 + instruction + "\nsvc #0")
        m.cpu.setRegister(5, control)
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.lowerELSync))
        #expect(m.exceptionClass == (allowed ? 0x15 : 0x18))
    }
}
