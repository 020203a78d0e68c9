import Firmware
import SMCCC
import Testing

func policy(psci version: PSCIVersion, systemSuspend: Bool = true) throws -> FirmwarePolicy {
    var policy = FirmwarePolicy()
    try policy.setPSCIVersion(version)
    policy.systemSuspend = systemSuspend
    return policy
}

let aarch32 = CallerState(vcpu: 0, executionState: .aarch32)

/// Linux tools/testing/selftests/kvm/arm64/psci_test.c (reference §c.2).
@Suite struct PSCISelftestTests {
    /// host_test_cpu_on: CPU_ON64(target, 0xFEEDF00D, 0xDEADC0DE) succeeds, AFFINITY_INFO polls
    /// to ON, and the target's pending reset holds the entry point and context ID before it runs.
    @Test func host_test_cpu_on() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        let target = vm.power.mpidrs[1] & MPIDR.affinityMask
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, target, 0xFEED_F00D, 0xDEAD_C0DE) == 0)
        #expect(vm.x0(PSCIFunction.AFFINITY_INFO_64.x0, target, 0) == AffinityInfoState.on.rawValue)
        let reset = vm.power.table.takePendingReset(1)
        #expect(reset == VCPUReset(entryPoint: 0xFEED_F00D, contextID: 0xDEAD_C0DE, isBigEndian: false))
    }

    /// host_test_system_suspend: PSCI_FEATURES reports SYSTEM_SUSPEND in both conventions, and the
    /// call suspends the system (Conduit implements it instead of exiting to the VMM).
    @Test func host_test_system_suspend() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_SUSPEND_32.x0) == 0)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_SUSPEND_64.x0) == 0)
        let (call, disposition) = vm.call(PSCIFunction.SYSTEM_SUSPEND_64.x0, 0x4008_0000, 0xDEAD_C0DE)
        #expect(call.results[0] == 0)
        #expect(disposition.outcome == .resume)
        #expect(vm.power.events.last == .suspendSystem(0, VCPUReset(entryPoint: 0x4008_0000, contextID: 0xDEAD_C0DE)))
    }

    /// host_test_system_off2: at PSCI 1.3, FEATURES(SYSTEM_OFF2) has bit 0; bad type or cookie is
    /// INVALID_PARAMETERS; valid calls shut down with X0 preloaded with INTERNAL_FAILURE.
    @Test func host_test_system_off2() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0) >= 0x10003)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_OFF2_32.x0) & 1 != 0)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_OFF2_64.x0) & 1 != 0)

        #expect(vm.x0(PSCIFunction.SYSTEM_OFF2_64.x0, 1, 1) == INVALID_PARAMETERS)
        var (call, disposition) = vm.call(PSCIFunction.SYSTEM_OFF2_64.x0, 1, 0)
        #expect(disposition.outcome == .systemEvent(.systemOff2(type: 1)))
        #expect(disposition.outcome != .resume)
        #expect((0..<4).map { call.results[$0] } == [INTERNAL_FAILURE, 0, 0, 0])

        #expect(vm.x0(PSCIFunction.SYSTEM_OFF2_64.x0, 0, 1) == INVALID_PARAMETERS)
        (call, disposition) = vm.call(PSCIFunction.SYSTEM_OFF2_64.x0, 0, 0)
        #expect(disposition.outcome == .systemEvent(.systemOff2(type: 0)))
        #expect(call.results[0] == INTERNAL_FAILURE)
        #expect(vm.power.events.filter { $0 == .stopAll }.count == 2)
    }
}

