// Version numbers as the interfaces return them.

/// An SMCCC or TRNG version: bit 31 zero, major in bits 30:16, minor in bits 15:0
/// (DEN0028 §7.2 SMCCC_VERSION; DEN0098 §2.2 TRNG_VERSION uses the same layout).
public struct SMCCCVersion: Hashable, Comparable, Sendable {
    public let major: UInt16
    public let minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major & 0x7FFF
        self.minor = minor
    }

    /// The value returned in W0.
    public var rawValue: UInt32 { UInt32(major) << 16 | UInt32(minor) }

    public static let v1_0 = SMCCCVersion(major: 1, minor: 0)
    public static let v1_1 = SMCCCVersion(major: 1, minor: 1)
    public static let v1_2 = SMCCCVersion(major: 1, minor: 2)
    public static let v1_3 = SMCCCVersion(major: 1, minor: 3)
    public static let v1_4 = SMCCCVersion(major: 1, minor: 4)
    public static let v1_5 = SMCCCVersion(major: 1, minor: 5)

    public static func < (lhs: SMCCCVersion, rhs: SMCCCVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A PSCI version: major in bits 31:16, minor in bits 15:0 (DEN0022 §5.1.1 PSCI_VERSION).
public struct PSCIVersion: Hashable, Comparable, Sendable {
    public let major: UInt16
    public let minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// Decodes the value PSCI_VERSION returns.
    public init(rawValue: UInt32) {
        self.major = UInt16(truncatingIfNeeded: rawValue >> 16)
        self.minor = UInt16(truncatingIfNeeded: rawValue)
    }

    /// The value PSCI_VERSION returns in W0 (0x2 for 0.2, 0x10003 for 1.3).
    public var rawValue: UInt32 { UInt32(major) << 16 | UInt32(minor) }

    public static let v0_2 = PSCIVersion(major: 0, minor: 2)
    public static let v1_0 = PSCIVersion(major: 1, minor: 0)
    public static let v1_1 = PSCIVersion(major: 1, minor: 1)
    public static let v1_2 = PSCIVersion(major: 1, minor: 2)
    public static let v1_3 = PSCIVersion(major: 1, minor: 3)

    public static func < (lhs: PSCIVersion, rhs: PSCIVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
