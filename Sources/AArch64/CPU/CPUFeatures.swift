/// The optional instruction-set features a CPU model advertises; encodings of features it does not
/// advertise are UNDEFINED, as on hardware without them.
public struct CPUFeatures: Sendable, Equatable {
    /// CRC32 instructions (optional in ARMv8.0; ID_AA64ISAR0_EL1.CRC32).
    public var crc32: Bool
    /// Large System Extensions: CAS, CASP, SWP and the LD<op> atomics (ARMv8.1; ID_AA64ISAR0_EL1.Atomic).
    public var lse: Bool

    public init(crc32: Bool = true, lse: Bool = false) {
        self.crc32 = crc32
        self.lse = lse
    }

    /// A Cortex-A57: ARMv8.0 with CRC32.
    public static let cortexA57 = CPUFeatures(crc32: true, lse: false)
    /// Everything this interpreter implements.
    public static let all = CPUFeatures(crc32: true, lse: true)
}
