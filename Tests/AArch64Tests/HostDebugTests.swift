import AArch64
import Testing

/// The host debugger's controls (`HostDebug.swift`): they stop the vCPU for the host and leave
/// the guest none the wiser: no exception, no change to its memory or debug registers.
@Suite struct HostDebugTests {
    static let finished: UInt16 = 0x77

    /// The address of instruction `index` (from 0) of a TestMachine program.
    static func address(ofInstruction index: Int) -> UInt64 { TestMachine.ramBase + UInt64(index) * 4 }

    @Test func breakpointStopsBeforeTheInstruction() throws {
        let m = try TestMachine("""
            mov x1, #1
            mov x2, #2
            mov x3, #3
            hvc #\(Self.finished)
            """)
        let target = Self.address(ofInstruction: 1)
        #expect(m.cpu.insertHostBreakpoint(at: target))
        #expect(m.run() == .hostDebugStop(.breakpoint(address: target, hardware: false)))
        #expect(m.cpu.pc == target)
        #expect(m[1] == 1 && m[2] == 0)
        // Removed, the run goes on from there to the end.
        #expect(m.cpu.removeHostBreakpoint(at: target))
        #expect(!m.cpu.removeHostBreakpoint(at: target))
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.finished))
        #expect(m[2] == 2 && m[3] == 3)
    }

    @Test func hardwareBreakpointIsReportedAsOne() throws {
        let m = try TestMachine("""
            mov x1, #1
            hvc #\(Self.finished)
            """)
        m.cpu.insertHostBreakpoint(at: TestMachine.ramBase, hardware: true)
        #expect(m.run() == .hostDebugStop(.breakpoint(address: TestMachine.ramBase, hardware: true)))
        #expect(m[1] == 0)
    }

    /// A step runs one instruction; a pending IRQ is not taken first, so the step does not land
    /// in the vector (QEMU's gdbstub steps with interrupts masked the same way).
    @Test func stepRunsOneInstructionWithoutTakingAnInterrupt() throws {
        let m = try TestMachine(withVectors: """
            msr daifclr, #2
            mov x1, #1
            mov x2, #2
            hvc #\(Self.finished)
            """)
        // Up to the MOV X1: stop there with a breakpoint, then raise IRQ and step.
        var steps = 0
        while m[1] == 0 && steps < 64 {
            m.cpu.requestHostStep()
            #expect(m.run() == .hostDebugStop(.stepped))
            steps += 1
        }
        #expect(m[1] == 1 && m[2] == 0)
        m.cpu.setIRQ(true)
        m.cpu.requestHostStep()
        #expect(m.run() == .hostDebugStop(.stepped))
        #expect(m[2] == 2)
        // Without a step the IRQ is taken (vector 5: current EL, SP_ELx, IRQ).
        #expect(m.run() == .firmwareCall(.hvc, immediate: 5))
    }

    /// A watchpoint stops before the access: the PC at the store, memory unchanged, and the
    /// guest's own fault registers untouched.
    @Test func writeWatchpointStopsBeforeTheStore() throws {
        let data = TestMachine.ramBase + 0x8000
        let m = try TestMachine("""
            ldr x1, =\(data)
            ldr x2, [x1]
            mov x3, #0x55
            str x3, [x1]
            hvc #\(Self.finished)
            """)
        m.write64(0x1234, at: data)
        let watch = HostWatchpoint(address: data + 4, length: 4, kind: .write)
        #expect(m.cpu.insertHostWatchpoint(watch))
        #expect(!m.cpu.insertHostWatchpoint(watch))
        #expect(m.run() == .hostDebugStop(.watchpoint(.write, address: data + 4)))
        #expect(m.cpu.pc == Self.address(ofInstruction: 3))
        #expect(m[2] == 0x1234)  // the load was not stopped: a write watchpoint
        #expect(m.read64(data) == 0x1234)
        #expect(m.cpu.systemRegister(SystemRegisterEncoding.ESR_EL1) == 0)
        #expect(m.cpu.removeHostWatchpoint(watch))
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.finished))
        #expect(m.read64(data) == 0x55)
    }

    /// A watchpoint hit by the slice's last instruction is left for the machine to collect
    /// (`takePendingHostStop`), and the instruction that did not execute does not count.
    @Test func watchpointAtTheEndOfASliceIsKeptAndNotCounted() throws {
        let data = TestMachine.ramBase + 0x8000
        let m = try TestMachine("""
            ldr x1, =\(data)
            str x1, [x1]
            hvc #\(Self.finished)
            """)
        m.cpu.insertHostWatchpoint(HostWatchpoint(address: data, length: 8, kind: .write))
        #expect(m.cpu.run(maxInstructions: 2) == .budgetExhausted)
        #expect(m.cpu.instructionsRetired == 1)  // the LDR; the STR did not execute
        #expect(m.cpu.takePendingHostStop() == .watchpoint(.write, address: data))
        #expect(m.cpu.takePendingHostStop() == nil)
        #expect(m.cpu.pc == Self.address(ofInstruction: 1))
    }

    @Test func readWatchpointStopsTheLoad() throws {
        let data = TestMachine.ramBase + 0x8000
        let m = try TestMachine("""
            ldr x1, =\(data)
            ldr x2, [x1]
            hvc #\(Self.finished)
            """)
        m.write64(7, at: data)
        m.cpu.insertHostWatchpoint(HostWatchpoint(address: data, length: 8, kind: .read))
        #expect(m.run() == .hostDebugStop(.watchpoint(.read, address: data)))
        #expect(m[2] == 0)
        m.cpu.clearHostDebug()
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.finished))
        #expect(m[2] == 7)
    }

    /// A CPU reset (CPU_ON) keeps the host's breakpoints.
    @Test func breakpointsSurviveAReset() throws {
        let m = try TestMachine("""
            mov x1, #1
            hvc #\(Self.finished)
            """)
        m.cpu.insertHostBreakpoint(at: TestMachine.ramBase)
        m.cpu.reset(entry: TestMachine.ramBase)
        #expect(m.run() == .hostDebugStop(.breakpoint(address: TestMachine.ramBase, hardware: false)))
    }

    /// The debugger's view of memory: through the translation, with no TLB fill and no fault.
    @Test func debugReadAndWriteGoThroughTheTranslation() throws {
        let m = try TestMachine("hvc #\(Self.finished)")
        let tables = PageTables(m)
        let va: UInt64 = 0x1_0000_0000
        tables.identityMapRAM()
        tables.mapPage(va, to: TestMachine.ramBase + 0x9000)
        tables.enable()
        m.write64(0x0807_0605_0403_0201, at: TestMachine.ramBase + 0x9000)
        #expect(m.cpu.debugTranslate(va + 8) == TestMachine.ramBase + 0x9008)
        #expect(m.cpu.debugRead(va, count: 4) == [1, 2, 3, 4])
        #expect(m.cpu.debugWrite([0xAA], at: va + 1))
        #expect(m.read64(TestMachine.ramBase + 0x9000) == 0x0807_0605_0403_AA01)
        // The next page is not mapped: a read stops there, a write that reaches it writes nothing.
        #expect(m.cpu.debugRead(va + 0xFFE, count: 4) == [0, 0])
        #expect(!m.cpu.debugWrite([1, 2, 3, 4], at: va + 0xFFE))
        #expect(m.cpu.debugRead(va + 0x1000, count: 4) == nil)
        #expect(m.cpu.systemRegister(SystemRegisterEncoding.FAR_EL1) == 0)
    }
}
