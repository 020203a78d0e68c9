import Firmware
import SMCCC
import Testing

/// Entry and conduit rules (reference §a.1, rows E1-E6) and Conduit's own routing choices.
@Suite struct ConduitEntryTests {
    @Test func e1_hvcImmediateIsNotChecked() throws {
        let vm = try TestVM()
        #expect(vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: .hvc, immediate: 0x1234).call.results[0] == 0x10003)
    }

    @Test func e2_smcWithImmediateZeroIsAnSMCCCCallLikeHVC() throws {
        let vm = try TestVM(policy: bothConduits())
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0, conduit: .smc) == 0x10003)
    }

    @Test func e2_smcWithNonZeroImmediateAnswersAllOnes() throws {
        let vm = try TestVM(policy: bothConduits())
        let (call, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, 1, 2, 3, conduit: .smc, immediate: 0xF00)
        #expect(call.visibleResults == [0xFFFF_FFFF_FFFF_FFFF])
        #expect(disposition == CallDisposition(action: .deny, reason: .nonZeroImmediate, outcome: .resume, handler: nil))
    }

    @Test func e3_upperHalfOfX0IsIgnored() throws {
        let vm = try TestVM()
        #expect(vm.x0(0xFFFF_FFFF_8400_0000) == 0x10003)
    }

    @Test func e5_onlyX0ToX3AreWrittenUnderSMCCC1_1() throws {
        let vm = try TestVM()
        let (call, _) = vm.call(PSCIFunction.PSCI_VERSION.x0, 1, 2, 3, 4, 5, 6)
        #expect(call.resultCount == 4)
        #expect(call.visibleResults == [0x10003, 0, 0, 0])
    }

    @Test func e5_smccc1_2AllowsX0ToX17ForSMC64AndW0ToW7ForSMC32() throws {
        final class Wide: FirmwareService {
            let name = "wide"
            let functions = [ServiceFunctions(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), label: "wide"),
                             ServiceFunctions(FunctionIDRange(first: 0xC200_0000, last: 0xC200_FFFF), label: "wide")]
            func handle(_ call: inout FirmwareCall) -> CallOutcome {
                for i in 0..<18 { call.results[i] = UInt64(i) }
                call.resultCount = 18
                return .resume
            }
        }
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward)
        try policy.addRange(FunctionIDRange(first: 0xC200_0000, last: 0xC200_FFFF), action: .forward)
        let v1_1 = try TestVM(policy: policy, forwardHandlers: [Wide()])
        #expect(v1_1.call(0xC200_0001).call.resultCount == 4)
        try policy.setSMCCCVersion(.v1_2)
        let v1_2 = try TestVM(policy: policy, forwardHandlers: [Wide()])
        #expect(v1_2.call(0xC200_0001).call.resultCount == 18)
        #expect(v1_2.call(0x8200_0001).call.resultCount == 8)
        #expect(v1_2.call(0xC200_0001, caller: aarch32).call.resultCount == 8)
    }

    @Test func e5_smc32ArgumentsAreZeroExtended() {
        let call = FirmwareCall(conduit: .hvc, registers: [0x8400_0003, 0xFFFF_FFFF_0000_0001, 0x1_0000_0002, 3])
        #expect([call.x1, call.x2, call.x3] == [1, 2, 3])
        let wide = FirmwareCall(conduit: .hvc, registers: [0xC400_0003, 0xFFFF_FFFF_0000_0001, 0x1_0000_0002, 3])
        #expect([wide.x1, wide.x2, wide.x3] == [0xFFFF_FFFF_0000_0001, 0x1_0000_0002, 3])
        #expect(wide.argument(17) == 0)
        #expect(wide.argument(18) == 0)
    }

    @Test func resultsStartAsNotSupported() {
        let call = FirmwareCall(conduit: .smc, immediate: 0, registers: [0x8200_0000])
        #expect(call.visibleResults == [NOT_SUPPORTED, 0, 0, 0])
        #expect(call.kvmHypercallExitFlags == 1)
        let thumb = FirmwareCall(conduit: .hvc, is16BitInstruction: true, registers: [0])
        #expect(thumb.kvmHypercallExitFlags == 2)
    }

    @Test func hvcAndSMCAreUndefinedAtEL0() throws {
        let vm = try TestVM(policy: bothConduits())
        for conduit in Conduit.allCases {
            let (call, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: conduit, caller: CallerState(exceptionLevel: 0))
            #expect(disposition.outcome == .undefinedInstruction)
            #expect(disposition.reason == .calledFromEL0)
            #expect(call.results[0] == NOT_SUPPORTED)  // untouched; the machine writes nothing
        }
    }

    @Test func disabledConduitIsAnUndefinedInstruction() throws {
        let vm = try TestVM()  // HVC only, the default
        let (_, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: .smc)
        #expect(disposition == CallDisposition(action: .undefined, reason: .conduitDisabled, outcome: .undefinedInstruction, handler: nil))
        // Even with a non-zero immediate: there is no EL3 to look at it.
        #expect(vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: .smc, immediate: 1).disposition.outcome == .undefinedInstruction)
        var smcOnly = FirmwarePolicy()
        smcOnly.conduits = .smc
        let smcVM = try TestVM(policy: smcOnly)
        #expect(smcVM.call(PSCIFunction.PSCI_VERSION.x0, conduit: .hvc).disposition.outcome == .undefinedInstruction)
        #expect(smcVM.x0(PSCIFunction.PSCI_VERSION.x0, conduit: .smc) == 0x10003)
    }

    @Test func undefinedAction() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .undefined)
        let vm = try TestVM(policy: policy)
        let (_, disposition) = vm.call(0x8200_0102)
        #expect(disposition == CallDisposition(action: .undefined, reason: .filter, outcome: .undefinedInstruction, handler: nil))
    }

    @Test func firmwareActionNeedsABlobAndEntersIt() throws {
        var policy = FirmwarePolicy()
        let sip = FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF)
        try policy.addRange(sip, action: .firmware, origin: "test")
        #expect(throws: PolicyError.firmwareWithoutBlob(sip, origin: "test")) { try TestVM(policy: policy) }
        let vm = try TestVM(policy: policy, firmwareBlob: true)
        #expect(vm.call(0x8200_0102).disposition == CallDisposition(action: .firmware, reason: .filter, outcome: .enterFirmware, handler: nil))
        // From inside the firmware world: no re-entry, and SMC is refused.
        let firmware = CallerState(isInFirmwareWorld: true)
        #expect(vm.call(0x8200_0102, caller: firmware).disposition.reason == .firmwareReentry)
        #expect(vm.x0(0x8200_0102, caller: firmware) == NOT_SUPPORTED)
        let smc = vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: .smc, caller: firmware)
        #expect(smc.call.results[0] == NOT_SUPPORTED)
        #expect(smc.disposition.reason == .smcFromFirmware)
        // The firmware's HVC to PSCI works.
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0, caller: firmware) == 0x10003)
    }

    @Test func namedForwardHandlerMustExist() throws {
        var policy = FirmwarePolicy()
        let sip = FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF)
        try policy.addRange(sip, action: .forward, handler: "highbank-sip", origin: "p.yaml:3")
        let other = RecordingHandler(name: "user", ranges: [])
        let error = #expect(throws: PolicyError.self) { try TestVM(policy: policy, forwardHandlers: [other]) }
        #expect(error?.description == "range 0x82000000-0x8200ffff (p.yaml:3) forwards to handler 'highbank-sip', which this VM does not have (registered: user)")
        let board = RecordingHandler(name: "highbank-sip", ranges: [])
        let vm = try TestVM(policy: policy, forwardHandlers: [other, board])
        #expect(vm.x0(0x8200_0102) == 0x600D)
        #expect(board.calls.count == 1)
    }

    @Test func unclaimedForwardIsNotSupported() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8300_0000, last: 0x8300_FFFF), action: .forward)
        let vm = try TestVM(policy: policy)
        let (call, disposition) = vm.call(0x8300_0001)
        #expect(call.results[0] == NOT_SUPPORTED)
        #expect(disposition.reason == .unclaimedForward)
    }

    @Test func overlappingForwardHandlersAreRejected() throws {
        let a = RecordingHandler(name: "a", ranges: [FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF)])
        let b = RecordingHandler(name: "b", ranges: [FunctionIDRange(first: 0x8200_0080, last: 0x8200_0080)])
        #expect(throws: PolicyError.self) { try TestVM(forwardHandlers: [a, b]) }
    }

    @Test func smc64FunctionFromAArch32IsDenied() throws {
        let vm = try TestVM()
        let (_, disposition) = vm.call(TRNGFunction.TRNG_RND64.x0, 64, caller: aarch32)
        #expect(disposition.reason == .smc64FromAArch32)
    }
}

