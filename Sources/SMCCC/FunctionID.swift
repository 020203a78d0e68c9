// SMC Calling Convention function identifiers (Arm DEN0028, §2.5 "Function Identifiers", Table 2-1).
//
// This file is part of the Embedded-compatible SMCCC module: no Foundation, no existentials,
// no allocation.

/// Whether a call completes atomically from the caller's point of view (DEN0028 §2.2, bit 31).
public enum CallType: UInt8, Sendable {
    /// Bit 31 clear: the callee may return before the work is done (SMCCC "Yielding Call").
    case yielding = 0
    /// Bit 31 set: the call runs to completion without being preempted (SMCCC "Fast Call").
    case fast = 1

    /// The name used in the SMCCC specification.
    public var name: StaticString {
        switch self {
        case .yielding: return "yielding call"
        case .fast: return "fast call"
        }
    }
}

/// The register width of a call's arguments and results (DEN0028 §2.6 and §2.7, bit 30).
public enum CallingConvention: UInt8, Sendable {
    /// Bit 30 clear: arguments in W1-W7, results in W0-W7.
    case smc32 = 0
    /// Bit 30 set: arguments in X1-X17, results in X0-X17. Only callable from AArch64.
    case smc64 = 1

    /// The name used in the SMCCC specification; the HVC conduit uses the same conventions.
    public var name: StaticString {
        switch self {
        case .smc32: return "SMC32/HVC32"
        case .smc64: return "SMC64/HVC64"
        }
    }
}

/// A 32-bit SMCCC function identifier: the low 32 bits of W0/X0 at an `SMC` or `HVC`.
///
/// Layout (DEN0028 Table 2-1):
///
/// | Bits  | Field |
/// |-------|-------|
/// | 31    | call type: 1 fast, 0 yielding |
/// | 30    | calling convention: 1 SMC64/HVC64, 0 SMC32/HVC32 |
/// | 29:24 | owning entity number, 0-63 |
/// | 23:17 | must be zero for fast calls |
/// | 16    | SVE live-state hint (SMCCC v1.3 and later) for fast calls |
/// | 15:0  | function number |
public struct FunctionID: Hashable, Comparable, Sendable {
    /// The identifier exactly as the caller wrote it.
    public var rawValue: UInt32

    /// Wraps a raw 32-bit identifier without validation; see ``isWellFormed``.
    @inlinable
    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The identifier of `x0` at a call: SMCCC ignores bits 63:32 (DEN0028 §2.5).
    @inlinable
    public init(register x0: UInt64) {
        self.rawValue = UInt32(truncatingIfNeeded: x0)
    }

    /// Builds an identifier from its fields (Linux's `ARM_SMCCC_CALL_VAL`).
    @inlinable
    public init(_ callType: CallType, _ convention: CallingConvention, owner: OwningEntity, number: UInt16) {
        self.rawValue = UInt32(callType.rawValue) << 31
            | UInt32(convention.rawValue) << 30
            | UInt32(owner.rawValue & 0x3F) << 24
            | UInt32(number)
    }

    /// Bit 31.
    @inlinable
    public var callType: CallType { rawValue & 0x8000_0000 != 0 ? .fast : .yielding }

    /// Bit 30.
    @inlinable
    public var convention: CallingConvention { rawValue & 0x4000_0000 != 0 ? .smc64 : .smc32 }

    /// Bits 29:24.
    @inlinable
    public var owner: OwningEntity { OwningEntity(UInt8(truncatingIfNeeded: rawValue >> 24) & 0x3F) }

    /// Bits 15:0.
    @inlinable
    public var number: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// Bit 16 of a well-formed fast call: since SMCCC v1.3, set by a caller that holds no live
    /// SVE state. The hint never changes which function is called (DEN0028 §2.5.1); before
    /// v1.3 the bit is reserved and must be zero.
    @inlinable
    public var hasSVEHint: Bool { callType == .fast && reservedBits == 0 && rawValue & 0x0001_0000 != 0 }

    /// Bits 23:17, which must be zero in a fast call.
    @inlinable
    public var reservedBits: UInt32 { rawValue & 0x00FE_0000 }

    /// False for a fast call with any of bits 23:17 set; such an identifier names no function
    /// and a conforming implementation answers it with NOT_SUPPORTED (DEN0028 Table 2-1).
    /// Yielding calls leave bits 23:16 to the owning entity, so they are always well formed.
    @inlinable
    public var isWellFormed: Bool { callType == .yielding || reservedBits == 0 }

    /// The same identifier with the SVE hint (bit 16) cleared, for matching against function names.
    @inlinable
    public var withoutSVEHint: FunctionID {
        hasSVEHint ? FunctionID(rawValue & ~0x0001_0000) : self
    }

    /// The 32-bit (SMC32/HVC32) form of a function that exists in both conventions.
    @inlinable
    public var as32Bit: FunctionID { FunctionID(rawValue & ~0x4000_0000) }

    /// The 64-bit (SMC64/HVC64) form of a function that exists in both conventions.
    @inlinable
    public var as64Bit: FunctionID { FunctionID(rawValue | 0x4000_0000) }

    @inlinable
    public static func < (lhs: FunctionID, rhs: FunctionID) -> Bool { lhs.rawValue < rhs.rawValue }
}
