/// The IEEE 754 binary formats A64 computes in (DDI0487 A1.5.2 and A1.5.3), with ARM's
/// alternative half-precision variant selected by FPCR.AHP at the conversions that use it.
public enum FPFormat: Sendable {
    case half, single, double

    /// The width of the encoding: 16, 32 or 64.
    @inline(__always) public var bits: Int {
        switch self {
        case .half: return 16
        case .single: return 32
        case .double: return 64
        }
    }

    @inline(__always) var exponentBits: Int {
        switch self {
        case .half: return 5
        case .single: return 8
        case .double: return 11
        }
    }

    @inline(__always) var fractionBits: Int { bits - 1 - exponentBits }
    @inline(__always) var bias: Int { (1 << (exponentBits - 1)) - 1 }
    /// The exponent of the smallest normal number, 1 - bias.
    @inline(__always) var minimumExponent: Int { 1 - bias }
    @inline(__always) var signBit: UInt64 { 1 << UInt64(bits - 1) }
    @inline(__always) var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }
    @inline(__always) var exponentMask: UInt64 { ((1 << UInt64(exponentBits)) - 1) << UInt64(fractionBits) }
    /// The most significant fraction bit: set in quiet NaNs, clear in signalling ones.
    @inline(__always) var quietBit: UInt64 { 1 << UInt64(fractionBits - 1) }

    /// The format of a `size`-bit element (16, 32, 64), or nil.
    static func of(bits: Int) -> FPFormat? {
        switch bits {
        case 16: return .half
        case 32: return .single
        case 64: return .double
        default: return nil
        }
    }

    // MARK: Constants (DDI0487 J1 library pseudocode FPZero, FPInfinity, FPMaxNormal, FPDefaultNaN, FPTwo)

    @inline(__always) func zero(_ sign: Bool) -> UInt64 { sign ? signBit : 0 }
    @inline(__always) func infinity(_ sign: Bool) -> UInt64 { zero(sign) | exponentMask }
    @inline(__always) func maxNormal(_ sign: Bool) -> UInt64 { zero(sign) | (exponentMask - (1 << UInt64(fractionBits))) | fractionMask }
    /// Sign 0, exponent all ones, only the top fraction bit set.
    @inline(__always) var defaultNaN: UInt64 { exponentMask | quietBit }
    /// sign:exponent:fraction of 2^exponent with the given sign, for a normal result.
    @inline(__always) func power(_ sign: Bool, exponent: Int) -> UInt64 {
        zero(sign) | UInt64(exponent + bias) << UInt64(fractionBits)
    }
}

/// What FPUnpack finds in an encoding.
enum FPType: Equatable {
    case zero, nonzero, infinity, quietNaN, signallingNaN

    @inline(__always) var isNaN: Bool { self == .quietNaN || self == .signallingNaN }
}

/// An unpacked operand: its type and sign, and for a nonzero finite number its exact value as
/// `mantissa` x 2^`exponent`.
struct FPUnpacked {
    var type: FPType
    var sign: Bool
    var mantissa: UInt64
    var exponent: Int

    @inline(__always) var isZero: Bool { type == .zero }
    @inline(__always) var isInfinity: Bool { type == .infinity }
    @inline(__always) var isNaN: Bool { type.isNaN }
}

/// The state one floating-point operation works in: FPCR's controls, and the cumulative FPSR
/// exception flags it raises (ORed into FPSR by the instruction).
struct FPEnvironment {
    var control: FloatingPointControl
    var flags: UInt64 = 0

    @inline(__always) init(fpcr: UInt64) { control = FloatingPointControl(rawValue: fpcr) }
    @inline(__always) init(control: FloatingPointControl) { self.control = control }

    @inline(__always) var rounding: FloatingPointRounding { control.rounding }
    @inline(__always) mutating func raise(_ flag: UInt64) { flags |= flag }

}

enum FP {
    // MARK: FPUnpack (DDI0487 J1 shared/functions/float/fpunpack)

