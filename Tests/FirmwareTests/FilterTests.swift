import Firmware
import SMCCC
import Testing

/// KVM's filter payload, `struct kvm_smccc_filter`, little-endian.
func kvmFilter(base: UInt32, count: UInt32, action: UInt8, pad0: UInt8 = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 24)
    for i in 0..<4 {
        bytes[i] = UInt8(truncatingIfNeeded: base >> (8 * i))
        bytes[4 + i] = UInt8(truncatingIfNeeded: count >> (8 * i))
    }
    bytes[8] = action
    bytes[9] = pad0
    return bytes
}

/// Both conduits enabled, as `for_each_conduit` in the selftest needs.
func bothConduits() -> FirmwarePolicy {
    var policy = FirmwarePolicy()
    policy.apply(.psci)
    return policy
}

/// Linux tools/testing/selftests/kvm/arm64/smccc_filter.c, one test per case, plus the extra
/// cases the reference derives from the filter code (reference §c.1).
@Suite struct SMCCCFilterSelftestTests {
    @Test func test_pad_must_be_zero() {
        var policy = FirmwarePolicy()
        #expect(throws: PolicyError.filterPaddingNotZero) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0x8400_0000, count: 1, action: 1, pad0: 0xFF))
        }
        #expect(PolicyError.filterPaddingNotZero.kvmErrno == .EINVAL)
    }

    @Test func test_invalid_nr_functions() {
        var policy = FirmwarePolicy()
        #expect(throws: PolicyError.emptyRange(base: 0xC400_0003)) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0xC400_0003, count: 0, action: 1))
        }
        #expect(PolicyError.emptyRange(base: 0xC400_0003).kvmErrno == .EINVAL)
    }

    @Test func test_overflow_nr_functions() {
        var policy = FirmwarePolicy()
        #expect(throws: PolicyError.wrappingRange(base: 0xFFFF_FFFF, count: 0xFFFF_FFFF)) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0xFFFF_FFFF, count: 0xFFFF_FFFF, action: 1))
        }
        #expect(PolicyError.wrappingRange(base: 0, count: 0).kvmErrno == .EINVAL)
    }

    @Test func test_reserved_action() {
        var policy = FirmwarePolicy()
        #expect(throws: PolicyError.reservedFilterAction(0xFF)) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0xC400_0003, count: 1, action: 0xFF))
        }
        #expect(PolicyError.reservedFilterAction(3).kvmErrno == .EINVAL)
    }

    @Test func test_filter_reserved_range() {
        var policy = FirmwarePolicy()
        let wa1 = FunctionIDRange(first: 0x8000_8000, last: 0x8000_8000)
        #expect(throws: PolicyError.overlapsReservedRange(wa1, origin: nil, reserved: SMCCCFilter.reservedRanges[0])) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0x8000_8000, count: 1, action: 1))
        }
        let smc64Arch = FunctionIDRange(first: 0xC000_0000, last: 0xC000_0000)
        #expect(throws: PolicyError.overlapsReservedRange(smc64Arch, origin: nil, reserved: SMCCCFilter.reservedRanges[1])) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0xC000_0000, count: 1, action: 1))
        }
        #expect(PolicyError.overlapsReservedRange(wa1, origin: nil, reserved: wa1).kvmErrno == .EEXIST)
    }

    @Test func test_filter_overlap() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(kvmFilter: kvmFilter(base: 0xC400_0003, count: 1, action: 1))
        let cpuOn = FunctionIDRange(PSCIFunction.CPU_ON_64)
        #expect(throws: PolicyError.overlapsRange(cpuOn, origin: nil, existing: cpuOn, existingOrigin: nil)) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0xC400_0003, count: 1, action: 1))
        }
    }

    @Test(arguments: Conduit.allCases)
    func test_filter_denied(conduit: Conduit) throws {
        var policy = bothConduits()
        try policy.addRange(kvmFilter: kvmFilter(base: 0x8400_0000, count: 1, action: 1))
        let vm = try TestVM(policy: policy)
        let (call, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: conduit)
        #expect(call.results[0] == 0xFFFF_FFFF_FFFF_FFFF)
        #expect(disposition.action == .deny)
        #expect(disposition.reason == .filter)
    }

    @Test(arguments: Conduit.allCases)
    func test_filter_fwd_to_user(conduit: Conduit) throws {
        var policy = bothConduits()
        try policy.addRange(kvmFilter: kvmFilter(base: 0x8400_0000, count: 1, action: 2))
        let handler = RecordingHandler(name: "user", ranges: [FunctionIDRange(PSCIFunction.PSCI_VERSION)])
        let vm = try TestVM(policy: policy, forwardHandlers: [handler])
        let (_, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, conduit: conduit)
        #expect(disposition.action == .forward)
        #expect(disposition.handler == "user")
        #expect(handler.calls.count == 1)
        #expect(handler.calls[0].functionID.rawValue == 0x8400_0000)  // hypercall.nr
        // KVM_HYPERCALL_EXIT_SMC is set iff the conduit is SMC; A64 is never 16-bit.
        #expect(handler.calls[0].kvmHypercallExitFlags == (conduit == .smc ? 1 : 0))
    }

    // MARK: Extra cases derived from the filter code

    @Test func settingAFilterAfterTheVMHasRunIsEBUSY() throws {
        let vm = try TestVM()
        let error = #expect(throws: PolicyError.self) {
            try vm.router.addRange(FunctionIDRange(PSCIFunction.CPU_ON_64), action: .deny)
        }
        #expect(error?.kvmErrno == .EBUSY)
    }

    @Test func emptyRangeAtBaseZeroIsEINVAL() {
        var policy = FirmwarePolicy()
        #expect(throws: PolicyError.emptyRange(base: 0)) {
            try policy.addRange(kvmFilter: kvmFilter(base: 0, count: 0, action: 1))
        }
    }

    @Test func forwardingTheMiddleOfAnUnimplementedSpace() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(try FunctionIDRange(base: 0x8200_0000, count: 0x100), action: .forward)
        let board = RecordingHandler(name: "board", ranges: [try FunctionIDRange(base: 0x8200_0000, count: 0x100)])
        let vm = try TestVM(policy: policy, forwardHandlers: [board])
        let (call, disposition) = vm.call(0x8200_0042, 7, 8, 9)
        #expect(disposition.action == .forward)
        #expect(board.calls.map(\.functionID.rawValue) == [0x8200_0042])
        #expect((0..<4).map { call.results[$0] } == [0x600D, 7, 8, 9])
    }

    @Test func denyOverridesABitmapEnabledCall() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(TRNGFunction.TRNG_VERSION), action: .deny)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(TRNGFunction.TRNG_VERSION.x0) == NOT_SUPPORTED)
    }

    @Test func handleOnAnUnimplementedIDIsStillDenied() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .handle)
        let vm = try TestVM(policy: policy)
        let (call, disposition) = vm.call(0x8200_0001)
        #expect(call.results[0] == NOT_SUPPORTED)
        #expect(disposition.reason == .noService)
    }

    @Test func idsOutsideEveryRangeBehaveAsBefore() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(PSCIFunction.CPU_ON_64), action: .deny)
        let vm = try TestVM(policy: policy)
        #expect(vm.x0(PSCIFunction.PSCI_VERSION.x0) == 0x10003)
        #expect(vm.x0(ArmArchitectureFunction.SMCCC_VERSION.x0) == 0x10001)
    }

    @Test func smcWithNonZeroImmediateIgnoresTheFilter() throws {
        var policy = bothConduits()
        try policy.addRange(FunctionIDRange(PSCIFunction.PSCI_VERSION), action: .forward)
        let handler = RecordingHandler(name: "user", ranges: [FunctionIDRange(PSCIFunction.PSCI_VERSION)])
        let vm = try TestVM(policy: policy, forwardHandlers: [handler])
        let (call, disposition) = vm.call(PSCIFunction.PSCI_VERSION.x0, 1, 2, 3, conduit: .smc, immediate: 1)
        #expect(call.results[0] == ~0)
        #expect(call.resultCount == 1)  // no other register changes
        #expect(disposition.reason == .nonZeroImmediate)
        #expect(handler.calls.isEmpty)
    }

    @Test func filterLookupFindsTheRightRange() throws {
        var filter = SMCCCFilter()
        #expect(!filter.isConfigured)
        #expect(filter.action(for: 0x8400_0000) == .handle)
        try filter.insert(FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF), action: .forward)
        try filter.insert(FunctionIDRange(first: 0x8200_0100, last: 0x8200_0100), action: .undefined)
        try filter.insert(FunctionIDRange(first: 0x0000_0000, last: 0x0000_0000), action: .deny)
        #expect(filter.isConfigured)
        #expect(filter.entries.map(\.range.first) == [0, 0x8000_0000, 0x8200_0000, 0x8200_0100, 0xC000_0000])
        #expect(filter.action(for: 0) == .deny)
        #expect(filter.action(for: 0x8200_0080) == .forward)
        #expect(filter.action(for: 0x8200_0100) == .undefined)
        #expect(filter.action(for: 0x8200_0101) == .handle)
        #expect(filter.action(for: 0x8000_8000) == .handle)
        #expect(filter.entry(containing: 0xC000_0001)?.isReserved == true)
    }

    @Test func overlapMessageNamesBothRanges() throws {
        var policy = FirmwarePolicy()
        try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF), action: .forward, origin: "policy.yaml:9")
        do {
            try policy.addRange(FunctionIDRange(first: 0x8200_0080, last: 0x8200_0180), action: .deny, origin: "policy.yaml:12")
            Issue.record("overlap accepted")
        } catch {
            #expect(error.description
                == "range 0x82000080-0x82000180 (policy.yaml:12) overlaps range 0x82000000-0x820000ff (policy.yaml:9); ranges must not overlap")
        }
    }
}