/// The SMC presets and the PSCI switch from the original design discussion.
@Suite struct PresetTests {
    @Test func smcUndefined() throws {
        var policy = FirmwarePolicy()
        policy.apply(.psci)
        policy.apply(.undefined)
        #expect(policy.conduits == .hvc)
        #expect(policy.smcPreset == .undefined)
        #expect(try TestVM(policy: policy).call(0x8400_0000, conduit: .smc).disposition.outcome == .undefinedInstruction)
    }

    @Test func smcPSCI() throws {
        var policy = FirmwarePolicy()
        policy.apply(.psci)
        #expect(policy.conduits == .both)
        #expect(policy.smcPreset == .psci)
        let vm = try TestVM(policy: policy, vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 1, 0x4000_0000, 0, conduit: .smc) == 0)
    }

    @Test func smcForwardAll() throws {
        var policy = FirmwarePolicy()
        policy.apply(.forwardAll)
        #expect(policy.smcPreset == .forwardAll)
        let everything = RecordingHandler(name: "vmm", ranges: [FunctionIDRange(first: 0, last: 0xFFFF_FFFF)])
        let vm = try TestVM(policy: policy, forwardHandlers: [everything])
        // PSCI through SMC goes to the VMM, through HVC to the built-in service.
        #expect(vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: .smc).disposition.reason == .smcForwardAll)
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0, conduit: .smc) == 0x600D)
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0, conduit: .hvc) == 0x10003)
        // The Arm Architecture Calls are never forwarded.
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_VERSION.x0, conduit: .smc) == 0x10001)
        #expect(vm.x0(0xC000_0001, conduit: .smc) == NOT_SUPPORTED)
        #expect(everything.calls.count == 2)
    }

    @Test func psciForwardSwitch() throws {
        var policy = FirmwarePolicy()
        policy.psciMode = .forward
        let vmm = RecordingHandler(name: "vmm-psci", ranges: FirmwarePolicy.psciRanges, answer: 0x2)
        let vm = try TestVM(policy: policy, forwardHandlers: [vmm])
        let (call, disposition) = vm.call(PSCIFunction.CPU_ON_64.x0, 1, 0x4000_0000, 0)
        #expect(disposition.action == .forward)
        #expect(call.results[0] == 0x2)
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0) == 0x2)
        #expect(vm.power.events.isEmpty)  // built-in PSCI never ran
        #expect(!vm.router.services.contains { $0 is PSCIService })
    }

    @Test func psciForwardConflictsWithAnExplicitPSCIRange() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(PSCIFunction.CPU_SUSPEND_64), action: .deny, origin: "p.yaml:7")
        policy.psciMode = .forward
        #expect(throws: PolicyError.overlapsRange(FirmwarePolicy.psciRanges[1], origin: "psci: forward",
                                                  existing: FunctionIDRange(PSCIFunction.CPU_SUSPEND_64), existingOrigin: "p.yaml:7")) {
            try policy.effectiveFilter()
        }
    }
}

