// Power State Coordination Interface function identifiers, PSCI 1.3 (DEN0022F.b §5.1, Table 5-1).
// PSCI owns function numbers 0x00-0x1F of the Standard Secure Service (owner 4).
// Functions that take an address or an MPIDR exist in both conventions; `_32` and `_64` name them.

/// Function identifiers of PSCI 0.2 to 1.3.
public enum PSCIFunction {
    public static let PSCI_VERSION = FunctionID(0x8400_0000)
    public static let CPU_SUSPEND_32 = FunctionID(0x8400_0001)
    public static let CPU_SUSPEND_64 = FunctionID(0xC400_0001)
    public static let CPU_OFF = FunctionID(0x8400_0002)
    public static let CPU_ON_32 = FunctionID(0x8400_0003)
    public static let CPU_ON_64 = FunctionID(0xC400_0003)
    public static let AFFINITY_INFO_32 = FunctionID(0x8400_0004)
    public static let AFFINITY_INFO_64 = FunctionID(0xC400_0004)
    public static let MIGRATE_32 = FunctionID(0x8400_0005)
    public static let MIGRATE_64 = FunctionID(0xC400_0005)
    public static let MIGRATE_INFO_TYPE = FunctionID(0x8400_0006)
    public static let MIGRATE_INFO_UP_CPU_32 = FunctionID(0x8400_0007)
    public static let MIGRATE_INFO_UP_CPU_64 = FunctionID(0xC400_0007)
    public static let SYSTEM_OFF = FunctionID(0x8400_0008)
    public static let SYSTEM_RESET = FunctionID(0x8400_0009)
    /// PSCI 1.0.
    public static let PSCI_FEATURES = FunctionID(0x8400_000A)
    /// PSCI 1.0.
    public static let CPU_FREEZE = FunctionID(0x8400_000B)
    /// PSCI 1.0.
    public static let CPU_DEFAULT_SUSPEND_32 = FunctionID(0x8400_000C)
    public static let CPU_DEFAULT_SUSPEND_64 = FunctionID(0xC400_000C)
    /// PSCI 1.0.
    public static let NODE_HW_STATE_32 = FunctionID(0x8400_000D)
    public static let NODE_HW_STATE_64 = FunctionID(0xC400_000D)
    /// PSCI 1.0.
    public static let SYSTEM_SUSPEND_32 = FunctionID(0x8400_000E)
    public static let SYSTEM_SUSPEND_64 = FunctionID(0xC400_000E)
    /// PSCI 1.0.
    public static let PSCI_SET_SUSPEND_MODE = FunctionID(0x8400_000F)
    /// PSCI 1.0.
    public static let PSCI_STAT_RESIDENCY_32 = FunctionID(0x8400_0010)
    public static let PSCI_STAT_RESIDENCY_64 = FunctionID(0xC400_0010)
    /// PSCI 1.0.
    public static let PSCI_STAT_COUNT_32 = FunctionID(0x8400_0011)
    public static let PSCI_STAT_COUNT_64 = FunctionID(0xC400_0011)
    /// PSCI 1.1.
    public static let SYSTEM_RESET2_32 = FunctionID(0x8400_0012)
    public static let SYSTEM_RESET2_64 = FunctionID(0xC400_0012)
    /// PSCI 1.1.
    public static let MEM_PROTECT = FunctionID(0x8400_0013)
    /// PSCI 1.1.
    public static let MEM_PROTECT_CHECK_RANGE_32 = FunctionID(0x8400_0014)
    public static let MEM_PROTECT_CHECK_RANGE_64 = FunctionID(0xC400_0014)
    /// PSCI 1.3.
    public static let SYSTEM_OFF2_32 = FunctionID(0x8400_0015)
    public static let SYSTEM_OFF2_64 = FunctionID(0xC400_0015)

    /// The first and last function numbers PSCI owns in the Standard Secure Service.
    public static let functionNumbers: ClosedRange<UInt16> = 0x00...0x1F

    /// The name of PSCI function `number` (either convention), or nil if PSCI 1.3 defines none.
    public static func name(ofFunctionNumber number: UInt16) -> StaticString? {
        switch number {
        case 0x00: return "PSCI_VERSION"
        case 0x01: return "CPU_SUSPEND"
        case 0x02: return "CPU_OFF"
        case 0x03: return "CPU_ON"
        case 0x04: return "AFFINITY_INFO"
        case 0x05: return "MIGRATE"
        case 0x06: return "MIGRATE_INFO_TYPE"
        case 0x07: return "MIGRATE_INFO_UP_CPU"
        case 0x08: return "SYSTEM_OFF"
        case 0x09: return "SYSTEM_RESET"
        case 0x0A: return "PSCI_FEATURES"
        case 0x0B: return "CPU_FREEZE"
        case 0x0C: return "CPU_DEFAULT_SUSPEND"
        case 0x0D: return "NODE_HW_STATE"
        case 0x0E: return "SYSTEM_SUSPEND"
        case 0x0F: return "PSCI_SET_SUSPEND_MODE"
        case 0x10: return "PSCI_STAT_RESIDENCY"
        case 0x11: return "PSCI_STAT_COUNT"
        case 0x12: return "SYSTEM_RESET2"
        case 0x13: return "MEM_PROTECT"
        case 0x14: return "MEM_PROTECT_CHECK_RANGE"
        case 0x15: return "SYSTEM_OFF2"
        default: return nil
        }
    }

    /// True for functions PSCI defines in the SMC64 convention as well as SMC32.
    public static func has64BitForm(functionNumber number: UInt16) -> Bool {
        switch number {
        case 0x01, 0x03, 0x04, 0x05, 0x07, 0x0C, 0x0D, 0x0E, 0x10, 0x11, 0x12, 0x14, 0x15: return true
        default: return false
        }
    }
}

/// AFFINITY_INFO results (DEN0022 §5.1.5).
public enum AffinityInfoState: UInt64, Sendable {
    case on = 0
    case off = 1
    case onPending = 2
}

/// MIGRATE_INFO_TYPE results (DEN0022 §5.1.7).
public enum MigrateInfoType: UInt64, Sendable {
    /// A uniprocessor Trusted OS that can migrate.
    case uniprocessorMigrate = 0
    /// A uniprocessor Trusted OS that cannot migrate.
    case uniprocessorNoMigrate = 1
    /// No Trusted OS, or a multiprocessor one: no migration is needed ("TOS_MP").
    case notPresentOrMultiprocessor = 2
}

/// SYSTEM_RESET2 reset types (DEN0022 §5.1.18).
public enum SystemReset2Type {
    /// Bit 31 clear, value 0: the architectural warm reset.
    public static let SYSTEM_WARM_RESET: UInt32 = 0
    /// Bit 31 set: vendor-specific resets, 0x8000_0000 and above.
    public static let vendorStart: UInt32 = 0x8000_0000
}

/// SYSTEM_OFF2 types (DEN0022F.b §5.1.19).
public enum SystemOff2Type {
    /// Bit 0: power off to a state the system can resume from (hibernation).
    public static let HIBERNATE_OFF: UInt32 = 1
}

/// The KVM-specific PSCI 0.1 identifiers that predate SMCCC. They were described only by a
/// device tree (`arm,psci` with `cpu_on = <...>` properties) and are not well-formed SMCCC IDs.
public enum KVMPSCI0_1Function {
    public static let CPU_SUSPEND = FunctionID(0x95C1_BA5E)
    public static let CPU_OFF = FunctionID(0x95C1_BA5F)
    public static let CPU_ON = FunctionID(0x95C1_BA60)
    public static let MIGRATE = FunctionID(0x95C1_BA61)
}
