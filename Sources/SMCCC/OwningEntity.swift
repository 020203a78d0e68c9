// Owning entity numbers, bits 29:24 of a function identifier (DEN0028 §6, Table 6-1).

/// The service range a function identifier belongs to: who defines and implements it.
public struct OwningEntity: Hashable, Comparable, Sendable {
    /// The 6-bit owning entity number, 0-63.
    public let rawValue: UInt8

    /// Wraps an owning entity number; only the low 6 bits are kept.
    @inlinable
    public init(_ rawValue: UInt8) {
        self.rawValue = rawValue & 0x3F
    }

    /// 0: Arm Architecture Calls (SMCCC_VERSION, SMCCC_ARCH_FEATURES, the workarounds).
    public static let armArchitecture = OwningEntity(0)
    /// 1: CPU Service Calls, defined by the CPU implementer.
    public static let cpu = OwningEntity(1)
    /// 2: SiP Service Calls, defined by the silicon provider (board firmware lives here).
    public static let sip = OwningEntity(2)
    /// 3: OEM Service Calls.
    public static let oem = OwningEntity(3)
    /// 4: Standard Secure Service Calls (PSCI, SDEI, TRNG, FF-A).
    public static let standardSecure = OwningEntity(4)
    /// 5: Standard Hypervisor Service Calls (paravirtualised time).
    public static let standardHypervisor = OwningEntity(5)
    /// 6: Vendor Specific Hypervisor Service Calls (the KVM vendor service).
    public static let vendorHypervisor = OwningEntity(6)
    /// 7: Vendor Specific EL3 Monitor Calls (SMCCC v1.4 and later).
    public static let vendorEL3Monitor = OwningEntity(7)

    /// The name SMCCC gives this range.
    public var name: StaticString {
        switch rawValue {
        case 0: return "Arm Architecture Service"
        case 1: return "CPU Service"
        case 2: return "SiP Service"
        case 3: return "OEM Service"
        case 4: return "Standard Secure Service"
        case 5: return "Standard Hypervisor Service"
        case 6: return "Vendor Specific Hypervisor Service"
        case 7: return "Vendor Specific EL3 Monitor Service"
        case 48...49: return "Trusted Application"
        case 50...63: return "Trusted OS"
        default: return "Reserved for future use"
        }
    }

    /// True for numbers 8-47, which SMCCC reserves.
    public var isReserved: Bool { (8...47).contains(rawValue) }

    @inlinable
    public static func < (lhs: OwningEntity, rhs: OwningEntity) -> Bool { lhs.rawValue < rhs.rawValue }
}
