/// Conversions of DDI0487 J1's library pseudocode: FPConvert (between half, single and double,
/// with FPCR.AHP), FPToFixed (FCVT*, to integers and fixed point, saturating), FixedToFP (SCVTF,
/// UCVTF) and FPRoundInt (FRINT*).
extension FP {
    // MARK: FPConvert

    /// A NaN in another format: sign and payload kept (the payload's top bits when narrowing),
    /// quieted (FPConvertNaN).
    static func convertNaN(_ bits: UInt64, from source: FPFormat, to target: FPFormat) -> UInt64 {
        let sign = bits & source.signBit != 0
        let payload = bits & (source.fractionMask >> 1)  // the fraction below the quiet bit
        let shift = target.fractionBits - source.fractionBits
        let converted = shift >= 0 ? payload << UInt64(shift) : payload >> UInt64(-shift)
        return target.infinity(sign) | target.quietBit | (converted & (target.fractionMask >> 1))
    }

    /// FPConvert: `bits` of `source` as `target`, in `rounding`. A half operand or result uses
    /// ARM's alternative format under FPCR.AHP (no infinities or NaNs: a NaN becomes zero and an
    /// infinity the largest magnitude, both with IOC). Half values are never flushed (FPUnpackCV,
    /// FPRoundCV clear FZ16); single and double ones are, under FZ.
    static func convert(_ bits: UInt64, from source: FPFormat, to target: FPFormat, _ env: inout FPEnvironment,
                        rounding: FloatingPointRounding) -> UInt64 {
        let ahp = env.control.alternativeHalfPrecision
        let x = unpack(bits, source, &env, alternative: ahp)
        let alternativeResult = target == .half && ahp
        switch x.type {
        case .quietNaN, .signallingNaN:
            if x.type == .signallingNaN || alternativeResult { env.raise(FloatingPointStatus.invalidOperation) }
            if alternativeResult { return target.zero(x.sign) }
            if env.control.defaultNaN { return target.defaultNaN }
            return convertNaN(bits, from: source, to: target)
        case .infinity:
            if alternativeResult {
                env.raise(FloatingPointStatus.invalidOperation)
                return target.zero(x.sign) | (target.signBit - 1)
            }
            return target.infinity(x.sign)
        case .zero:
            return target.zero(x.sign)
        case .nonzero:
            return round(sign: x.sign, mantissa: UInt128(x.mantissa), exponent: x.exponent, target, &env, rounding: rounding,
                         alternative: alternativeResult)
        }
    }

    // MARK: Rounding to an integer

    /// The integer a magnitude m x 2^e rounds to, and whether bits were lost: the rounding is
    /// done on the magnitude, with the sign deciding the directed modes.
    @inline(__always)
    static func roundToIntegral(sign: Bool, mantissa: UInt64, exponent: Int, rounding: FloatingPointRounding)
        -> (magnitude: UInt128, exact: Bool, overflow: Bool)
    {
        if exponent >= 0 {
            let top = 63 - mantissa.leadingZeroBitCount
            if top + exponent >= 126 { return (0, true, true) }
            return (UInt128(mantissa) << UInt128(exponent), true, false)
        }
        let shift = -exponent
        var integer: UInt64 = 0
        var exact = false
        var aboveHalf = false
        var half = false
        // A mantissa has at most 53 bits, so from a shift of 64 on it is below half a unit.
        if shift < 64 {
            integer = mantissa >> UInt64(shift)
            let remainder = mantissa & ((1 << UInt64(shift)) - 1)
            let halfway: UInt64 = 1 << UInt64(shift - 1)
            exact = remainder == 0
            aboveHalf = remainder > halfway
            half = remainder == halfway
        }
        let roundUp: Bool
        switch rounding {
        case .tiesToEven: roundUp = aboveHalf || (half && integer & 1 == 1)
        case .tiesAway: roundUp = aboveHalf || half
        case .towardsPlusInfinity: roundUp = !exact && !sign
        case .towardsMinusInfinity: roundUp = !exact && sign
        case .towardsZero, .odd: roundUp = false
        }
        return (UInt128(integer) + (roundUp ? 1 : 0), exact, false)
    }

