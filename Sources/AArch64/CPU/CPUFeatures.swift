/// The optional instruction-set features a CPU model advertises; encodings of features it does not
/// advertise are UNDEFINED, as on hardware without them, and the ID registers report exactly these.
public struct CPUFeatures: Sendable, Equatable {
    /// CRC32 instructions (optional in ARMv8.0; ID_AA64ISAR0_EL1.CRC32).
    public var crc32: Bool
    /// Large System Extensions: CAS, CASP, SWP and the LD<op> atomics (ARMv8.1; ID_AA64ISAR0_EL1.Atomic).
    public var lse: Bool
    /// Floating-point and Advanced SIMD (ID_AA64PFR0_EL1.FP and AdvSIMD): V0-V31, FPCR, FPSR and
    /// their instructions.
    public var floatingPoint: Bool
    /// The Cryptographic Extension: AES with 64-bit PMULL, SHA1 and SHA256 (ID_AA64ISAR0_EL1.AES,
    /// SHA1, SHA2); only with ``floatingPoint``.
    public var cryptography: Bool

    public init(crc32: Bool = true, lse: Bool = false, floatingPoint: Bool = false, cryptography: Bool = false) {
        self.crc32 = crc32
        self.lse = lse
        self.floatingPoint = floatingPoint
        self.cryptography = cryptography
    }

    /// A Cortex-A57 with its Cryptographic Extension: ARMv8.0 with CRC32, FP and Advanced SIMD,
    /// AES (with 64-bit PMULL), SHA1 and SHA256.
    public static let cortexA57 = CPUFeatures(crc32: true, lse: false, floatingPoint: true, cryptography: true)
    /// Everything this interpreter implements, finished or not: for the differential tests.
    public static let all = CPUFeatures(crc32: true, lse: true, floatingPoint: true, cryptography: true)
}
