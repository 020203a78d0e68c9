import SMCCC

/// KVM's firmware pseudo-registers (arch/arm64/include/uapi/asm/kvm.h, `KVM_REG_ARM_FW_REG` and
/// `KVM_REG_ARM_FW_FEAT_BMAP_REG`): the VM-wide firmware settings a VMM reads and writes through
/// `KVM_GET_ONE_REG`/`KVM_SET_ONE_REG`. Conduit offers the same registers with the same rules, so
/// a VMM written for KVM configures Conduit the same way.
public enum FirmwareRegister: UInt64, CaseIterable, Sendable {
    case psciVersion = 0x6030_0000_0014_0000
    case workaround1 = 0x6030_0000_0014_0001
    case workaround2 = 0x6030_0000_0014_0002
    case workaround3 = 0x6030_0000_0014_0003
    case standardBitmap = 0x6030_0000_0016_0000
    case standardHypervisorBitmap = 0x6030_0000_0016_0001
    case vendorHypervisorBitmap = 0x6030_0000_0016_0002
    case vendorHypervisorBitmap2 = 0x6030_0000_0016_0003

    /// The register's KVM name.
    public var name: String {
        switch self {
        case .psciVersion: return "KVM_REG_ARM_PSCI_VERSION"
        case .workaround1: return "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1"
        case .workaround2: return "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2"
        case .workaround3: return "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3"
        case .standardBitmap: return "KVM_REG_ARM_STD_BMAP"
        case .standardHypervisorBitmap: return "KVM_REG_ARM_STD_HYP_BMAP"
        case .vendorHypervisorBitmap: return "KVM_REG_ARM_VENDOR_HYP_BMAP"
        case .vendorHypervisorBitmap2: return "KVM_REG_ARM_VENDOR_HYP_BMAP_2"
        }
    }

    /// True for the four feature bitmaps, which freeze once the VM has run.
    public var isFeatureBitmap: Bool { rawValue & 0xFFFF_0000 == 0x0016_0000 }

    /// Workaround levels (kvm.h `KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_*`). An emulator has no
    /// speculative side channels of the host to expose, so Conduit's level is NOT_REQUIRED.
    public static let workaroundLevelMask: UInt64 = 0xF
    public static let workaround1Or3NotRequired: UInt64 = 2
    public static let workaround2Available: UInt64 = 2
    public static let workaround2NotRequired: UInt64 = 3
    public static let workaround2Enabled: UInt64 = 1 << 4

    /// The PSCI versions a VM may select. KVM also has 0.1, which Conduit does not implement.
    public static let selectablePSCIVersions: [PSCIVersion] = [.v0_2, .v1_0, .v1_1, .v1_2, .v1_3]

    /// Checks a value written to this register, as `kvm_arm_set_fw_reg` does, and returns what
    /// the register will hold afterwards (`current` for the write-only workaround levels).
    func validated(_ value: UInt64, current: UInt64) throws(PolicyError) -> UInt64 {
        switch self {
        case .psciVersion:
            guard Self.selectablePSCIVersions.contains(where: { UInt64($0.rawValue) == value }) else {
                throw .invalidRegisterValue(self, value, reason: "PSCI versions are 0.2 (0x2) and 1.0-1.3 (0x10000-0x10003)")
            }
            return value
        case .workaround1, .workaround3:
            guard value & ~Self.workaroundLevelMask == 0 else {
                throw .invalidRegisterValue(self, value, reason: "only bits 3:0 (the level) may be set")
            }
            guard value <= Self.workaround1Or3NotRequired else {
                throw .invalidRegisterValue(self, value, reason: "level is above Conduit's (2, NOT_REQUIRED)")
            }
            return current
        case .workaround2:
            guard value & ~(Self.workaroundLevelMask | Self.workaround2Enabled) == 0 else {
                throw .invalidRegisterValue(self, value, reason: "only bits 3:0 (the level) and 4 (ENABLED) may be set")
            }
            let level = value & Self.workaroundLevelMask
            if value & Self.workaround2Enabled != 0, level != Self.workaround2Available {
                throw .invalidRegisterValue(self, value, reason: "ENABLED needs level 2 (AVAIL)")
            }
            guard level <= Self.workaround2NotRequired else {
                throw .invalidRegisterValue(self, value, reason: "level \(level) is not defined")
            }
            // NOT_AVAIL/UNKNOWN map to NOT_AVAIL, AVAIL/NOT_REQUIRED to NOT_REQUIRED; both are
            // at or below Conduit's NOT_REQUIRED, so the write is accepted and changes nothing.
            return current
        case .standardBitmap, .standardHypervisorBitmap, .vendorHypervisorBitmap, .vendorHypervisorBitmap2:
            let allowed = supportedBits
            guard value & ~allowed == 0 else {
                throw .invalidRegisterValue(self, value, reason: "bits outside \(hex64(allowed)) name no feature")
            }
            return value
        }
    }

    /// For a bitmap, the feature bits Conduit implements.
    var supportedBits: UInt64 {
        let supported = FeatureBitmaps.supported
        switch self {
        case .standardBitmap: return supported.standard
        case .standardHypervisorBitmap: return supported.standardHypervisor
        case .vendorHypervisorBitmap: return supported.vendorHypervisor
        case .vendorHypervisorBitmap2: return supported.vendorHypervisor2
        default: return 0
        }
    }
}
