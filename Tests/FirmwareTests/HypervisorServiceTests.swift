import Firmware
import SMCCC
import Testing

/// TRNG 1.0 (reference §a.7, rows G1-G6).
@Suite struct TRNGTests {
    @Test func g1_version() throws {
        #expect(try TestVM().x0to3(TRNGFunction.TRNG_VERSION.x0) == [0x10000, 0, 0, 0])
    }

    @Test(arguments: [
        (TRNGFunction.TRNG_VERSION, UInt64(0)), (TRNGFunction.TRNG_FEATURES, 0), (TRNGFunction.TRNG_GET_UUID, 0),
        (TRNGFunction.TRNG_RND32, 0), (TRNGFunction.TRNG_RND64, 0),
        (KVMVendorFunction.KVM_PTP, TRNGReturn.notSupported.registerValue),
        (FunctionID(0x8400_0054), TRNGReturn.notSupported.registerValue),
    ] as [(FunctionID, UInt64)])
    func g2_features(id: FunctionID, expected: UInt64) throws {
        #expect(try TestVM().x0(TRNGFunction.TRNG_FEATURES.x0, id.x0) == expected)
    }

    @Test func g3_uuid() throws {
        #expect(try TestVM().x0to3(TRNGFunction.TRNG_GET_UUID.x0) == [0x00E0_210D, 0xEB11_8443, 0x4452_7080, 0x4C5A_4E55])
    }

    @Test func g4_rnd32() throws {
        let vm = try TestVM()
        #expect(vm.x0to3(TRNGFunction.TRNG_RND32.x0, 97) == [TRNGReturn.invalidParameter.registerValue, 0, 0, 0])
        #expect(vm.x0to3(TRNGFunction.TRNG_RND32.x0, 0) == [0, 0, 0, 0])  // N = 0 succeeds, as in KVM
        for bits: UInt64 in [1, 8, 31, 32, 33, 64, 65, 95, 96] {
            let r = vm.x0to3(TRNGFunction.TRNG_RND32.x0, bits)
            #expect(r[0] == 0)
            // Right-aligned in 32-bit words, X3 lowest; unrequested high bits are zero.
            let mask = { (word: UInt64) -> UInt64 in
                let wanted = min(max(Int64(bits) - Int64(word * 32), 0), 32)
                return wanted == 0 ? 0 : (1 << UInt64(wanted)) - 1
            }
            #expect(r[3] & ~mask(0) == 0, "N=\(bits)")
            #expect(r[2] & ~mask(1) == 0, "N=\(bits)")
            #expect(r[1] & ~mask(2) == 0, "N=\(bits)")
        }
        // X1 of an SMC32 call is W1.
        #expect(vm.x0(TRNGFunction.TRNG_RND32.x0, 0xFFFF_FFFF_0000_0060) == 0)
    }

    @Test func g5_rnd64() throws {
        let vm = try TestVM()
        #expect(vm.x0(TRNGFunction.TRNG_RND64.x0, 193) == TRNGReturn.invalidParameter.registerValue)
        // Conduit compares the whole of X1 (KVM truncates it to 32 bits first).
        #expect(vm.x0(TRNGFunction.TRNG_RND64.x0, 0x1_0000_0000) == TRNGReturn.invalidParameter.registerValue)
        #expect(vm.x0to3(TRNGFunction.TRNG_RND64.x0, 0) == [0, 0, 0, 0])
        let r = vm.x0to3(TRNGFunction.TRNG_RND64.x0, 130)
        #expect(r[0] == 0)
        #expect(r[1] & ~0x3 == 0)  // X1 holds bits 191:128, of which only 129:128 were requested
        // 192 bits fill all three registers; with the seeded stream they are the generator's words.
        var policy = FirmwarePolicy()
        policy.entropy = .seeded(1)
        let seeded = try TestVM(policy: policy).x0to3(TRNGFunction.TRNG_RND64.x0, 192)
        #expect(seeded[1] != 0 && seeded[2] != 0 && seeded[3] != 0)
    }