    /// Classifies `bits` of `format`. Under FPCR.FZ, a single or double denormal reads as a zero
    /// of its sign and raises IDC; half precision is not flushed (FZ16 is FEAT_FP16). With
    /// `alternative`, a half's all-ones exponent is a normal number (FPCR.AHP).
    @inline(__always)
    static func unpack(_ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, alternative: Bool = false) -> FPUnpacked {
        let sign = bits & format.signBit != 0
        let exponentField = Int((bits & format.exponentMask) >> UInt64(format.fractionBits))
        let fraction = bits & format.fractionMask
        let fractionBits = format.fractionBits
        if exponentField == 0 {
            if fraction == 0 { return FPUnpacked(type: .zero, sign: sign, mantissa: 0, exponent: 0) }
            if format != .half && env.control.flushToZero {
                env.raise(FloatingPointStatus.inputDenormal)
                return FPUnpacked(type: .zero, sign: sign, mantissa: 0, exponent: 0)
            }
            return FPUnpacked(type: .nonzero, sign: sign, mantissa: fraction, exponent: format.minimumExponent - fractionBits)
        }
        if exponentField == (1 << format.exponentBits) - 1 && !(format == .half && alternative) {
            if fraction == 0 { return FPUnpacked(type: .infinity, sign: sign, mantissa: 0, exponent: 0) }
            let type: FPType = fraction & format.quietBit != 0 ? .quietNaN : .signallingNaN
            return FPUnpacked(type: type, sign: sign, mantissa: 0, exponent: 0)
        }
        return FPUnpacked(type: .nonzero, sign: sign, mantissa: fraction | 1 << UInt64(fractionBits),
                          exponent: exponentField - format.bias - fractionBits)
    }

    // MARK: FPRound (DDI0487 J1 shared/functions/float/fpround, FPRoundBase)

    /// Rounds the exact value (-1)^sign x `mantissa` x 2^`exponent` (`mantissa` nonzero) to
    /// `format` in `rounding`. A caller whose value is not exact passes a mantissa with at least
    /// two bits below the result's last place and a sticky bit ORed into its lowest bit.
    ///
    /// As ARM specifies: underflow is detected before rounding (a result tiny before rounding
    /// and inexact raises UFC, even if it rounds up to the smallest normal); under FPCR.FZ, a
    /// single or double result tiny before rounding becomes a zero of its sign with UFC and
    /// without IXC; an overflow gives infinity or the largest normal by the rounding mode, with
    /// OFC and IXC; the alternative half format (`alternative`) has no infinity and saturates
    /// with IOC instead.
    static func round(sign: Bool, mantissa: UInt128, exponent: Int, _ format: FPFormat, _ env: inout FPEnvironment,
                      rounding: FloatingPointRounding, alternative: Bool = false) -> UInt64 {
        guard mantissa != 0 else { return format.zero(sign) }
        let top = 127 - mantissa.leadingZeroBitCount
        // The value lies in [2^e, 2^(e+1)).
        let e = exponent + top
        let fractionBits = format.fractionBits
        let minimumExponent = format.minimumExponent
        if format != .half && env.control.flushToZero && e < minimumExponent {
            env.raise(FloatingPointStatus.underflow)
            return format.zero(sign)
        }
        var biased = max(e - minimumExponent + 1, 0)
        // int_mant = RoundDown(value x 2^(F - e)), or x 2^(F - minimum_exp) for a denormal.
        let scale = fractionBits - (biased == 0 ? minimumExponent : e)
        let shift = -(exponent + scale)
        var integer: UInt64
        var exact = true
        var aboveHalf = false
        var half = false
        if shift <= 0 {
            integer = UInt64(truncatingIfNeeded: mantissa << UInt128(-shift))
        } else if shift >= 128 {
            integer = 0
            exact = false  // mantissa is nonzero and below half of the last place
        } else {
            integer = UInt64(truncatingIfNeeded: mantissa >> UInt128(shift))
            let remainder = mantissa & ((1 << UInt128(shift)) - 1)
            let halfway = UInt128(1) << UInt128(shift - 1)
            exact = remainder == 0
            aboveHalf = remainder > halfway
            half = remainder == halfway
        }
        if biased == 0 && !exact { env.raise(FloatingPointStatus.underflow) }

        let roundUp: Bool
        let overflowToInfinity: Bool
        switch rounding {
        case .tiesToEven:
            roundUp = aboveHalf || (half && integer & 1 == 1)
            overflowToInfinity = true
        case .towardsPlusInfinity:
            roundUp = !exact && !sign
            overflowToInfinity = !sign
        case .towardsMinusInfinity:
            roundUp = !exact && sign
            overflowToInfinity = sign
        case .towardsZero:
            roundUp = false
            overflowToInfinity = false
        case .tiesAway:
            roundUp = aboveHalf || half
            overflowToInfinity = true
        case .odd:
            roundUp = false
            overflowToInfinity = false
            if !exact { integer |= 1 }
        }
        if roundUp {
            integer += 1
            if integer == 1 << UInt64(fractionBits) { biased = 1 }  // a denormal rounded up to normal
            if integer == 1 << UInt64(fractionBits + 1) {
                biased += 1
                integer >>= 1
            }
        }
        var result: UInt64
        if !(format == .half && alternative) {
            if biased >= (1 << format.exponentBits) - 1 {
                result = overflowToInfinity ? format.infinity(sign) : format.maxNormal(sign)
                env.raise(FloatingPointStatus.overflow)
                exact = false
            } else {
                result = format.zero(sign) | UInt64(biased) << UInt64(fractionBits) | integer & format.fractionMask
            }
        } else {
            if biased >= 1 << format.exponentBits {
                result = format.zero(sign) | (format.signBit - 1)
                env.raise(FloatingPointStatus.invalidOperation)
                exact = true
            } else {
                result = format.zero(sign) | UInt64(biased) << UInt64(fractionBits) | integer & format.fractionMask
            }
        }
        if !exact { env.raise(FloatingPointStatus.inexact) }
        return result
    }

