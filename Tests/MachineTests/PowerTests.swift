import AArch64
import Firmware
import Machine
import SMCCC
import Testing

/// PSCI wired to the machine's vCPUs: CPU_ON starts a secondary at its entry with the context ID
/// in X0, at EL1h with the MMU off; CPU_OFF stops it; SYSTEM_OFF and SYSTEM_RESET end or restart
/// the run (DEN0022F.b §5.1; QEMU's arm-powerctl for the reset state).
struct PowerTests {
    @Test func cpuOnStartsTheSecondaryAtItsEntryWithTheContextID() throws {
        let harness = try MachineHarness("""
            ldr x0, =PSCI_CPU_ON
            mov x1, #1                 // MPIDR affinity of vCPU 1
            adr x2, secondary
            ldr x3, =0x1234abcd
            hvc #0
            ldr x9, =SCRATCH
            str x0, [x9]               // CPU_ON's status
            wait:
            ldr x0, =PSCI_AFFINITY_INFO
            mov x1, #1
            mov x2, #0
            hvc #0
            cmp x0, #1                 // OFF
            b.ne wait
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            secondary:
            ldr x9, =SCRATCH
            str x0, [x9, #8]           // context ID
            mrs x1, CurrentEL
            str x1, [x9, #16]
            mrs x1, sctlr_el1
            str x1, [x9, #24]
            mrs x1, mpidr_el1
            str x1, [x9, #32]
            mrs x1, daif
            str x1, [x9, #40]
            ldr x0, =PSCI_CPU_OFF
            hvc #0
            b .                        // never reached
            """, configure: { $0.cpuCount = 2 })
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0)                 // SUCCESS
        #expect(harness.scratch(1) == 0x1234_ABCD)       // X0 = context_id
        #expect(harness.scratch(2) == 1 << 2)            // EL1
        #expect(harness.scratch(3) & 1 == 0)             // SCTLR_EL1.M: MMU off
        #expect(harness.scratch(4) == 0x8000_0001)       // MPIDR with RES1 bit 31
        #expect(harness.scratch(5) == 0xF << 6)          // DAIF masked
        #expect(harness.machine.power(of: 1) == .off)
    }

    @Test func aSecondCPUOnForTheSameTargetGetsAlreadyOn() throws {
        let harness = try MachineHarness("""
            ldr x9, =SCRATCH
            ldr x0, =PSCI_CPU_ON
            mov x1, #1
            adr x2, spin
            mov x3, #0
            hvc #0
            str x0, [x9]
            ldr x0, =PSCI_CPU_ON
            mov x1, #1
            adr x2, spin
            mov x3, #0
            hvc #0
            str x0, [x9, #8]
            ldr x0, =PSCI_CPU_ON
            mov x1, #0x77              // no such CPU
            adr x2, spin
            hvc #0
            str x0, [x9, #16]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            spin:
            wfi
            b spin
            """, configure: { $0.cpuCount = 2 })
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0)
        #expect(harness.scratch(1) == PSCIReturn.alreadyOn.registerValue)
        #expect(harness.scratch(2) == PSCIReturn.invalidParameters.registerValue)
    }

    @Test func systemResetEndsTheRunUnderNoReboot() throws {
        let harness = try MachineHarness("""
            ldr x0, =PSCI_SYSTEM_RESET
            hvc #0
            b .
            """, configure: { $0.rebootOnReset = false })
        #expect(harness.run() == .reset)
    }

    @Test func systemResetRestartsTheMachineAndReloadsTheImage() throws {
        // The image counts boots in its own data: a reload puts the count back to zero, so the
        // second boot sees 0 again unless RAM outside the image is used. SCRATCH survives.
        let harness = try MachineHarness("""
            ldr x9, =SCRATCH
            ldr x1, [x9]
            add x1, x1, #1
            str x1, [x9]
            cmp x1, #2
            b.eq off
            ldr x0, =PSCI_SYSTEM_RESET
            hvc #0
            off:
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 2)
        #expect(harness.machine.resets == 1)
    }

    @Test func systemResetPutsTheDevicesBackInTheirResetState() throws {
        // Each boot records what the GIC, the UART and the RTC read as on entry, then changes
        // them; after SYSTEM_RESET the second boot must read what the first did (a Linux guest
        // that left an SPI enabled and the UART's interrupts unmasked stalled on its second boot).
        let harness = try MachineHarness("""
            ldr x9, =SCRATCH
            ldr x10, [x9]               // boots so far
            add x11, x9, x10, lsl #6    // this boot's 64-byte record
            add x10, x10, #1
            str x10, [x9]
            ldr x1, =GICD
            ldr w2, [x1]                // GICD_CTLR
            str w2, [x11, #8]
            ldr w2, [x1, #0x104]        // GICD_ISENABLER1 (SPIs 32-63)
            str w2, [x11, #12]
            ldr x1, =GICR
            ldr w2, [x1, #0x14]         // GICR_WAKER
            str w2, [x11, #16]
            ldr x1, =UART
            ldr w2, [x1, #0x30]         // UARTCR
            str w2, [x11, #20]
            ldr w2, [x1, #0x38]         // UARTIMSC
            str w2, [x11, #24]
            ldr x1, =0x09010000
            ldr w2, [x1, #0x10]         // RTCIMSC
            str w2, [x11, #28]
            cmp x10, #2
            b.eq off
            ldr x1, =GICD
            mov w2, #3
            str w2, [x1]
            mov w2, #(1 << 1)           // SPI 33, the UART's
            str w2, [x1, #0x104]
            ldr x1, =GICR
            str wzr, [x1, #0x14]
            ldr x1, =UART
            ldr w2, =0x301
            str w2, [x1, #0x30]
            mov w2, #0x50
            str w2, [x1, #0x38]
            ldr x1, =0x09010000
            mov w2, #1
            str w2, [x1, #0x10]
            ldr x0, =PSCI_SYSTEM_RESET
            hvc #0
            off:
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.machine.resets == 1)
        for word in 2..<8 {
            #expect(harness.scratch32(word) == harness.scratch32(16 + word), "word \(word)")
        }
        #expect(harness.scratch32(16 + 5) == 0x300)  // UARTCR: TXE | RXE, UARTEN clear
        #expect(harness.scratch32(16 + 3) == 0)      // no SPI enabled
    }

    @Test func systemSuspendSleepsUntilAnInterruptThenResumesAtTheEntry() throws {
        // PSCI 1.3 §5.20: the caller resumes at entry_point with context_id in X0, as after
        // CPU_ON, once a wake-up event (here the virtual timer through GICv3) arrives.
        let harness = try MachineHarness("""
            route_virtual_timer_gicv3
            mov x2, #5000
            msr cntv_tval_el0, x2
            mov x2, #1
            msr cntv_ctl_el0, x2
            isb
            ldr x0, =0xC400000E          // SYSTEM_SUSPEND64
            adr x1, resumed
            ldr x2, =0xfeed
            hvc #0
            ldr x9, =SCRATCH
            str x0, [x9, #8]             // only if it returned: an error status
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            resumed:
            ldr x9, =SCRATCH
            str x0, [x9]
            mrs x1, cntvct_el0
            str x1, [x9, #16]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0xFEED)
        #expect(harness.scratch(1) == 0)             // never returned
        #expect(harness.scratch(2) >= 5000)          // woke once the timer fired
    }

    @Test func anExceptionLoopIsAGuestCrash() throws {
        // VBAR_EL1 = 0: nothing is mapped there, so every vector fetch faults again.
        let harness = try MachineHarness("""
            msr vbar_el1, xzr
            isb
            udf #0
            """)
        guard case .guestCrashed(let why) = harness.run() else {
            Issue.record("expected a crash")
            return
        }
        #expect(why.contains("exception loop"))
    }

    @Test func wfiWithNothingToWakeItHalts() throws {
        let harness = try MachineHarness("""
            wfi
            b .
            """)
        guard case .halted = harness.run() else {
            Issue.record("expected a halt")
            return
        }
    }

    @Test func aMachineIsFreedWithItsLastReference() throws {
        // CPUs, devices, the firmware world and the scheduler's closures must not keep each
        // other alive: a library user builds and drops machines.
        weak var plain: VirtMachine?
        weak var board: VirtMachine?
        weak var cpu: AArch64CPU?
        do {
            var configuration = MachineConfiguration()
            configuration.cpuCount = 4
            let first = try VirtMachine(configuration) { _ in }
            configuration.profile = .highbank64(blob: try BoardFirmwareTests.returning42())
            let second = try VirtMachine(configuration) { _ in }
            plain = first
            board = second
            cpu = first.cpus[3]
        }
        #expect(plain == nil)
        #expect(board == nil)
        #expect(cpu == nil)
    }

    @Test func theInstructionLimitStopsAnEndlessLoop() throws {
        let harness = try MachineHarness("b .")
        #expect(harness.run(limit: 100_000) == .instructionLimit)
    }
}
