import Firmware
import SMCCC
import Testing

/// Linux tools/testing/selftests/kvm/arm64/hypercalls.c, stage by stage (reference §c.3), and the
/// firmware pseudo-registers it exercises (§a.4).
@Suite struct HypercallsSelftestTests {
    /// The calls under test (`hvc_info`), with their argument.
    static let hvcInfo: [(FunctionID, UInt64)] = [
        (TRNGFunction.TRNG_VERSION, 0),
        (TRNGFunction.TRNG_FEATURES, TRNGFunction.TRNG_RND64.x0),
        (TRNGFunction.TRNG_GET_UUID, 0),
        (TRNGFunction.TRNG_RND32, 0),
        (TRNGFunction.TRNG_RND64, 0),
        (ArmArchitectureFunction.SMCCC_ARCH_FEATURES, PVTimeFunction.PV_TIME_FEATURES.x0),
        (PVTimeFunction.PV_TIME_FEATURES, PVTimeFunction.PV_TIME_ST.x0),
        (PVTimeFunction.PV_TIME_ST, 0),
        (KVMVendorFunction.KVM_FEATURES, 0),
        (KVMVendorFunction.VENDOR_HYP_CALL_UID, 0),
        (KVMVendorFunction.KVM_PTP, KVMVendorFunction.PTP_VIRTUAL_COUNTER),
    ]

    static let bitmaps: [(FirmwareRegister, reset: UInt64, full: UInt64, invalid: UInt64)] = [
        (.standardBitmap, 0x1, 0x1, 1 << 1),
        (.standardHypervisorBitmap, 0x1, 0x1, 1 << 1),
        (.vendorHypervisorBitmap, 0x3, 0x3, 1 << 2),
        (.vendorHypervisorBitmap2, 0x0, 0x3, 1 << 2),
    ]

    /// REG_IFACE: before the first run, every bitmap reads its reset value, accepts 0 or its full
    /// mask, and rejects the first unknown bit with EINVAL. All are left at 0.
    @Test func stage_REG_IFACE() throws {
        var policy = FirmwarePolicy()
        for (register, reset, full, invalid) in Self.bitmaps {
            #expect(try policy.value(ofRegister: register.rawValue) == reset)
            let other = reset == 0 ? full : 0
            try policy.setRegister(register.rawValue, to: other)
            #expect(try policy.value(ofRegister: register.rawValue) == other)
            try policy.setRegister(register.rawValue, to: 0)
            let error = #expect(throws: PolicyError.self) { try policy.setRegister(register.rawValue, to: invalid) }
            #expect(error?.kvmErrno == .EINVAL)
        }
        for (register, _, _, _) in Self.bitmaps { #expect(try policy.value(ofRegister: register.rawValue) == 0) }
    }

    /// After the first run: each register reads 0 and a write of the full mask is EBUSY.
    @Test func stage_afterFirstRun() throws {
        var policy = FirmwarePolicy()
        for (register, _, _, _) in Self.bitmaps { try policy.setRegister(register.rawValue, to: 0) }
        let vm = try TestVM(policy: policy)
        for (register, _, full, _) in Self.bitmaps {
            #expect(try vm.router.value(ofRegister: register.rawValue) == 0)
            let error = #expect(throws: PolicyError.self) { try vm.router.setRegister(register.rawValue, to: full) }
            #expect(error?.kvmErrno == .EBUSY)
            try vm.router.setRegister(register.rawValue, to: 0)  // the same value is accepted
        }
    }

    /// HVC_IFACE_FEAT_DISABLED: with every bitmap 0, every call is denied.
    @Test func stage_HVC_IFACE_FEAT_DISABLED() throws {
        var policy = FirmwarePolicy()
        for (register, _, _, _) in Self.bitmaps { try policy.setRegister(register.rawValue, to: 0) }
        let vm = try TestVM(policy: policy, stolenTime: [0: 0x4000_0000])
        for (id, argument) in Self.hvcInfo {
            #expect(vm.x0(id.x0, argument) == NOT_SUPPORTED, "\(id.name.map { "\($0)" } ?? "")")
        }
    }

    /// HVC_IFACE_FEAT_ENABLED: default bitmaps and a stolen-time record; nothing is denied.
    @Test func stage_HVC_IFACE_FEAT_ENABLED() throws {
        let vm = try TestVM(stolenTime: [0: 0x4000_0000])
        for (id, argument) in Self.hvcInfo {
            #expect(vm.x0(id.x0, argument) != NOT_SUPPORTED, "\(id.name.map { "\($0)" } ?? "")")
        }
        #expect(vm.x0(PVTimeFunction.PV_TIME_ST.x0) == 0x4000_0000)
    }

    /// HVC_IFACE_FALSE_INFO: features queries about another service's IDs say no.
    @Test func stage_HVC_IFACE_FALSE_INFO() throws {
        let vm = try TestVM(stolenTime: [0: 0x4000_0000])
        #expect(vm.x0(TRNGFunction.TRNG_FEATURES.x0, KVMVendorFunction.KVM_PTP.x0) == NOT_SUPPORTED)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_ARCH_FEATURES.x0, TRNGFunction.TRNG_RND64.x0) == NOT_SUPPORTED)
        #expect(vm.x0(PVTimeFunction.PV_TIME_FEATURES.x0, TRNGFunction.TRNG_RND64.x0) == NOT_SUPPORTED)
    }

    /// Narrowing one bit switches off exactly the functions it gates.
    @Test func bitmapGating() throws {
        var policy = FirmwarePolicy()
        try policy.setRegister(FirmwareRegister.vendorHypervisorBitmap.rawValue, to: FeatureBitmaps.FUNC_FEAT)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(KVMVendorFunction.KVM_PTP.x0, 0) == NOT_SUPPORTED)
        #expect(vm.call(KVMVendorFunction.KVM_PTP.x0, 0).disposition.reason == .featureDisabled)
        #expect(vm.x0(KVMVendorFunction.KVM_FEATURES.x0) == FeatureBitmaps.FUNC_FEAT)
        #expect(vm.x0(KVMVendorFunction.VENDOR_HYP_CALL_UID.x0) == 0xB66F_B428)
    }
}