    // MARK: FPToFixed

    /// FPToFixed: `bits` x 2^`fractionBits` rounded to a `width`-bit integer, signed or not.
    /// NaN gives 0 and an out-of-range value saturates, both with IOC; otherwise an inexact
    /// conversion raises IXC.
    static func toFixed(_ bits: UInt64, _ format: FPFormat, fractionBits: Int, unsigned: Bool, width: Int,
                        _ env: inout FPEnvironment, rounding: FloatingPointRounding) -> UInt64 {
        let x = unpack(bits, format, &env)
        let maximum: Int128 = unsigned ? (Int128(1) << Int128(width)) - 1 : (Int128(1) << Int128(width - 1)) - 1
        let minimum: Int128 = unsigned ? 0 : -(Int128(1) << Int128(width - 1))
        let mask = SIMDLanes.mask(bits: width)
        switch x.type {
        case .quietNaN, .signallingNaN:
            env.raise(FloatingPointStatus.invalidOperation)
            return 0
        case .infinity:
            env.raise(FloatingPointStatus.invalidOperation)
            return UInt64(truncatingIfNeeded: x.sign ? minimum : maximum) & mask
        case .zero:
            return 0
        case .nonzero:
            let r = roundToIntegral(sign: x.sign, mantissa: x.mantissa, exponent: x.exponent + fractionBits, rounding: rounding)
            let value: Int128 = r.overflow ? (x.sign ? Int128.min : Int128.max)
                : x.sign ? -Int128(r.magnitude) : Int128(r.magnitude)
            if value > maximum || value < minimum {
                env.raise(FloatingPointStatus.invalidOperation)
                return UInt64(truncatingIfNeeded: value > maximum ? maximum : minimum) & mask
            }
            if !r.exact { env.raise(FloatingPointStatus.inexact) }
            return UInt64(truncatingIfNeeded: value) & mask
        }
    }

    // MARK: FixedToFP

    /// FixedToFP: the `width`-bit integer `value` (signed or not) / 2^`fractionBits`, rounded.
    static func fromFixed(_ value: UInt64, width: Int, fractionBits: Int, unsigned: Bool, _ format: FPFormat,
                          _ env: inout FPEnvironment, rounding: FloatingPointRounding) -> UInt64 {
        let bits = value & SIMDLanes.mask(bits: width)
        let negative = !unsigned && SIMDLanes.signExtend(bits, bits: width) < 0
        let magnitude = negative ? (0 &- bits) & SIMDLanes.mask(bits: width) : bits
        // The most negative value's magnitude is 2^(width-1), which the masked negation keeps.
        guard magnitude != 0 else { return format.zero(false) }
        return round(sign: negative, mantissa: UInt128(magnitude), exponent: -fractionBits, format, &env, rounding: rounding)
    }

    // MARK: FPRoundInt

    /// FPRoundInt (FRINTN, FRINTP, FRINTM, FRINTZ, FRINTA, FRINTI, FRINTX): the integral value
    /// in `format`; only FRINTX (`exact`) raises IXC when the value changes.
    static func roundInt(_ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, rounding: FloatingPointRounding,
                         exact: Bool) -> UInt64 {
        let x = unpack(bits, format, &env)
        switch x.type {
        case .quietNaN, .signallingNaN: return processNaN(x.type, bits, format, &env)
        case .infinity: return format.infinity(x.sign)
        case .zero: return format.zero(x.sign)
        case .nonzero:
            if x.exponent >= 0 { return bits }  // already integral
            let r = roundToIntegral(sign: x.sign, mantissa: x.mantissa, exponent: x.exponent, rounding: rounding)
            if !r.exact && exact { env.raise(FloatingPointStatus.inexact) }
            guard r.magnitude != 0 else { return format.zero(x.sign) }
            // An integer below 2^53 converts exactly.
            return round(sign: x.sign, mantissa: r.magnitude, exponent: 0, format, &env, rounding: .towardsZero)
        }
    }
}
