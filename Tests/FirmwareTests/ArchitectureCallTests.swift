import Firmware
import SMCCC
import Testing

/// SMCCC Arm Architecture Calls (reference §a.2, rows S1-S5).
@Suite struct ArchitectureCallTests {
    @Test func s1_smcccVersionIs1_1ByDefault() throws {
        #expect(try TestVM().x0to3(ArmArchitectureFunction.SMCCC_VERSION.x0) == [0x10001, 0, 0, 0])
    }

    @Test func s1_smcccVersion1_2IsSelectable() throws {
        var policy = FirmwarePolicy()
        try policy.setSMCCCVersion(.v1_2)
        #expect(try TestVM(policy: policy).x0(ArmArchitectureFunction.SMCCC_VERSION.x0) == 0x10002)
        #expect(throws: PolicyError.self) { try policy.setSMCCCVersion(.v1_3) }
    }

    /// S2: ARCH_FEATURES for each ID. An emulator is unaffected by every Spectre variant.
    @Test(arguments: [
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_1, UInt64(1)),  // UNAFFECTED
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_2, SMCCCReturn.notRequired.registerValue),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_3, 1),
        (PVTimeFunction.PV_TIME_FEATURES, 0),
        (ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32, 0),  // Conduit implements SOC_ID
        // DEN0028 §7.3: SMCCC_VERSION and SMCCC_ARCH_FEATURES report 0 (KVM: -1).
        (ArmArchitectureFunction.SMCCC_VERSION, 0),
        (ArmArchitectureFunction.SMCCC_ARCH_FEATURES, 0),
        (ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_64, NOT_SUPPORTED),
        (ArmArchitectureFunction.SMCCC_ARCH_FEATURE_AVAILABILITY, NOT_SUPPORTED),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_4, NOT_SUPPORTED),
        (TRNGFunction.TRNG_RND64, NOT_SUPPORTED),
        (PSCIFunction.PSCI_VERSION, NOT_SUPPORTED),
        (KVMVendorFunction.KVM_FEATURES, NOT_SUPPORTED),
        (PVTimeFunction.PV_TIME_ST, NOT_SUPPORTED),
    ] as [(FunctionID, UInt64)])
    func s2_archFeatures(id: FunctionID, expected: UInt64) throws {
        #expect(try TestVM().x0to3(ArmArchitectureFunction.SMCCC_ARCH_FEATURES.x0, id.x0) == [expected, 0, 0, 0])
    }

    @Test func s2_archFeaturesOfPVTimeFollowsTheStandardHypervisorBitmap() throws {
        var policy = FirmwarePolicy()
        try policy.setRegister(FirmwareRegister.standardHypervisorBitmap.rawValue, to: 0)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_FEATURES.x0, PVTimeFunction.PV_TIME_FEATURES.x0) == NOT_SUPPORTED)
    }

    /// S3: SOC_ID, implemented with the configured identity (KVM has none).
    @Test func s3_socID() throws {
        var policy = FirmwarePolicy()
        policy.socIdentity = SoCIdentity(jep106Bank: 4, jep106Identification: 0x3B, socID: 0x1234, revision: 0x5678)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0to3(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0, 0) == [0x043B_1234, 0, 0, 0])
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0, 1) == 0x5678)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0, 2) == SMCCCReturn.invalidParameter.registerValue)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0, 0xFFFF_FFFF_0000_0000) == 0x043B_1234)  // W1
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_64.x0, 2) == NOT_SUPPORTED)
    }

    @Test func s3_socIDSwitchedOffBehavesAsKVM() throws {
        var policy = FirmwarePolicy()
        policy.socIdentity = nil
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0, 0) == NOT_SUPPORTED)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_FEATURES.x0, ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32.x0) == NOT_SUPPORTED)
    }

    /// S4: the workaround calls themselves return 0, through either conduit.
    @Test(arguments: [
        ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_1, ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_2,
        ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_3,
    ])
    func s4_workaroundCallsReturnZero(id: FunctionID) throws {
        let vm = try TestVM(policy: bothConduits())
        #expect(vm.x0(id.x0, 1) == 0)
        #expect(vm.x0(id.x0, 1, conduit: .smc) == 0)
    }

    /// S5: unknown IDs anywhere are denied with X1-X3 zeroed.
    @Test(arguments: [UInt64(0x8000_0005), 0x8000_FFFF, 0xC000_0000, 0x8200_0000, 0x0100_0000, 0xFFFF_FFFF, 0x8700_0000])
    func s5_unknownIDs(id: UInt64) throws {
        let vm = try TestVM()
        let (call, disposition) = vm.call(id, 11, 22, 33)
        #expect((0..<4).map { call.results[$0] } == [NOT_SUPPORTED, 0, 0, 0])
        #expect(disposition.action == .deny || disposition.action == .handle)
    }

    @Test func malformedFastCallIsNotSupported() throws {
        let vm = try TestVM()
        // PSCI_VERSION with a reserved bit (23:17) set names no function.
        #expect(vm.x0(0x8402_0000) == NOT_SUPPORTED)
        // The SVE hint is reserved below SMCCC v1.3, which Conduit does not offer.
        #expect(vm.x0(0x8401_0000) == NOT_SUPPORTED)
    }
}
