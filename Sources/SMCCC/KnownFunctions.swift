// Naming function identifiers: which interface a function belongs to and what the specification
// calls it. Lookups are `switch`es so that the module stays allocation-free for Embedded Swift.

/// A firmware interface that owns a block of function numbers.
public enum FirmwareInterface: UInt8, Sendable, CaseIterable {
    /// SMCCC Arm Architecture Calls (owner 0).
    case armArchitecture
    /// PSCI, Standard Secure 0x00-0x1F.
    case psci
    /// Software Delegated Exception Interface, Standard Secure 0x20-0x3F.
    case sdei
    /// Management Mode, Standard Secure 0x40-0x4F.
    case managementMode
    /// TRNG, Standard Secure 0x50-0x5F.
    case trng
    /// Firmware Framework for Arm A-profile, Standard Secure 0x60-0xEF.
    case ffa
    /// Paravirtualised time, Standard Hypervisor 0x20-0x3F.
    case pvTime
    /// The KVM vendor hypervisor service (owner 6).
    case kvmVendor
    /// A General Service Query (0xFF00-0xFFFF) of any owner.
    case serviceQuery
    /// KVM's pre-SMCCC PSCI 0.1 identifiers.
    case kvmPSCI0_1

    /// The interface's usual name.
    public var name: StaticString {
        switch self {
        case .armArchitecture: return "SMCCC Arm Architecture Calls"
        case .psci: return "PSCI"
        case .sdei: return "SDEI"
        case .managementMode: return "Management Mode"
        case .trng: return "TRNG"
        case .ffa: return "FF-A"
        case .pvTime: return "PV time"
        case .kvmVendor: return "KVM vendor hypervisor service"
        case .serviceQuery: return "General Service Query"
        case .kvmPSCI0_1: return "KVM PSCI 0.1"
        }
    }
}

extension FunctionID {
    /// The interface whose function-number block holds this identifier, whether or not the
    /// specification names this particular function.
    public var interface: FirmwareInterface? {
        let id = withoutSVEHint
        if id.rawValue >= 0x95C1_BA5E && id.rawValue <= 0x95C1_BA61 { return .kvmPSCI0_1 }
        guard id.callType == .fast, id.isWellFormed else { return nil }
        if id.number >= 0xFF00 { return .serviceQuery }
        switch id.owner {
        case .armArchitecture:
            return .armArchitecture
        case .standardSecure:
            switch id.number {
            case 0x00...0x1F: return .psci
            case 0x20...0x3F: return .sdei
            case 0x40...0x4F: return .managementMode
            case 0x50...0x5F: return .trng
            case 0x60...0xEF: return .ffa
            default: return nil
            }
        case .standardHypervisor:
            return (0x20...0x3F).contains(id.number) ? .pvTime : nil
        case .vendorHypervisor:
            return .kvmVendor
        default:
            return nil
        }
    }

    /// The name the specification (or, for the KVM vendor service, Linux) gives this function,
    /// or nil if it names none. The SVE hint bit does not change the name.
    public var name: StaticString? {
        let id = withoutSVEHint
        switch id.rawValue {
        // Arm Architecture Calls.
        case 0x8000_0000: return "SMCCC_VERSION"
        case 0x8000_0001: return "SMCCC_ARCH_FEATURES"
        case 0x8000_0002, 0xC000_0002: return "SMCCC_ARCH_SOC_ID"
        case 0xC000_0003: return "SMCCC_ARCH_FEATURE_AVAILABILITY"
        case 0x8000_0004: return "SMCCC_ARCH_WORKAROUND_4"
        case 0x8000_8000: return "SMCCC_ARCH_WORKAROUND_1"
        case 0x8000_7FFF: return "SMCCC_ARCH_WORKAROUND_2"
        case 0x8000_3FFF: return "SMCCC_ARCH_WORKAROUND_3"
        // TRNG.
        case 0x8400_0050: return "TRNG_VERSION"
        case 0x8400_0051: return "TRNG_FEATURES"
        case 0x8400_0052: return "TRNG_GET_UUID"
        case 0x8400_0053: return "TRNG_RND32"
        case 0xC400_0053: return "TRNG_RND64"
        // PV time.
        case 0xC500_0020: return "PV_TIME_FEATURES"
        case 0xC500_0021: return "PV_TIME_ST"
        // KVM vendor hypervisor service.
        case 0x8600_0000: return "KVM_FEATURES"
        case 0x8600_0001: return "KVM_PTP"
        case 0xC600_0002: return "KVM_HYP_MEMINFO"
        case 0xC600_0003: return "KVM_MEM_SHARE"
        case 0xC600_0004: return "KVM_MEM_UNSHARE"
        case 0xC600_0007: return "KVM_MMIO_GUARD"
        case 0xC600_0040: return "KVM_DISCOVER_IMPL_VER"
        case 0xC600_0041: return "KVM_DISCOVER_IMPL_CPUS"
        case 0x8600_007F: return "KVM_FEATURES_2"
        // KVM PSCI 0.1.
        case 0x95C1_BA5E: return "CPU_SUSPEND"
        case 0x95C1_BA5F: return "CPU_OFF"
        case 0x95C1_BA60: return "CPU_ON"
        case 0x95C1_BA61: return "MIGRATE"
        default: break
        }
        guard id.callType == .fast, id.isWellFormed else { return nil }
        if id.owner == .standardSecure, PSCIFunction.functionNumbers.contains(id.number) {
            // PSCI: SMC32 for every function, SMC64 only where the function takes an address.
            if id.convention == .smc64, !PSCIFunction.has64BitForm(functionNumber: id.number) { return nil }
            return PSCIFunction.name(ofFunctionNumber: id.number)
        }
        if id.convention == .smc32, let query = GeneralServiceQuery(rawValue: id.number) {
            return query.name
        }
        return nil
    }
}
