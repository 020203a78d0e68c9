/// Which optional hypervisor services a VM exposes, as KVM's firmware bitmap registers express it
/// (Documentation/virt/kvm/arm/fw-pseudo-registers.rst). A VMM narrows them before the VM starts
/// so that a guest sees the same firmware on every host it may migrate to.
public struct FeatureBitmaps: Sendable, Equatable {
    /// `KVM_REG_ARM_STD_BMAP`: Standard Secure Service features.
    public var standard: UInt64
    /// `KVM_REG_ARM_STD_HYP_BMAP`: Standard Hypervisor Service features.
    public var standardHypervisor: UInt64
    /// `KVM_REG_ARM_VENDOR_HYP_BMAP`: KVM vendor functions 0-63; bit n is function n.
    public var vendorHypervisor: UInt64
    /// `KVM_REG_ARM_VENDOR_HYP_BMAP_2`: KVM vendor functions 64-127; bit n is function 64 + n.
    public var vendorHypervisor2: UInt64

    /// STD_BMAP bit 0: TRNG 1.0.
    public static let TRNG_V1_0: UInt64 = 1 << 0
    /// STD_HYP_BMAP bit 0: PV time (DEN0057A).
    public static let PV_TIME: UInt64 = 1 << 0
    /// VENDOR_HYP_BMAP bit 0: KVM_FEATURES and the vendor Call UID.
    public static let FUNC_FEAT: UInt64 = 1 << 0
    /// VENDOR_HYP_BMAP bit 1: KVM_PTP.
    public static let PTP: UInt64 = 1 << 1
    /// VENDOR_HYP_BMAP_2 bit 0: DISCOVER_IMPL_VER (handled by a forward handler, never built in).
    public static let DISCOVER_IMPL_VER: UInt64 = 1 << 0
    /// VENDOR_HYP_BMAP_2 bit 1: DISCOVER_IMPL_CPUS (handled by a forward handler, never built in).
    public static let DISCOVER_IMPL_CPUS: UInt64 = 1 << 1

    /// The bits each register may hold; any other bit is EINVAL.
    public static let supported = FeatureBitmaps(
        standard: TRNG_V1_0, standardHypervisor: PV_TIME,
        vendorHypervisor: FUNC_FEAT | PTP, vendorHypervisor2: DISCOVER_IMPL_VER | DISCOVER_IMPL_CPUS)

    /// KVM's reset values: everything Conduit implements, and no DISCOVER_IMPL (which needs a
    /// forward handler to exist).
    public static let defaults = FeatureBitmaps(
        standard: TRNG_V1_0, standardHypervisor: PV_TIME,
        vendorHypervisor: FUNC_FEAT | PTP, vendorHypervisor2: 0)

    public init(standard: UInt64, standardHypervisor: UInt64, vendorHypervisor: UInt64, vendorHypervisor2: UInt64) {
        self.standard = standard
        self.standardHypervisor = standardHypervisor
        self.vendorHypervisor = vendorHypervisor
        self.vendorHypervisor2 = vendorHypervisor2
    }
}

/// The identity SMCCC_ARCH_SOC_ID reports (DEN0028 §7.4).
public struct SoCIdentity: Sendable, Equatable {
    /// JEP-106 bank index of the silicon provider: the number of 0x7F continuation codes, 0-127.
    public var jep106Bank: UInt8
    /// JEP-106 identification code of the silicon provider, including its parity bit.
    public var jep106Identification: UInt8
    /// The provider's SoC ID.
    public var socID: UInt16
    /// The SoC revision, 31 bits.
    public var revision: UInt32

    public init(jep106Bank: UInt8, jep106Identification: UInt8, socID: UInt16, revision: UInt32) {
        self.jep106Bank = jep106Bank & 0x7F
        self.jep106Identification = jep106Identification
        self.socID = socID
        self.revision = revision & 0x7FFF_FFFF
    }

    /// What `SoC_ID_type` 0 returns: bit 31 zero, bank in 30:24, identification code in 23:16,
    /// SoC ID in 15:0.
    public var versionWord: UInt32 {
        UInt32(jep106Bank) << 24 | UInt32(jep106Identification) << 16 | UInt32(socID)
    }

    /// The default: Arm Ltd's JEP-106 code (bank index 4, code 0x3B), SoC ID 0, revision 0,
    /// which says "an Arm-architecture platform" and nothing more. Set your own in the policy.
    public static let conduitDefault = SoCIdentity(jep106Bank: 4, jep106Identification: 0x3B, socID: 0, revision: 0)
}

/// Where TRNG entropy comes from.
public enum EntropySource: Sendable, Equatable {
    /// The host's cryptographic random number generator (getrandom(2) on Linux).
    case system
    /// A deterministic stream from a seed, for reproducible runs. Not cryptographic.
    case seeded(UInt64)
}