    @Test func seededModeIsReproducible() throws {
        var policy = FirmwarePolicy()
        policy.entropy = .seeded(0x5EED)
        let a = try TestVM(policy: policy)
        let b = try TestVM(policy: policy)
        for bits: UInt64 in [7, 96, 192, 64] {
            let id = bits > 96 ? TRNGFunction.TRNG_RND64 : TRNGFunction.TRNG_RND32
            #expect(a.x0to3(id.x0, bits) == b.x0to3(id.x0, bits))
        }
        policy.entropy = .seeded(0x5EEE)
        #expect(try TestVM(policy: policy).x0to3(TRNGFunction.TRNG_RND64.x0, 192) != a.x0to3(TRNGFunction.TRNG_RND64.x0, 192))
    }

    @Test func g6_systemEntropyNeverReportsNoEntropy() throws {
        let vm = try TestVM()
        let words = (0..<8).map { _ in vm.x0to3(TRNGFunction.TRNG_RND64.x0, 192) }
        #expect(words.allSatisfy { $0[0] == 0 })
        #expect(Set(words.map { $0[3] }).count > 1)
    }
}

/// The KVM vendor hypervisor service (reference §a.5, rows V1-V5).
@Suite struct KVMVendorServiceTests {
    @Test func v1_callUID() throws {
        #expect(try TestVM().x0to3(KVMVendorFunction.VENDOR_HYP_CALL_UID.x0) == [0xB66F_B428, 0xE911_C52E, 0x564B_CAA9, 0x743A_004D])
    }

    @Test func v2_kvmFeatures() throws {
        #expect(try TestVM().x0to3(KVMVendorFunction.KVM_FEATURES.x0) == [0x3, 0, 0, 0])
        var policy = FirmwarePolicy()
        try policy.setRegister(FirmwareRegister.vendorHypervisorBitmap2.rawValue, to: 0x3)
        #expect(try TestVM(policy: policy).x0to3(KVMVendorFunction.KVM_FEATURES.x0) == [0x3, 0, 0x3, 0])
    }

    @Test func v3_ptp() throws {
        let vm = try TestVM(clock: FakeClock(wall: 0x1234_5678_9ABC_DEF0, virtualCounter: 0x1_0000_0002, physicalCounter: 0x3_0000_0004))
        #expect(vm.x0to3(KVMVendorFunction.KVM_PTP.x0, 0) == [0x1234_5678, 0x9ABC_DEF0, 0x1, 0x2])
        #expect(vm.x0to3(KVMVendorFunction.KVM_PTP.x0, 1) == [0x1234_5678, 0x9ABC_DEF0, 0x3, 0x4])
        #expect(vm.x0to3(KVMVendorFunction.KVM_PTP.x0, 2) == [NOT_SUPPORTED, 0, 0, 0])
        let noClock = try TestVM(clock: FakeClock(available: false))
        #expect(noClock.x0(KVMVendorFunction.KVM_PTP.x0, 0) == NOT_SUPPORTED)
    }

    @Test func v3_ptpOnTheHostClockIsConsistent() throws {
        let router = try FirmwareRouter(FirmwareSetup(host: .detached()))
        var call = FirmwareCall(conduit: .hvc, registers: [KVMVendorFunction.KVM_PTP.x0, 0])
        _ = router.dispatch(&call)
        let wall = call.results[0] << 32 | call.results[1]
        #expect(wall > 1_700_000_000 * 1_000_000_000)  // after 2023
    }

    @Test func v4_discoverImplIsNotBuiltIn() throws {
        var policy = FirmwarePolicy()
        try policy.setRegister(FirmwareRegister.vendorHypervisorBitmap2.rawValue, to: 0x3)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(KVMVendorFunction.DISCOVER_IMPL_VER.x0) == NOT_SUPPORTED)
        #expect(vm.x0(KVMVendorFunction.DISCOVER_IMPL_CPUS.x0, 0) == NOT_SUPPORTED)
    }

    @Test func v4_discoverImplForwardedToTheVMM() throws {
        var policy = FirmwarePolicy()
        try policy.setRegister(FirmwareRegister.vendorHypervisorBitmap2.rawValue, to: 0x3)
        let range = FunctionIDRange(first: 0xC600_0040, last: 0xC600_0041)
        try policy.addRange(range, action: .forward, handler: "migration")
        let handler = RecordingHandler(name: "migration", ranges: [range], answer: 0)
        let vm = try TestVM(policy: policy, forwardHandlers: [handler])
        #expect(vm.x0(KVMVendorFunction.DISCOVER_IMPL_VER.x0) == 0)
        #expect(handler.calls.count == 1)
    }

    @Test(arguments: [KVMVendorFunction.HYP_MEMINFO, KVMVendorFunction.MEM_SHARE, KVMVendorFunction.MEM_UNSHARE, KVMVendorFunction.MMIO_GUARD])
    func v5_pKVMCallsAreDenied(id: FunctionID) throws {
        #expect(try TestVM().x0to3(id.x0) == [NOT_SUPPORTED, 0, 0, 0])
    }
}

