import AArch64
import Firmware
import Machine
import SMCCC
import TestSupport
import Testing

/// Board firmware: the Highbank personality in the VMM, the OMAP r12 convention only when
/// declared, and the guest-side firmware world (entry, return, protection, containment).
struct BoardFirmwareTests {
    // MARK: The personality and its declared ABI

    /// An AArch32 caller's `SMC #0` with r0 = 1 and r12 = 0x102: Highbank Linux enabling the L2.
    func omapL2Enable() -> FirmwareCall {
        var registers = [UInt64](repeating: 0, count: 18)
        registers[0] = 1
        registers[1] = 0xAAAA
        registers[12] = 0x102
        return FirmwareCall(conduit: .smc, caller: CallerState(vcpu: 0, executionState: .aarch32, exceptionLevel: 1),
                            registers: registers)
    }

    @Test func theR12ConventionIsAnsweredOnlyWhenTheProfileDeclaresIt() throws {
        let service = HighbankSiPService(range: FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF))
        var policy = FirmwarePolicy()
        policy.conduits = .both
        policy.apply(.psci)

        var declared = FirmwareSetup(policy: policy, host: .detached())
        declared.addForwardHandler(service)
        try declared.addLegacyABI(service.omapMonitorABI())
        var call = omapL2Enable()
        let disposition = try FirmwareRouter(declared).dispatch(&call)
        #expect(disposition.reason == .legacyABI)
        #expect(disposition.handler == "highbank-sip")
        #expect(service.l2Control == 1)
        #expect(call.visibleResults == [1, 0xAAAA, 0, 0])  // no return value: r0-r3 unchanged

        // Without the declaration, r0 = 1 is read as function ID 0x00000001 and the policy
        // decides: nothing implements it, NOT_SUPPORTED. Nothing guesses at r12.
        let other = HighbankSiPService(range: FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF))
        var plain = FirmwareSetup(policy: policy, host: .detached())
        plain.addForwardHandler(other)
        var again = omapL2Enable()
        let undeclared = try FirmwareRouter(plain).dispatch(&again)
        #expect(undeclared.reason != .legacyABI)
        #expect(again.results[0] == SMCCCReturn.notSupported.registerValue)
        #expect(other.l2Control == 0)
    }

    @Test func personalityValidatesEveryArgument() {
        let service = HighbankSiPService(range: FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF))
        func call(_ number: UInt32, _ x1: UInt64) -> [UInt64] {
            var record = FirmwareCall(conduit: .smc, registers: [UInt64(0x8200_0000 | number), x1])
            _ = service.handle(&record)
            return record.visibleResults
        }
        let invalid = SMCCCReturn.invalidParameter.registerValue
        #expect(call(1, 2)[0] == invalid)
        #expect(call(1, 1)[0] == 0)
        #expect(call(2, 0x1000)[0] == invalid)        // aux control while the L2 is on
        #expect(call(1, 0)[0] == 0)
        #expect(call(2, 0x8000_0000)[0] == invalid)   // reserved bit 31
        #expect(call(2, 0x1000)[0] == 0)
        #expect(call(3, 8)[0] == invalid)
        #expect(call(3, 3)[0] == 0)
        #expect(call(5, 0) == [0, 0, 0x1000, 3])
        #expect(call(4, 0) == [0, 0xC1DA, 2, 0])
        #expect(call(0x77, 0)[0] == SMCCCReturn.notSupported.registerValue)
    }

    @Test func firmwareNodeExactlyWithTheProfile() throws {
        func tree(_ profile: MachineProfile) throws -> DeviceTreeNode {
            var configuration = MachineConfiguration()
            configuration.profile = profile
            let machine = try VirtMachine(configuration) { _ in }
            return VirtDeviceTree.generate(configuration: configuration, router: machine.router,
                                           mpidrs: machine.cpus.map(\.identity.mpidr), chosen: .init())
        }
        #expect(try tree(.virt).child("firmware") == nil)
        let board = try #require(try tree(.highbank64(blob: nil)).child("firmware"))
        #expect(board.children.map(\.name) == ["highbank-sip"])
        #expect(board.children.first?.property("method") == Array("smc".utf8) + [0])
        let withBlob = try #require(try tree(.highbank64(blob: Self.returning42())).child("firmware"))
        #expect(withBlob.children.map(\.name) == ["highbank-sip", "monitor"])
    }

    // MARK: The firmware world

    /// A raw blob whose call entry (base + 0x400) runs `body`.
    static func blob(_ body: String) throws -> [UInt8] {
        try Assembler.assemble("""
            .rept 256
            nop
            .endr
            \(body)
            """, base: 0x0E00_0000)
    }

    static func returning42() throws -> [UInt8] {
        try blob("""
            add x0, x1, #42
            hvc #0xffff
            """)
    }

    func harness(blob: [UInt8], budget: Int = 1_000_000) throws -> MachineHarness {
        try MachineHarness("""
            ldr x9, =SCRATCH
            ldr x0, =0xC2000001
            mov x1, #100
            smc #0
            str x0, [x9]
            ldr x0, =0xC2000001          // again: the world is reusable
            mov x1, #1
            smc #0
            str x0, [x9, #8]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """, configure: {
                var profile = MachineProfile.highbank64(blob: blob)
                profile.firmwareBlob?.budget = budget
                $0.profile = profile
            })
    }

    @Test func aCallEntersTheBlobAndItsReturnIsTheAnswer() throws {
        let harness = try harness(blob: Self.returning42())
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 142)
        #expect(harness.scratch(1) == 43)
        #expect(harness.trace.records.first?.disposition.action == .firmware)
    }

    @Test func aFaultingBlobGivesNotSupportedAndTheGuestGoesOn() throws {
        let harness = try harness(blob: Self.blob("""
            mov x2, #0x10
            ldr x0, [x2]                   // nothing at physical 0x10: an external abort
            hvc #0xffff
            """))
        var notes: [String] = []
        harness.machine.diagnostics = { notes.append($0) }
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == SMCCCReturn.notSupported.registerValue)
        #expect(harness.scratch(1) == SMCCCReturn.notSupported.registerValue)
        #expect(notes.first?.contains("firmware blob faulted") == true)
        #expect(harness.trace.records.first?.note?.contains("ESR 0x96000010") == true)
    }

    @Test func aLoopingBlobRunsOutOfBudget() throws {
        let harness = try harness(blob: Self.blob("b ."), budget: 10_000)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == SMCCCReturn.notSupported.registerValue)
        #expect(harness.trace.records.first?.note?.contains("budget of 10000") == true)
    }

    @Test func theBlobMayCallPSCIButNotSMC() throws {
        let harness = try harness(blob: Self.blob("""
            mov x19, x1
            ldr x0, =0x84000000            // PSCI_VERSION through HVC: answered
            hvc #0
            mov x20, x0
            ldr x0, =0x84000000            // through SMC: refused
            smc #0
            mov x1, x0
            mov x0, x20
            hvc #0xffff
            """))
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0x1_0003)
        let reasons = harness.trace.records.map(\.disposition.reason)
        #expect(reasons.contains(.smcFromFirmware))
    }

    @Test func theGuestKernelCannotReachTheFirmwareRegion() throws {
        let harness = try MachineHarness(FirmwareCallTests.vectors + """
            ldr x1, =0x0E000000
            ldr x2, [x1]
            b .
            """, configure: { $0.profile = .highbank64(blob: try! Self.returning42()) })
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch(0) == 0x9600_0010)  // data abort, same EL, synchronous external abort
    }
}