    /// FPRound in FPCR's rounding mode.
    @inline(__always)
    static func round(sign: Bool, mantissa: UInt128, exponent: Int, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        round(sign: sign, mantissa: mantissa, exponent: exponent, format, &env, rounding: env.rounding)
    }

    // MARK: NaNs (FPProcessNaN, FPProcessNaNs, FPProcessNaNs3)

    /// A NaN operand as a result: quieted (with IOC if it was signalling), or the default NaN
    /// under FPCR.DN.
    @inline(__always)
    static func processNaN(_ type: FPType, _ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        var result = bits
        if type == .signallingNaN {
            result |= format.quietBit
            env.raise(FloatingPointStatus.invalidOperation)
        }
        return env.control.defaultNaN ? format.defaultNaN : result
    }

    /// The NaN result of a two-operand operation, if either operand is a NaN: the first
    /// signalling NaN, else the first quiet NaN.
    @inline(__always)
    static func processNaNs(_ a: FPUnpacked, _ b: FPUnpacked, _ aBits: UInt64, _ bBits: UInt64, _ format: FPFormat,
                            _ env: inout FPEnvironment) -> UInt64? {
        if a.type == .signallingNaN { return processNaN(a.type, aBits, format, &env) }
        if b.type == .signallingNaN { return processNaN(b.type, bBits, format, &env) }
        if a.type == .quietNaN { return processNaN(a.type, aBits, format, &env) }
        if b.type == .quietNaN { return processNaN(b.type, bBits, format, &env) }
        return nil
    }

    /// The same for three operands (FMADD and friends pass the addend first).
    static func processNaNs3(_ a: FPUnpacked, _ b: FPUnpacked, _ c: FPUnpacked, _ aBits: UInt64, _ bBits: UInt64, _ cBits: UInt64,
                             _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64? {
        if a.type == .signallingNaN { return processNaN(a.type, aBits, format, &env) }
        if b.type == .signallingNaN { return processNaN(b.type, bBits, format, &env) }
        if c.type == .signallingNaN { return processNaN(c.type, cBits, format, &env) }
        if a.type == .quietNaN { return processNaN(a.type, aBits, format, &env) }
        if b.type == .quietNaN { return processNaN(b.type, bBits, format, &env) }
        if c.type == .quietNaN { return processNaN(c.type, cBits, format, &env) }
        return nil
    }

    /// The default NaN with IOC: the result of an invalid operation on numbers.
    @inline(__always)
    static func invalid(_ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        env.raise(FloatingPointStatus.invalidOperation)
        return format.defaultNaN
    }

    /// FPNeg and FPAbs: bit operations, NaNs included, with no exception.
    @inline(__always) static func negate(_ bits: UInt64, _ format: FPFormat) -> UInt64 { bits ^ format.signBit }
    @inline(__always) static func absolute(_ bits: UInt64, _ format: FPFormat) -> UInt64 { bits & ~format.signBit }
}
