import Firmware
import Machine
import SMCCC
import Testing

/// Firmware calls end to end: the vCPU's HVC/SMC goes through the router, and each action has
/// its architectural effect on the caller.
struct FirmwareCallTests {
    /// Stores ESR_EL1 and ELR_EL1 of a synchronous exception at SCRATCH and powers off.
    static let vectors = """
        adr x9, vectors
        msr vbar_el1, x9
        b start
        .balign 2048
        vectors:
        .rept 4
        .balign 128
        b .
        .endr
        .balign 128                  // current EL with SP_ELx, synchronous
        mrs x1, esr_el1
        mrs x2, elr_el1
        ldr x9, =SCRATCH
        stp x1, x2, [x9]
        ldr x0, =PSCI_SYSTEM_OFF
        hvc #0
        start:
        """

    @Test func undefinedRangesInjectAnUndefinedInstructionAtTheCall() throws {
        let harness = try MachineHarness(Self.vectors + """
            ldr x0, =0x82000010
            hvc #0
            b .
            """, configure: {
                try! $0.policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .undefined)
            })
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) >> 26 == 0)       // EC 0: unknown reason
        // ELR_EL1 is the HVC itself, so a handler could skip or emulate it.
        let hvc = harness.scratch(1)
        #expect(harness.machine.memory.readValue(at: hvc, size: 4) == 0xD400_0002)
        #expect(harness.trace.records.first?.disposition.action == .undefined)
    }

    @Test func smcIsUndefinedWhenOnlyHVCIsEnabled() throws {
        let harness = try MachineHarness(Self.vectors + """
            ldr x0, =PSCI_VERSION
            smc #0
            b .
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) >> 26 == 0)
        #expect(harness.trace.records.first?.disposition.reason == .conduitDisabled)
    }

    @Test func forwardedCallsReachTheVMMHandler() throws {
        final class Board: FirmwareService {
            let name = "board"
            let functions = [ServiceFunctions(FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF), label: "board")]
            func handle(_ call: inout FirmwareCall) -> CallOutcome {
                call.setResults(0, call.x1 &* 2, 0x77)
                return .resume
            }
        }
        let harness = try MachineHarness("""
            ldr x0, =0x82000005
            mov x1, #21
            hvc #0
            ldr x9, =SCRATCH
            stp x0, x1, [x9]
            str x2, [x9, #16]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """, configure: {
                try! $0.policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward)
                $0.forwardHandlers = [Board()]
            })
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0)
        #expect(harness.scratch(1) == 42)
        #expect(harness.scratch(2) == 0x77)
        let record = try #require(harness.trace.records.first)
        #expect(record.disposition.action == .forward)
        #expect(record.disposition.handler == "board")
        #expect(record.arguments.first == 21)
        #expect(record.results.prefix(3) == [0, 42, 0x77])
    }

    @Test func unknownCallsGetNotSupportedAndTheGuestGoesOn() throws {
        let harness = try MachineHarness("""
            ldr x0, =0xC7001234
            hvc #0
            ldr x9, =SCRATCH
            str x0, [x9]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == SMCCCReturn.notSupported.registerValue)
    }
}
