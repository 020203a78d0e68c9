// Return codes. Each interface defines its own; they share values but not meanings
// (TRNG's -2 is INVALID_PARAMETER, SMCCC's -2 is NOT_REQUIRED), so each family is its own type
// and none converts silently into another.
//
// Every negative code is returned sign-extended to the full register: Linux compares an
// `unsigned long` result with `-1`, so NOT_SUPPORTED must be 0xFFFF_FFFF_FFFF_FFFF in X0.

/// Return codes of the Arm Architecture Calls and the generic SMCCC errors (DEN0028 §7.1, Table 7-1).
public enum SMCCCReturn: Int32, Sendable, CaseIterable {
    case success = 0
    /// Also the answer to any function identifier the callee does not implement (DEN0028 §5.2).
    case notSupported = -1
    case notRequired = -2
    case invalidParameter = -3

    /// The value written to X0: the code sign-extended to 64 bits.
    @inlinable
    public var registerValue: UInt64 { UInt64(bitPattern: Int64(rawValue)) }

    /// The name used in the specification.
    public var name: StaticString {
        switch self {
        case .success: return "SUCCESS"
        case .notSupported: return "NOT_SUPPORTED"
        case .notRequired: return "NOT_REQUIRED"
        case .invalidParameter: return "INVALID_PARAMETER"
        }
    }
}

/// Return codes of the Power State Coordination Interface (DEN0022, §5.2.2, Table 5-2 "Return error codes").
public enum PSCIReturn: Int32, Sendable, CaseIterable {
    case success = 0
    case notSupported = -1
    case invalidParameters = -2
    case denied = -3
    case alreadyOn = -4
    case onPending = -5
    case internalFailure = -6
    case notPresent = -7
    case disabled = -8
    case invalidAddress = -9

    /// The value written to X0: the code sign-extended to 64 bits.
    @inlinable
    public var registerValue: UInt64 { UInt64(bitPattern: Int64(rawValue)) }

    /// The name used in the specification.
    public var name: StaticString {
        switch self {
        case .success: return "SUCCESS"
        case .notSupported: return "NOT_SUPPORTED"
        case .invalidParameters: return "INVALID_PARAMETERS"
        case .denied: return "DENIED"
        case .alreadyOn: return "ALREADY_ON"
        case .onPending: return "ON_PENDING"
        case .internalFailure: return "INTERNAL_FAILURE"
        case .notPresent: return "NOT_PRESENT"
        case .disabled: return "DISABLED"
        case .invalidAddress: return "INVALID_ADDRESS"
        }
    }
}

/// Return codes of the True Random Number Generator firmware interface (DEN0098, §2.1, Table 2-2).
public enum TRNGReturn: Int32, Sendable, CaseIterable {
    case success = 0
    case notSupported = -1
    /// -2, unlike SMCCC's INVALID_PARAMETER (-3).
    case invalidParameter = -2
    case noEntropy = -3

    /// The value written to X0: the code sign-extended to 64 bits.
    @inlinable
    public var registerValue: UInt64 { UInt64(bitPattern: Int64(rawValue)) }

    /// The name used in the specification.
    public var name: StaticString {
        switch self {
        case .success: return "SUCCESS"
        case .notSupported: return "NOT_SUPPORTED"
        case .invalidParameter: return "INVALID_PARAMETER"
        case .noEntropy: return "NO_ENTROPY"
        }
    }
}

/// The positive answer of SMCCC_ARCH_FEATURES for WORKAROUND_1 and WORKAROUND_3 when the
/// workaround is not needed on any PE of the system (DEN0028 §7.5.2 and §7.7.2).
public let SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED: UInt64 = 1