/// The effective table printed by `policy show` comes from the same resolution calls use.
@Suite struct PolicyTableTests {
    @Test func tableCoversEveryIDOnceAndAgreesWithCalls() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward, handler: "board")
        try policy.addRange(FunctionIDRange(TRNGFunction.TRNG_RND64), action: .deny)
        try policy.addRange(FunctionIDRange(first: 0x8300_0000, last: 0x8300_00FF), action: .undefined)
        let board = RecordingHandler(name: "board", ranges: [])
        let vm = try TestVM(policy: policy, forwardHandlers: [board])
        let rows = vm.router.policyTable(for: .hvc)
        #expect(rows.first?.range.first == 0)
        #expect(rows.last?.range.last == 0xFFFF_FFFF)
        for (a, b) in zip(rows, rows.dropFirst()) { #expect(UInt64(a.range.last) + 1 == UInt64(b.range.first)) }

        func row(_ id: UInt32) -> PolicyTableRow { rows.first { $0.range.contains(id) }! }
        #expect(row(0x8200_0102).action == .forward)
        #expect(row(0x8200_0102).handledBy == "board")
        #expect(row(0xC400_0053).action == .deny)
        #expect(row(0x8300_0001).action == .undefined)
        #expect(row(0x8400_0003).handledBy == "PSCI 1.3")
        #expect(row(0x8000_8000).note.contains("reserved"))
        #expect(row(0x8600_0001).handledBy == "KVM vendor: KVM_PTP")
        #expect(row(0x0000_0000).action == .deny)
        // Every row's action is what a call in it gets.
        for entry in rows {
            for id in [entry.range.first, entry.range.last] {
                let (_, disposition) = vm.call(UInt64(id))
                #expect(disposition.action == entry.action, "\(hexString(id))")
            }
        }
        #expect(vm.router.policyTable(for: .smc).count == 1)
    }

    func hexString(_ id: UInt32) -> String { "0x" + String(id, radix: 16) }
}