/// Every PSCI row of the reference (§a.8) and the extra conformance cases of §c.2.
@Suite struct PSCIBehaviourTests {
    @Test(arguments: [(PSCIVersion.v0_2, UInt64(0x2)), (.v1_0, 0x10000), (.v1_1, 0x10001), (.v1_2, 0x10002), (.v1_3, 0x10003)])
    func psciVersion(version: PSCIVersion, expected: UInt64) throws {
        let vm = try TestVM(policy: try policy(psci: version))
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0) == expected)
    }

    @Test func defaultVersionIs1_3() throws {
        #expect(try TestVM().x0(PSCIFunction.PSCI_VERSION.x0) == 0x10003)
    }

    @Test func cpuSuspendIsStandbyAndReturnsSuccess() throws {
        let vm = try TestVM()
        let (call, _) = vm.call(PSCIFunction.CPU_SUSPEND_64.x0, 0x1_0000, 0x4000_0000, 5)
        #expect((0..<4).map { call.results[$0] } == [0, 0, 0, 0])
        #expect(vm.power.events == [.standby(0)])
        #expect(vm.x0(PSCIFunction.CPU_SUSPEND_32.x0, 0) == 0)
    }

    @Test func cpuOffStopsTheCallerEvenTheLastOne() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.CPU_OFF.x0) == 0)
        #expect(vm.power.powerState(of: 0) == .off)
        #expect(vm.power.events == [.powerOff(0)])
    }

    @Test func cpuOnErrors() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        let target = vm.power.mpidrs[1] & MPIDR.affinityMask
        // MPIDR bit 24 (outside Aff3..Aff0) set.
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, target | 1 << 24, 0x4000_0000, 0) == INVALID_PARAMETERS)
        // Bit 31 of MPIDR_EL1 is RES1, but not an affinity bit: passing the raw register fails.
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, vm.power.mpidrs[1], 0x4000_0000, 0) == INVALID_PARAMETERS)
        // No such CPU.
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 0x0100, 0x4000_0000, 0) == INVALID_PARAMETERS)
        // Self, and already running: ALREADY_ON.
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 0, 0x4000_0000, 0) == ALREADY_ON)
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, target, 0x4000_0000, 0) == 0)
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, target, 0x4000_0000, 0) == ALREADY_ON)
        #expect(vm.power.events.count == 1)
    }

    @Test func cpuOnNeverValidatesTheEntryPoint() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 1, 0xFFFF_FFFF_FFFF_FFFF, 0) == 0)
    }

    @Test func cpuOn32NarrowsJunkInTheUpperHalves() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.CPU_ON_32.x0, 0xDEAD_BEEF_0000_0001, 0xFFFF_FFFF_4008_0000, 0x1234_5678_0000_0042) == 0)
        #expect(vm.power.table.takePendingReset(1) == VCPUReset(entryPoint: 0x4008_0000, contextID: 0x42))
    }

    @Test func cpuOnGivesTheTargetTheCallersEndianness() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        let bigEndianCaller = CallerState(vcpu: 0, isBigEndian: true)
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 1, 0x4000_0000, 7, caller: bigEndianCaller) == 0)
        #expect(vm.power.table.takePendingReset(1)?.isBigEndian == true)
    }

    @Test func cpuOffThenCPUOnAgain() throws {
        let vm = try TestVM(vcpus: 2, on: [0, 1])
        #expect(vm.x0(PSCIFunction.CPU_OFF.x0, caller: CallerState(vcpu: 1)) == 0)
        #expect(vm.x0(PSCIFunction.AFFINITY_INFO_64.x0, 1, 0) == AffinityInfoState.off.rawValue)
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 1, 0x4000_1000, 0) == 0)
        #expect(vm.x0(PSCIFunction.AFFINITY_INFO_64.x0, 1, 0) == AffinityInfoState.on.rawValue)
    }

    @Test func affinityInfoAtEveryLevel() throws {
        // Two clusters of two CPUs: 0x000, 0x001, 0x100, 0x101. Only CPU 0 is on.
        let power = FakePowerControl(mpidrs: [0x8000_0000, 0x8000_0001, 0x8000_0100, 0x8000_0101], on: [0])
        let router = try FirmwareRouter(FirmwareSetup(host: FirmwareHost(power: power, clock: FakeClock(), memory: nil)))
        func affinityInfo(_ target: UInt64, _ level: UInt64) -> UInt64 {
            var call = FirmwareCall(conduit: .hvc, registers: [PSCIFunction.AFFINITY_INFO_64.x0, target, level])
            _ = router.dispatch(&call)
            return call.results[0]
        }
        #expect(affinityInfo(0x000, 0) == 0)  // ON
        #expect(affinityInfo(0x001, 0) == 1)  // OFF
        #expect(affinityInfo(0x101, 0) == 1)
        #expect(affinityInfo(0x001, 1) == 0)  // cluster 0 has CPU 0 on
        #expect(affinityInfo(0x100, 1) == 1)  // cluster 1 all off
        #expect(affinityInfo(0x1FF, 1) == 1)  // Aff0 is ignored at level 1
        #expect(affinityInfo(0x200, 1) == INVALID_PARAMETERS)  // no cluster 2
        #expect(affinityInfo(0x100, 2) == 0)  // level 2 compares Aff2 and Aff3 only: everything matches
        #expect(affinityInfo(0x100, 3) == 0)
        #expect(affinityInfo(0x01_0000_0000, 3) == INVALID_PARAMETERS)  // no Aff3 == 1
        #expect(affinityInfo(0x000, 4) == INVALID_PARAMETERS)  // level above 3
        #expect(affinityInfo(1 << 24, 0) == INVALID_PARAMETERS)  // bad affinity bit
        #expect(affinityInfo(0x002, 0) == INVALID_PARAMETERS)  // unmatched MPIDR
        // ON_PENDING is never returned.
        for target: UInt64 in [0, 1, 0x100, 0x101] { #expect(affinityInfo(target, 0) != 2) }
    }

    @Test func migrateInfoType() throws {
        let vm = try TestVM()
        #expect(vm.x0(PSCIFunction.MIGRATE_INFO_TYPE.x0) == 2)
        #expect(vm.x0(PSCIFunction.MIGRATE_32.x0, 1) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.MIGRATE_64.x0, 1) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.MIGRATE_INFO_UP_CPU_32.x0) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.MIGRATE_INFO_UP_CPU_64.x0) == NOT_SUPPORTED)
    }

    @Test(arguments: [(PSCIFunction.SYSTEM_OFF, SystemEvent.systemOff), (PSCIFunction.SYSTEM_RESET, .systemReset)])
    func systemOffAndReset(id: FunctionID, event: SystemEvent) throws {
        let vm = try TestVM(vcpus: 2, on: [0, 1])
        let (call, disposition) = vm.call(id.x0, 9, 9, 9)
        #expect(disposition.outcome == .systemEvent(event))
        #expect((0..<4).map { call.results[$0] } == [INTERNAL_FAILURE, 0, 0, 0])
        #expect(vm.power.powerState(of: 0) == .off)
        #expect(vm.power.powerState(of: 1) == .off)
    }

    @Test func systemReset2() throws {
        let vm = try TestVM(vcpus: 2, on: [0, 1])
        #expect(vm.x0(PSCIFunction.SYSTEM_RESET2_64.x0, 1, 0) == INVALID_PARAMETERS)
        #expect(vm.x0(PSCIFunction.SYSTEM_RESET2_64.x0, 0x7FFF_FFFF, 0) == INVALID_PARAMETERS)
        var (call, disposition) = vm.call(PSCIFunction.SYSTEM_RESET2_64.x0, 0, 0xC00C1E)
        #expect(disposition.outcome == .systemEvent(.systemReset2(type: 0, cookie: 0xC00C1E)))
        // Only X0 is preloaded; X1 and X2 keep the type and cookie.
        #expect((0..<3).map { call.results[$0] } == [INTERNAL_FAILURE, 0, 0xC00C1E])
        (call, disposition) = vm.call(PSCIFunction.SYSTEM_RESET2_32.x0, 0xFFFF_FFFF_8000_0000, 5)
        #expect(disposition.outcome == .systemEvent(.systemReset2(type: 0x8000_0000, cookie: 5)))
        #expect(call.results[1] == 0x8000_0000)
        #expect(vm.power.powerState(of: 1) == .off)
    }

    @Test func systemReset2IsAbsentAt1_0() throws {
        let vm = try TestVM(policy: try policy(psci: .v1_0))
        #expect(vm.x0(PSCIFunction.SYSTEM_RESET2_64.x0, 0, 0) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_RESET2_64.x0) == NOT_SUPPORTED)
    }

    @Test func systemOff2IsAbsentBelow1_3() throws {
        let vm = try TestVM(policy: try policy(psci: .v1_2))
        #expect(vm.x0(PSCIFunction.SYSTEM_OFF2_64.x0, 1, 0) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_OFF2_32.x0) == NOT_SUPPORTED)
    }

    @Test func systemSuspendIsDeniedWhileAnotherCPUIsOn() throws {
        let vm = try TestVM(vcpus: 2, on: [0, 1])
        #expect(vm.x0(PSCIFunction.SYSTEM_SUSPEND_64.x0, 0x4008_0000, 0) == DENIED)
        #expect(vm.power.events.isEmpty)
    }

    @Test func systemSuspendChecksTheEntryPoint() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.SYSTEM_SUSPEND_64.x0, 0x1000, 0) == PSCIReturn.invalidAddress.registerValue)
        #expect(vm.x0(PSCIFunction.SYSTEM_SUSPEND_32.x0, 0xFFFF_FFFF_4000_0000, 3) == 0)
        #expect(vm.power.events == [.suspendSystem(0, VCPUReset(entryPoint: 0x4000_0000, contextID: 3))])
    }

    @Test func systemSuspendSwitchedOff() throws {
        let vm = try TestVM(policy: try policy(psci: .v1_3, systemSuspend: false), vcpus: 1)
        #expect(vm.x0(PSCIFunction.SYSTEM_SUSPEND_64.x0, 0x4000_0000, 0) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.SYSTEM_SUSPEND_64.x0) == NOT_SUPPORTED)
    }

    /// PSCI_FEATURES for every function, row by row (reference a.8 "PF").
    @Test(arguments: [
        (PSCIFunction.PSCI_VERSION, UInt64(0)), (PSCIFunction.CPU_SUSPEND_32, 0), (PSCIFunction.CPU_SUSPEND_64, 0),
        (PSCIFunction.CPU_OFF, 0), (PSCIFunction.CPU_ON_32, 0), (PSCIFunction.CPU_ON_64, 0),
        (PSCIFunction.AFFINITY_INFO_32, 0), (PSCIFunction.AFFINITY_INFO_64, 0),
        (PSCIFunction.MIGRATE_32, NOT_SUPPORTED), (PSCIFunction.MIGRATE_64, NOT_SUPPORTED),
        (PSCIFunction.MIGRATE_INFO_TYPE, 0),
        (PSCIFunction.MIGRATE_INFO_UP_CPU_32, NOT_SUPPORTED), (PSCIFunction.MIGRATE_INFO_UP_CPU_64, NOT_SUPPORTED),
        (PSCIFunction.SYSTEM_OFF, 0), (PSCIFunction.SYSTEM_RESET, 0), (PSCIFunction.PSCI_FEATURES, 0),
        (PSCIFunction.CPU_FREEZE, NOT_SUPPORTED),
        (PSCIFunction.CPU_DEFAULT_SUSPEND_32, NOT_SUPPORTED), (PSCIFunction.CPU_DEFAULT_SUSPEND_64, NOT_SUPPORTED),
        (PSCIFunction.NODE_HW_STATE_32, NOT_SUPPORTED), (PSCIFunction.NODE_HW_STATE_64, NOT_SUPPORTED),
        (PSCIFunction.SYSTEM_SUSPEND_32, 0), (PSCIFunction.SYSTEM_SUSPEND_64, 0),
        (PSCIFunction.PSCI_SET_SUSPEND_MODE, NOT_SUPPORTED),
        (PSCIFunction.PSCI_STAT_RESIDENCY_32, NOT_SUPPORTED), (PSCIFunction.PSCI_STAT_RESIDENCY_64, NOT_SUPPORTED),
        (PSCIFunction.PSCI_STAT_COUNT_32, NOT_SUPPORTED), (PSCIFunction.PSCI_STAT_COUNT_64, NOT_SUPPORTED),
        (PSCIFunction.SYSTEM_RESET2_32, 0), (PSCIFunction.SYSTEM_RESET2_64, 0),
        (PSCIFunction.MEM_PROTECT, NOT_SUPPORTED),
        (PSCIFunction.MEM_PROTECT_CHECK_RANGE_32, NOT_SUPPORTED), (PSCIFunction.MEM_PROTECT_CHECK_RANGE_64, NOT_SUPPORTED),
        (PSCIFunction.SYSTEM_OFF2_32, 1), (PSCIFunction.SYSTEM_OFF2_64, 1),
        (ArmArchitectureFunction.SMCCC_VERSION, 0), (ArmArchitectureFunction.SMCCC_ARCH_FEATURES, NOT_SUPPORTED),
        (TRNGFunction.TRNG_VERSION, NOT_SUPPORTED),
    ] as [(FunctionID, UInt64)])
    func psciFeaturesAt1_3(id: FunctionID, expected: UInt64) throws {
        #expect(try TestVM().x0(PSCIFunction.PSCI_FEATURES.x0, id.x0) == expected)
    }

    @Test func psciFeaturesIsAbsentAt0_2() throws {
        let vm = try TestVM(policy: try policy(psci: .v0_2))
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.CPU_ON_64.x0) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.SYSTEM_SUSPEND_64.x0, 0x4000_0000, 0) == NOT_SUPPORTED)
        // 0.2 still has the core functions.
        #expect(vm.x0(PSCIFunction.MIGRATE_INFO_TYPE.x0) == 2)
    }

    @Test func anyOtherPSCIRangeIDIsNotSupported() throws {
        let vm = try TestVM()
        for number in UInt64(0x16)...0x1F {
            #expect(vm.x0(0x8400_0000 | number) == NOT_SUPPORTED)
            #expect(vm.x0(0xC400_0000 | number) == NOT_SUPPORTED)
        }
        #expect(vm.x0(0xC400_0000) == NOT_SUPPORTED)  // PSCI_VERSION has no SMC64 form
    }

    @Test func aarch32CallerCannotUseSMC64Functions() throws {
        let vm = try TestVM(vcpus: 2, on: [0])
        #expect(vm.x0(PSCIFunction.CPU_ON_64.x0, 1, 0x4000_0000, 0, caller: aarch32) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.CPU_ON_64.x0, caller: aarch32) == NOT_SUPPORTED)
        #expect(vm.x0(PSCIFunction.PSCI_FEATURES.x0, PSCIFunction.CPU_ON_32.x0, caller: aarch32) == 0)
        #expect(vm.x0(PSCIFunction.CPU_ON_32.x0, 1, 0x4000_0000, 0, caller: aarch32) == 0)
    }

    @Test func afterAnySystemEventEveryVCPUIsStopped() throws {
        for (id, args) in [(PSCIFunction.SYSTEM_OFF, [UInt64]()), (PSCIFunction.SYSTEM_RESET, []),
                           (PSCIFunction.SYSTEM_RESET2_64, [0, 0]), (PSCIFunction.SYSTEM_OFF2_64, [0, 0])] {
            let vm = try TestVM(vcpus: 4, on: [0, 1, 2, 3])
            var call = FirmwareCall(conduit: .hvc, registers: [id.x0] + args)
            _ = vm.router.dispatch(&call)
            #expect((0..<4).allSatisfy { vm.power.powerState(of: $0) == .off }, "\(id.name.map { "\($0)" } ?? "")")
        }
    }
}