/// The firmware pseudo-registers (reference §a.4, rows R1-R9).
@Suite struct FirmwareRegisterTests {
    @Test func r1_psciVersion() throws {
        var policy = FirmwarePolicy()
        #expect(try policy.value(ofRegister: 0x6030_0000_0014_0000) == 0x10003)
        for value: UInt64 in [0x2, 0x10000, 0x10001, 0x10002, 0x10003] {
            try policy.setRegister(0x6030_0000_0014_0000, to: value)
            #expect(policy.psciVersion.rawValue == UInt32(value))
        }
        for value: UInt64 in [0x1, 0x10004, 0x20000, 0] {
            let error = #expect(throws: PolicyError.self) { try policy.setRegister(0x6030_0000_0014_0000, to: value) }
            #expect(error?.kvmErrno == .EINVAL)
        }
    }

    @Test func r1_psciVersionIsFrozenAfterStart() throws {
        let vm = try TestVM()
        try vm.router.setRegister(FirmwareRegister.psciVersion.rawValue, to: 0x10003)
        let error = #expect(throws: PolicyError.self) { try vm.router.setRegister(FirmwareRegister.psciVersion.rawValue, to: 0x10000) }
        #expect(error?.kvmErrno == .EBUSY)
    }

    @Test(arguments: [FirmwareRegister.workaround1, .workaround3])
    func r2_r4_workarounds1And3(register: FirmwareRegister) throws {
        var policy = FirmwarePolicy()
        #expect(policy.value(of: register) == 2)  // NOT_REQUIRED
        for value: UInt64 in [0, 1, 2] { try policy.setRegister(register.rawValue, to: value) }
        #expect(policy.value(of: register) == 2)  // writes change nothing
        for value: UInt64 in [3, 0x10, 0xF] {
            #expect(throws: PolicyError.self) { try policy.setRegister(register.rawValue, to: value) }
        }
    }

    @Test func r3_workaround2() throws {
        var policy = FirmwarePolicy()
        #expect(policy.value(of: .workaround2) == 3)  // NOT_REQUIRED
        for value: UInt64 in [0, 1, 2, 3, 0x12] { try policy.setRegister(FirmwareRegister.workaround2.rawValue, to: value) }
        for value: UInt64 in [0x13, 0x10, 4, 0x20] {
            #expect(throws: PolicyError.self) { try policy.setRegister(FirmwareRegister.workaround2.rawValue, to: value) }
        }
    }

    @Test func r9_unknownRegisterIsENOENT() throws {
        var policy = FirmwarePolicy()
        let error = #expect(throws: PolicyError.self) { try policy.setRegister(0x6030_0000_0014_0004, to: 0) }
        #expect(error?.kvmErrno == .ENOENT)
        #expect(throws: PolicyError.unknownRegister(0x6030_0000_0016_0004)) { try policy.value(ofRegister: 0x6030_0000_0016_0004) }
    }

    @Test func r9_registerListOrder() {
        #expect(FirmwareRegister.allCases.map(\.rawValue) == [
            0x6030_0000_0014_0000, 0x6030_0000_0014_0001, 0x6030_0000_0014_0002, 0x6030_0000_0014_0003,
            0x6030_0000_0016_0000, 0x6030_0000_0016_0001, 0x6030_0000_0016_0002, 0x6030_0000_0016_0003,
        ])
    }
}
