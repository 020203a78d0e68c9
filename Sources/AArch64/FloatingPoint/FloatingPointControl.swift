/// FPCR, the Floating-point Control Register (DDI0487 C5.2.8), as the rounding and flushing
/// controls the arithmetic reads.
public struct FloatingPointControl: Sendable, Equatable {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The bits this CPU implements: AHP (26), DN (25), FZ (24), RMode (23:22). The trap enables
    /// (IOE ... IDE) are RAZ/WI on a CPU that traps no floating-point exception, FZ16 needs
    /// FEAT_FP16, and Len/Stride are AArch32 only.
    public static let writable: UInt64 = 0x07C0_0000

    /// Alternative half-precision: FCVT to and from half uses ARM's format without infinities or NaNs.
    @inline(__always) public var alternativeHalfPrecision: Bool { rawValue & (1 << 26) != 0 }
    /// Default NaN: every NaN result is the default NaN.
    @inline(__always) public var defaultNaN: Bool { rawValue & (1 << 25) != 0 }
    /// Flush-to-zero of single and double denormal inputs and results.
    @inline(__always) public var flushToZero: Bool { rawValue & (1 << 24) != 0 }
    /// The rounding mode, RMode.
    @inline(__always) public var rounding: FloatingPointRounding { FloatingPointRounding(rawValue: UInt8((rawValue >> 22) & 3))! }
}

/// FPCR.RMode and the explicit roundings of FCVT*, FRINT* (DDI0487 J1 FPRounding).
public enum FloatingPointRounding: UInt8, Sendable {
    case tiesToEven = 0
    case towardsPlusInfinity = 1
    case towardsMinusInfinity = 2
    case towardsZero = 3
    /// Ties away from zero: FCVTA*, FRINTA.
    case tiesAway = 4
    /// Round to odd: FCVTXN.
    case odd = 5
}

/// FPSR, the Floating-point Status Register (DDI0487 C5.2.10): the cumulative flags.
public enum FloatingPointStatus {
    public static let invalidOperation: UInt64 = 1 << 0      // IOC
    public static let divideByZero: UInt64 = 1 << 1          // DZC
    public static let overflow: UInt64 = 1 << 2              // OFC
    public static let underflow: UInt64 = 1 << 3             // UFC
    public static let inexact: UInt64 = 1 << 4               // IXC
    public static let inputDenormal: UInt64 = 1 << 7         // IDC
    public static let saturation: UInt64 = 1 << 27           // QC
    /// The bits AArch64 defines (N, Z, C and V are AArch32's, RES0 on a CPU without AArch32).
    public static let writable: UInt64 = 0x0800_009F
}
