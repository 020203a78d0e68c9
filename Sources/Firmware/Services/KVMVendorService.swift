import SMCCC

/// The KVM vendor hypervisor service (owner 6): the vendor Call UID, KVM_FEATURES and KVM_PTP,
/// answered as KVM answers them (arch/arm64/kvm/hypercalls.c), so that Linux guests recognise
/// the hypervisor and use its PTP clock.
///
/// DISCOVER_IMPL_VER/CPUS are not built in (KVM does not implement them either): a VMM that
/// offers them forwards them and sets their bits in VENDOR_HYP_BMAP_2 so KVM_FEATURES reports them.
public final class KVMVendorService: FirmwareService {
    /// The name calls answered here are traced with (static, so routing copies no string).
    public static let serviceName: StaticString = "KVM vendor hypervisor service"
    public let name = KVMVendorService.serviceName.description
    /// VENDOR_HYP_BMAP: bit n enables function n.
    public let bitmap: UInt64
    /// VENDOR_HYP_BMAP_2: bit n says function 64 + n exists (reported, never built in).
    public let bitmap2: UInt64
    private let clock: any GuestClock

    public init(bitmap: UInt64, bitmap2: UInt64, clock: any GuestClock) {
        self.bitmap = bitmap
        self.bitmap2 = bitmap2
        self.clock = clock
    }

    public var functions: [ServiceFunctions] {
        let features = bitmap & FeatureBitmaps.FUNC_FEAT != 0
        return [
            ServiceFunctions(FunctionIDRange(KVMVendorFunction.KVM_FEATURES), label: "KVM vendor: KVM_FEATURES", isEnabled: features),
            ServiceFunctions(FunctionIDRange(KVMVendorFunction.KVM_PTP), label: "KVM vendor: KVM_PTP",
                             isEnabled: bitmap & FeatureBitmaps.PTP != 0),
            ServiceFunctions(FunctionIDRange(KVMVendorFunction.VENDOR_HYP_CALL_UID), label: "KVM vendor: CALL_UID",
                             isEnabled: features),
        ]
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        switch call.functionID {
        case KVMVendorFunction.VENDOR_HYP_CALL_UID:
            let uuid = SMCCCUUID.kvmVendor
            call.setResults(UInt64(uuid.w0), UInt64(uuid.w1), UInt64(uuid.w2), UInt64(uuid.w3))
        case KVMVendorFunction.KVM_FEATURES:
            // X0-X3 form a 128-bit bitmap of functions 0-127; 32-63 are protected KVM's.
            call.setResults(bitmap, 0, bitmap2, 0)
        case KVMVendorFunction.KVM_PTP:
            ptp(&call)
        default:
            call.setResult(SMCCCReturn.notSupported)
        }
        return .resume
    }

    /// KVM_PTP: X0:X1 = wall-clock nanoseconds, X2:X3 = the chosen counter, high words first.
    private func ptp(_ call: inout FirmwareCall) {
        let physical: Bool
        switch UInt32(truncatingIfNeeded: call.x1) {
        case UInt32(KVMVendorFunction.PTP_VIRTUAL_COUNTER): physical = false
        case UInt32(KVMVendorFunction.PTP_PHYSICAL_COUNTER): physical = true
        default:
            call.setResult(SMCCCReturn.notSupported)
            return
        }
        guard let snapshot = clock.ptpSnapshot(vcpu: call.caller.vcpu, physical: physical) else {
            call.setResult(SMCCCReturn.notSupported)
            return
        }
        call.setResults(snapshot.wallNanoseconds >> 32, snapshot.wallNanoseconds & 0xFFFF_FFFF,
                        snapshot.counter >> 32, snapshot.counter & 0xFFFF_FFFF)
    }
}