/// The router reaches its built-in services by type and reports them by static names; those
/// names must be the services' own, which `policy show` and the trace print.
@Suite struct BuiltInDispatchTests {
    @Test func eachBuiltInAnswersUnderItsOwnName() throws {
        let vm = try TestVM()
        let probes: [(UInt32, String)] = [
            (0x8000_0000, "SMCCC Arm Architecture Calls"),  // SMCCC_VERSION
            (0x8400_0000, "PSCI 1.3"),  // PSCI_VERSION
            (0x8400_0050, "TRNG 1.0"),  // TRNG_VERSION
            (0xC500_0020, "PV time"),  // PV_TIME_FEATURES
            (0x8600_FF01, "KVM vendor hypervisor service"),  // CALL_UID
        ]
        for (id, name) in probes {
            let disposition = vm.call(UInt64(id)).disposition
            #expect(disposition.action == .handle && disposition.handler == name, "\(hex(id))")
        }
        let names = vm.router.services.map(\.name)
        #expect(names == ["SMCCC Arm Architecture Calls", "PSCI 1.3", "TRNG 1.0", "PV time", "KVM vendor hypervisor service"])
    }

    @Test func everySelectablePSCIVersionHasItsStaticName() throws {
        for version in FirmwareRegister.selectablePSCIVersions {
            var policy = FirmwarePolicy()
            try policy.setPSCIVersion(version)
            let vm = try TestVM(policy: policy)
            let psci = try #require(vm.router.services.first { $0 is PSCIService })
            #expect(PSCIService.serviceName(of: version)?.description == psci.name)
            #expect(vm.call(PSCIFunction.PSCI_VERSION.x0).disposition.handler == psci.name)
        }
    }

    private func hex(_ id: UInt32) -> String { "0x" + String(id, radix: 16) }
}
