// TRNG, the Standard Hypervisor Service (PV time) and the KVM vendor hypervisor service.

/// True Random Number Generator firmware interface 1.0 (DEN0098), Standard Secure Service
/// function numbers 0x50-0x5F.
public enum TRNGFunction {
    public static let TRNG_VERSION = FunctionID(0x8400_0050)
    public static let TRNG_FEATURES = FunctionID(0x8400_0051)
    public static let TRNG_GET_UUID = FunctionID(0x8400_0052)
    /// Up to 96 bits of entropy in W1-W3.
    public static let TRNG_RND32 = FunctionID(0x8400_0053)
    /// Up to 192 bits of entropy in X1-X3.
    public static let TRNG_RND64 = FunctionID(0xC400_0053)

    /// The largest request TRNG_RND32 accepts, in bits.
    public static let maxBits32: UInt64 = 96
    /// The largest request TRNG_RND64 accepts, in bits.
    public static let maxBits64: UInt64 = 192
}

/// Paravirtualized time for Arm-based systems (DEN0057A), Standard Hypervisor Service
/// function numbers 0x20-0x3F.
public enum PVTimeFunction {
    /// Discovers PV_TIME_FEATURES and PV_TIME_ST.
    public static let PV_TIME_FEATURES = FunctionID(0xC500_0020)
    /// Returns the IPA of the calling vCPU's 64-byte stolen-time record.
    public static let PV_TIME_ST = FunctionID(0xC500_0021)
}

/// The KVM vendor hypervisor service (owner 6), as Linux's `include/linux/arm-smccc.h` defines it.
/// Bit n of the KVM_FEATURES bitmap says whether function number n is available.
public enum KVMVendorFunction {
    /// Function 0: returns the bitmap of available KVM vendor functions in W0-W3.
    public static let KVM_FEATURES = FunctionID(0x8600_0000)
    /// Function 1: a consistent (wall clock, counter) pair for precision time protocol.
    public static let KVM_PTP = FunctionID(0x8600_0001)
    /// Functions 2-63 belong to protected KVM and are not offered to normal guests.
    public static let HYP_MEMINFO = FunctionID(0xC600_0002)
    public static let MEM_SHARE = FunctionID(0xC600_0003)
    public static let MEM_UNSHARE = FunctionID(0xC600_0004)
    public static let MMIO_GUARD = FunctionID(0xC600_0007)
    /// Function 64: implementation-version discovery for migration (forwarded to the VMM).
    public static let DISCOVER_IMPL_VER = FunctionID(0xC600_0040)
    /// Function 65: target-CPU discovery for migration (forwarded to the VMM).
    public static let DISCOVER_IMPL_CPUS = FunctionID(0xC600_0041)
    /// Function 127: reserved for a second features bitmap.
    public static let KVM_FEATURES_2 = FunctionID(0x8600_007F)
    /// The vendor hypervisor service's Call UID query; KVM answers with its own UUID.
    public static let VENDOR_HYP_CALL_UID = FunctionID(0x8600_FF01)

    /// `KVM_PTP` counter selectors (x1).
    public static let PTP_VIRTUAL_COUNTER: UInt64 = 0
    public static let PTP_PHYSICAL_COUNTER: UInt64 = 1
}

/// A 128-bit UUID as SMCCC Call UID queries return it: the 16 bytes in order, packed
/// little-endian into four 32-bit words returned in W0-W3 (DEN0028 §6.2.2).
public struct SMCCCUUID: Hashable, Sendable {
    public let w0: UInt32
    public let w1: UInt32
    public let w2: UInt32
    public let w3: UInt32

    public init(w0: UInt32, w1: UInt32, w2: UInt32, w3: UInt32) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// KVM's vendor UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74. Linux guests look for it before
    /// they use any KVM vendor call.
    public static let kvmVendor = SMCCCUUID(w0: 0xB66F_B428, w1: 0xE911_C52E, w2: 0x564B_CAA9, w3: 0x743A_004D)

    /// The TRNG interface's UUID as KVM reports it, 0d21e000-4384-11eb-8070-5244554e5a4c.
    public static let kvmTRNG = SMCCCUUID(w0: 0x00E0_210D, w1: 0xEB11_8443, w2: 0x4452_7080, w3: 0x4C5A_4E55)
}
