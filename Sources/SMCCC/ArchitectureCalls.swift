// Arm Architecture Calls, owning entity 0 (DEN0028 v1.5 §7; WORKAROUND_4 is from v1.6).

/// Function identifiers of the Arm Architecture Service.
public enum ArmArchitectureFunction {
    /// Returns the implemented SMCCC version (§7.2).
    public static let SMCCC_VERSION = FunctionID(0x8000_0000)
    /// Discovers whether an Arm Architecture Call is implemented (§7.3).
    public static let SMCCC_ARCH_FEATURES = FunctionID(0x8000_0001)
    /// SoC identification: version (type 0) and revision (type 1) (§7.4).
    public static let SMCCC_ARCH_SOC_ID_32 = FunctionID(0x8000_0002)
    /// SoC identification, 64-bit form: the SoC name (type 2, SMCCC v1.4 and later).
    public static let SMCCC_ARCH_SOC_ID_64 = FunctionID(0xC000_0002)
    /// Reports which architectural features EL3 firmware enables (§7.8, SMCCC v1.5).
    public static let SMCCC_ARCH_FEATURE_AVAILABILITY = FunctionID(0xC000_0003)
    /// Reports a mitigation of CVE-2024-7881 at a higher exception level (SMCCC v1.6).
    public static let SMCCC_ARCH_WORKAROUND_4 = FunctionID(0x8000_0004)
    /// Spectre variant 2 (CVE-2017-5715) branch-predictor invalidation (§7.5).
    public static let SMCCC_ARCH_WORKAROUND_1 = FunctionID(0x8000_8000)
    /// Spectre variant 4 (CVE-2018-3639) speculative-store-bypass control (§7.6).
    public static let SMCCC_ARCH_WORKAROUND_2 = FunctionID(0x8000_7FFF)
    /// Spectre-BHB (CVE-2022-23960) branch-history invalidation, superseding WORKAROUND_1 (§7.7).
    public static let SMCCC_ARCH_WORKAROUND_3 = FunctionID(0x8000_3FFF)

}

/// SMCCC_ARCH_SOC_ID's `SoC_ID_type` argument (DEN0028 §7.4.1).
public enum SoCIDType: UInt32, Sendable {
    /// Returns the JEP-106 bank index and identification code of the SiP, and its SoC ID.
    case version = 0
    /// Returns the SoC revision.
    case revision = 1
    /// Returns the SoC name in X1-X17 (SMC64 form only, SMCCC v1.4 and later).
    case name = 2
}

/// The general service queries that every owning entity may implement at the top of its
/// function-number space (DEN0028 §6.2, "General Service Queries").
public enum GeneralServiceQuery: UInt16, Sendable, CaseIterable {
    /// Deprecated since SMCCC v1.2.
    case callCount = 0xFF00
    /// Returns a UUID identifying the implementation of the service.
    case callUID = 0xFF01
    /// Returns the revision of the service.
    case revision = 0xFF03

    /// The query's name.
    public var name: StaticString {
        switch self {
        case .callCount: return "CALL_COUNT"
        case .callUID: return "CALL_UID"
        case .revision: return "REVISION"
        }
    }

    /// The identifier of this query in an owning entity's fast SMC32 range.
    public func functionID(owner: OwningEntity) -> FunctionID {
        FunctionID(.fast, .smc32, owner: owner, number: rawValue)
    }
}
