import SMCCC
import Testing

/// Every named constant, with its value and its human name, as the specifications spell them.
@Suite struct KnownFunctionTests {
    @Test(arguments: [
        (ArmArchitectureFunction.SMCCC_VERSION, UInt32(0x8000_0000), "SMCCC_VERSION"),
        (ArmArchitectureFunction.SMCCC_ARCH_FEATURES, 0x8000_0001, "SMCCC_ARCH_FEATURES"),
        (ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32, 0x8000_0002, "SMCCC_ARCH_SOC_ID"),
        (ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_64, 0xC000_0002, "SMCCC_ARCH_SOC_ID"),
        (ArmArchitectureFunction.SMCCC_ARCH_FEATURE_AVAILABILITY, 0xC000_0003, "SMCCC_ARCH_FEATURE_AVAILABILITY"),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_1, 0x8000_8000, "SMCCC_ARCH_WORKAROUND_1"),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_2, 0x8000_7FFF, "SMCCC_ARCH_WORKAROUND_2"),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_3, 0x8000_3FFF, "SMCCC_ARCH_WORKAROUND_3"),
        (ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_4, 0x8000_0004, "SMCCC_ARCH_WORKAROUND_4"),
    ])
    func architectureCalls(id: FunctionID, raw: UInt32, name: String) {
        #expect(id.rawValue == raw)
        #expect(id.name.map { "\($0)" } == name)
        #expect(id.interface == .armArchitecture)
    }

    @Test(arguments: [
        (PSCIFunction.PSCI_VERSION, UInt32(0x8400_0000), "PSCI_VERSION"),
        (PSCIFunction.CPU_SUSPEND_32, 0x8400_0001, "CPU_SUSPEND"), (PSCIFunction.CPU_SUSPEND_64, 0xC400_0001, "CPU_SUSPEND"),
        (PSCIFunction.CPU_OFF, 0x8400_0002, "CPU_OFF"),
        (PSCIFunction.CPU_ON_32, 0x8400_0003, "CPU_ON"), (PSCIFunction.CPU_ON_64, 0xC400_0003, "CPU_ON"),
        (PSCIFunction.AFFINITY_INFO_32, 0x8400_0004, "AFFINITY_INFO"), (PSCIFunction.AFFINITY_INFO_64, 0xC400_0004, "AFFINITY_INFO"),
        (PSCIFunction.MIGRATE_32, 0x8400_0005, "MIGRATE"), (PSCIFunction.MIGRATE_64, 0xC400_0005, "MIGRATE"),
        (PSCIFunction.MIGRATE_INFO_TYPE, 0x8400_0006, "MIGRATE_INFO_TYPE"),
        (PSCIFunction.MIGRATE_INFO_UP_CPU_32, 0x8400_0007, "MIGRATE_INFO_UP_CPU"),
        (PSCIFunction.MIGRATE_INFO_UP_CPU_64, 0xC400_0007, "MIGRATE_INFO_UP_CPU"),
        (PSCIFunction.SYSTEM_OFF, 0x8400_0008, "SYSTEM_OFF"), (PSCIFunction.SYSTEM_RESET, 0x8400_0009, "SYSTEM_RESET"),
        (PSCIFunction.PSCI_FEATURES, 0x8400_000A, "PSCI_FEATURES"), (PSCIFunction.CPU_FREEZE, 0x8400_000B, "CPU_FREEZE"),
        (PSCIFunction.CPU_DEFAULT_SUSPEND_32, 0x8400_000C, "CPU_DEFAULT_SUSPEND"),
        (PSCIFunction.CPU_DEFAULT_SUSPEND_64, 0xC400_000C, "CPU_DEFAULT_SUSPEND"),
        (PSCIFunction.NODE_HW_STATE_32, 0x8400_000D, "NODE_HW_STATE"), (PSCIFunction.NODE_HW_STATE_64, 0xC400_000D, "NODE_HW_STATE"),
        (PSCIFunction.SYSTEM_SUSPEND_32, 0x8400_000E, "SYSTEM_SUSPEND"), (PSCIFunction.SYSTEM_SUSPEND_64, 0xC400_000E, "SYSTEM_SUSPEND"),
        (PSCIFunction.PSCI_SET_SUSPEND_MODE, 0x8400_000F, "PSCI_SET_SUSPEND_MODE"),
        (PSCIFunction.PSCI_STAT_RESIDENCY_32, 0x8400_0010, "PSCI_STAT_RESIDENCY"),
        (PSCIFunction.PSCI_STAT_RESIDENCY_64, 0xC400_0010, "PSCI_STAT_RESIDENCY"),
        (PSCIFunction.PSCI_STAT_COUNT_32, 0x8400_0011, "PSCI_STAT_COUNT"), (PSCIFunction.PSCI_STAT_COUNT_64, 0xC400_0011, "PSCI_STAT_COUNT"),
        (PSCIFunction.SYSTEM_RESET2_32, 0x8400_0012, "SYSTEM_RESET2"), (PSCIFunction.SYSTEM_RESET2_64, 0xC400_0012, "SYSTEM_RESET2"),
        (PSCIFunction.MEM_PROTECT, 0x8400_0013, "MEM_PROTECT"),
        (PSCIFunction.MEM_PROTECT_CHECK_RANGE_32, 0x8400_0014, "MEM_PROTECT_CHECK_RANGE"),
        (PSCIFunction.MEM_PROTECT_CHECK_RANGE_64, 0xC400_0014, "MEM_PROTECT_CHECK_RANGE"),
        (PSCIFunction.SYSTEM_OFF2_32, 0x8400_0015, "SYSTEM_OFF2"), (PSCIFunction.SYSTEM_OFF2_64, 0xC400_0015, "SYSTEM_OFF2"),
    ])
    func psci1_3(id: FunctionID, raw: UInt32, name: String) {
        #expect(id.rawValue == raw)
        #expect(id.name.map { "\($0)" } == name)
        #expect(id.interface == .psci)
    }

    @Test func psciSMC64FormsExistOnlyWhereDefined() {
        #expect(FunctionID(0xC400_0000).name == nil)  // PSCI_VERSION is SMC32 only
        #expect(FunctionID(0xC400_0002).name == nil)  // CPU_OFF is SMC32 only
        #expect(FunctionID(0x8400_0016).name == nil)  // beyond PSCI 1.3
        #expect(FunctionID(0x8400_0016).interface == .psci)
    }

    @Test(arguments: [
        (TRNGFunction.TRNG_VERSION, UInt32(0x8400_0050), "TRNG_VERSION"),
        (TRNGFunction.TRNG_FEATURES, 0x8400_0051, "TRNG_FEATURES"),
        (TRNGFunction.TRNG_GET_UUID, 0x8400_0052, "TRNG_GET_UUID"),
        (TRNGFunction.TRNG_RND32, 0x8400_0053, "TRNG_RND32"),
        (TRNGFunction.TRNG_RND64, 0xC400_0053, "TRNG_RND64"),
    ])
    func trng1_0(id: FunctionID, raw: UInt32, name: String) {
        #expect(id.rawValue == raw)
        #expect(id.name.map { "\($0)" } == name)
        #expect(id.interface == .trng)
    }

    @Test(arguments: [
        (PVTimeFunction.PV_TIME_FEATURES, UInt32(0xC500_0020), "PV_TIME_FEATURES", FirmwareInterface.pvTime),
        (PVTimeFunction.PV_TIME_ST, 0xC500_0021, "PV_TIME_ST", .pvTime),
        (KVMVendorFunction.KVM_FEATURES, 0x8600_0000, "KVM_FEATURES", .kvmVendor),
        (KVMVendorFunction.KVM_PTP, 0x8600_0001, "KVM_PTP", .kvmVendor),
        (KVMVendorFunction.HYP_MEMINFO, 0xC600_0002, "KVM_HYP_MEMINFO", .kvmVendor),
        (KVMVendorFunction.MEM_SHARE, 0xC600_0003, "KVM_MEM_SHARE", .kvmVendor),
        (KVMVendorFunction.MEM_UNSHARE, 0xC600_0004, "KVM_MEM_UNSHARE", .kvmVendor),
        (KVMVendorFunction.MMIO_GUARD, 0xC600_0007, "KVM_MMIO_GUARD", .kvmVendor),
        (KVMVendorFunction.DISCOVER_IMPL_VER, 0xC600_0040, "KVM_DISCOVER_IMPL_VER", .kvmVendor),
        (KVMVendorFunction.DISCOVER_IMPL_CPUS, 0xC600_0041, "KVM_DISCOVER_IMPL_CPUS", .kvmVendor),
        (KVMVendorFunction.KVM_FEATURES_2, 0x8600_007F, "KVM_FEATURES_2", .kvmVendor),
        (KVMVendorFunction.VENDOR_HYP_CALL_UID, 0x8600_FF01, "CALL_UID", .serviceQuery),
        (KVMPSCI0_1Function.CPU_SUSPEND, 0x95C1_BA5E, "CPU_SUSPEND", .kvmPSCI0_1),
        (KVMPSCI0_1Function.CPU_OFF, 0x95C1_BA5F, "CPU_OFF", .kvmPSCI0_1),
        (KVMPSCI0_1Function.CPU_ON, 0x95C1_BA60, "CPU_ON", .kvmPSCI0_1),
        (KVMPSCI0_1Function.MIGRATE, 0x95C1_BA61, "MIGRATE", .kvmPSCI0_1),
    ])
    func hypervisorServices(id: FunctionID, raw: UInt32, name: String, interface: FirmwareInterface) {
        #expect(id.rawValue == raw)
        #expect(id.name.map { "\($0)" } == name)
        #expect(id.interface == interface)
    }

    @Test func generalServiceQueries() {
        #expect(GeneralServiceQuery.callCount.functionID(owner: .standardSecure).rawValue == 0x8400_FF00)
        #expect(GeneralServiceQuery.callUID.functionID(owner: .standardSecure).rawValue == 0x8400_FF01)
        #expect(GeneralServiceQuery.revision.functionID(owner: .standardSecure).rawValue == 0x8400_FF03)
        #expect(FunctionID(0x8200_FF03).name.text == "REVISION")
    }

    @Test func uuids() {
        #expect(SMCCCUUID.kvmVendor == SMCCCUUID(w0: 0xB66F_B428, w1: 0xE911_C52E, w2: 0x564B_CAA9, w3: 0x743A_004D))
        #expect(SMCCCUUID.kvmTRNG == SMCCCUUID(w0: 0x00E0_210D, w1: 0xEB11_8443, w2: 0x4452_7080, w3: 0x4C5A_4E55))
    }
}