/// PV time (reference §a.6, rows T1-T3).
@Suite struct PVTimeTests {
    @Test func t1_featuresNeedAStolenTimeAddress() throws {
        let without = try TestVM()
        #expect(without.x0(PVTimeFunction.PV_TIME_FEATURES.x0, PVTimeFunction.PV_TIME_ST.x0) == NOT_SUPPORTED)
        let with = try TestVM(stolenTime: [0: 0x4000_1000])
        #expect(with.x0(PVTimeFunction.PV_TIME_FEATURES.x0, PVTimeFunction.PV_TIME_ST.x0) == 0)
        #expect(with.x0(PVTimeFunction.PV_TIME_FEATURES.x0, PVTimeFunction.PV_TIME_FEATURES.x0) == 0)
        #expect(with.x0(PVTimeFunction.PV_TIME_FEATURES.x0, TRNGFunction.TRNG_RND64.x0) == NOT_SUPPORTED)
        // Per vCPU: vCPU 1 has no record.
        #expect(with.x0(PVTimeFunction.PV_TIME_FEATURES.x0, PVTimeFunction.PV_TIME_ST.x0, caller: CallerState(vcpu: 1)) == NOT_SUPPORTED)
    }

    @Test func t2_stReturnsTheZeroedRecord() throws {
        let vm = try TestVM(stolenTime: [0: 0x4000_1000])
        #expect(vm.memory.read(count: 64, at: 0x4000_1000) == [UInt8](repeating: 0xAA, count: 64))
        #expect(vm.x0to3(PVTimeFunction.PV_TIME_ST.x0) == [0x4000_1000, 0, 0, 0])
        #expect(vm.memory.read(count: 64, at: 0x4000_1000) == [UInt8](repeating: 0, count: 64))
        vm.router.pvTime.addStolenTime(0, nanoseconds: 0x0102_0304)
        vm.router.pvTime.addStolenTime(0, nanoseconds: 1)
        #expect(vm.memory.read(count: 8, at: 0x4000_1008) == [0x05, 0x03, 0x02, 0x01, 0, 0, 0, 0])
        #expect(vm.x0(PVTimeFunction.PV_TIME_ST.x0, caller: CallerState(vcpu: 1)) == NOT_SUPPORTED)
    }

    @Test func t3_addressRules() throws {
        let power = FakePowerControl(vcpus: 2)
        var setup = FirmwareSetup(host: FirmwareHost(power: power, clock: FakeClock(), memory: FakeMemory()))
        #expect(throws: PolicyError.self) { try setup.setStolenTimeAddress(0x4000_1010, vcpu: 0) }  // unaligned
        #expect(throws: PolicyError.self) { try setup.setStolenTimeAddress(0x1000, vcpu: 0) }  // not RAM
        #expect(throws: PolicyError.noSuchVCPU(2)) { try setup.setStolenTimeAddress(0x4000_1000, vcpu: 2) }
        try setup.setStolenTimeAddress(0x4000_1000, vcpu: 0)
        let again = #expect(throws: PolicyError.self) { try setup.setStolenTimeAddress(0x4000_2000, vcpu: 0) }
        #expect(again?.kvmErrno == .EEXIST)
        let unaligned = PolicyError.invalidStolenTimeAddress(vcpu: 0, address: 0x4000_1010, reason: "")
        #expect(unaligned.kvmErrno == .EINVAL)
    }
}
