/// The reciprocal and reciprocal square root estimates and steps of DDI0487 J1 (FPRecipEstimate,
/// FPRSqrtEstimate, RecipEstimate, RecipSqrtEstimate, UnsignedRecipEstimate,
/// UnsignedRSqrtEstimate, FPRecipStepFused, FPRSqrtStepFused, FPRecpX), with the 8-bit estimate
/// of ARMv8.0 (no FEAT_RPRES).
extension FP {
    /// RecipEstimate for a in 256...511 (a fixed-point value in [0.5, 1)): 256...511, in [1, 2).
    static let reciprocalTable: [UInt16] = (256..<512).map { a in
        let b = (1 << 19) / (2 * a + 1)
        return UInt16((b + 1) / 2)
    }

    /// RecipSqrtEstimate for a in 128...511 (a fixed-point value in [0.25, 1)): 256...511.
    static let reciprocalSquareRootTable: [UInt16] = (128..<512).map { a in
        let scaled = a < 256 ? 2 * a + 1 : 2 * (((a >> 1) << 1) + 1)
        var b = 512
        while scaled * (b + 1) * (b + 1) < 1 << 28 { b += 1 }
        return UInt16((b + 1) / 2)
    }

    /// The operand's fraction as 52 bits and its biased exponent field.
    @inline(__always)
    static func fractionAndExponent(_ bits: UInt64, _ format: FPFormat) -> (UInt64, Int) {
        let fraction = (bits & format.fractionMask) << UInt64(52 - format.fractionBits)
        return (fraction, Int((bits & format.exponentMask) >> UInt64(format.fractionBits)))
    }

    /// The result exponent bias terms: 2 x bias - 1 for FRECPE, 3 x bias - 1 for FRSQRTE.
    @inline(__always) static func reciprocalBias(_ format: FPFormat) -> Int { 2 * format.bias - 1 }

    // MARK: FPRecipEstimate (FRECPE)

    static func reciprocalEstimate(_ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(bits, format, &env)
        switch x.type {
        case .quietNaN, .signallingNaN: return processNaN(x.type, bits, format, &env)
        case .infinity: return format.zero(x.sign)
        case .zero:
            env.raise(FloatingPointStatus.divideByZero)
            return format.infinity(x.sign)
        case .nonzero: break
        }
        // |value| < 2^-(bias + 1): the reciprocal overflows.
        let top = x.exponent + 63 - x.mantissa.leadingZeroBitCount
        if top < -(format.bias + 1) {
            let overflowToInfinity: Bool
            switch env.rounding {
            case .tiesToEven, .tiesAway: overflowToInfinity = true
            case .towardsPlusInfinity: overflowToInfinity = !x.sign
            case .towardsMinusInfinity: overflowToInfinity = x.sign
            case .towardsZero, .odd: overflowToInfinity = false
            }
            env.raise(FloatingPointStatus.overflow | FloatingPointStatus.inexact)
            return overflowToInfinity ? format.infinity(x.sign) : format.maxNormal(x.sign)
        }
        // Under FZ, |value| >= 2^(bias - 1): the reciprocal would be denormal, and is flushed.
        if format != .half && env.control.flushToZero && top >= format.bias - 1 {
            env.raise(FloatingPointStatus.underflow)
            return format.zero(x.sign)
        }
        var (fraction, exponent) = fractionAndExponent(bits, format)
        if exponent == 0 {
            if fraction >> 51 & 1 == 0 {
                exponent = -1
                fraction = (fraction << 2) & ((1 << 52) - 1)
            } else {
                fraction = (fraction << 1) & ((1 << 52) - 1)
            }
        }
        let scaled = Int(1 << 8 | fraction >> 44)
        var resultExponent = reciprocalBias(format) - exponent
        let estimate = UInt64(reciprocalTable[scaled - 256])
        var resultFraction = (estimate & 0xFF) << 44
        if resultExponent == 0 {
            resultFraction = 1 << 51 | resultFraction >> 1
        } else if resultExponent == -1 {
            resultFraction = 1 << 50 | resultFraction >> 2
            resultExponent = 0
        }
        return format.zero(x.sign) | UInt64(resultExponent) << UInt64(format.fractionBits)
            | resultFraction >> UInt64(52 - format.fractionBits)
    }

    // MARK: FPRSqrtEstimate (FRSQRTE)

    static func reciprocalSquareRootEstimate(_ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(bits, format, &env)
        switch x.type {
        case .quietNaN, .signallingNaN: return processNaN(x.type, bits, format, &env)
        case .zero:
            env.raise(FloatingPointStatus.divideByZero)
            return format.infinity(x.sign)
        case _ where x.sign: return invalid(format, &env)
        case .infinity: return format.zero(false)
        case .nonzero: break
        }
        var (fraction, exponent) = fractionAndExponent(bits, format)
        if exponent == 0 {
            while fraction >> 51 & 1 == 0 {
                fraction = (fraction << 1) & ((1 << 52) - 1)
                exponent -= 1
            }
            fraction = (fraction << 1) & ((1 << 52) - 1)
        }
        let scaled = exponent & 1 == 0 ? Int(1 << 8 | fraction >> 44) : Int(1 << 7 | fraction >> 45)
        let resultExponent = (3 * format.bias - 1 - exponent) / 2
        let estimate = UInt64(reciprocalSquareRootTable[scaled - 128])
        return UInt64(resultExponent) << UInt64(format.fractionBits) | (estimate & 0xFF) << UInt64(format.fractionBits - 8)
    }

    // MARK: URECPE, URSQRTE

    /// UnsignedRecipEstimate: all ones below 0.5 (bit 31 clear).
    static func unsignedReciprocalEstimate(_ value: UInt32) -> UInt32 {
        guard value >> 31 == 1 else { return .max }
        return UInt32(reciprocalTable[Int(value >> 23) - 256]) << 23
    }

    /// UnsignedRSqrtEstimate: all ones below 0.25 (bits 31:30 clear).
    static func unsignedReciprocalSquareRootEstimate(_ value: UInt32) -> UInt32 {
        guard value >> 30 != 0 else { return .max }
        return UInt32(reciprocalSquareRootTable[Int(value >> 23) - 128]) << 23
    }

    // MARK: FPRecipStepFused (FRECPS), FPRSqrtStepFused (FRSQRTS)

    /// (constant - a x b) / 2^halving, fused: 2 - a x b for FRECPS, (3 - a x b) / 2 for FRSQRTS.
    /// Infinity times zero gives the constant's result exactly (2.0 or 1.5) with no exception.
    static func step(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, squareRoot: Bool) -> UInt64 {
        let negated = negate(a, format)
        let x = unpack(negated, format, &env)
        let y = unpack(b, format, &env)
        if let nan = processNaNs(x, y, negated, b, format, &env) { return nan }
        if (x.isInfinity && y.isZero) || (x.isZero && y.isInfinity) {
            // 2.0, or 1.5 = 3 x 2^-1.
            return squareRoot ? format.power(false, exponent: 0) | format.quietBit : format.power(false, exponent: 1)
        }
        if x.isInfinity || y.isInfinity { return format.infinity(x.sign != y.sign) }
        let constant: UInt128 = squareRoot ? 3 : 2
        let halving = squareRoot ? 1 : 0
        if x.isZero || y.isZero {
            return round(sign: false, mantissa: constant, exponent: -halving, format, &env)
        }
        let product = UInt128(x.mantissa) * UInt128(y.mantissa)
        guard let s = sum(false, constant, 0, x.sign != y.sign, product, x.exponent + y.exponent) else {
            return cancellationZero(format, env)
        }
        return round(sign: s.sign, mantissa: s.mantissa, exponent: s.exponent - halving, format, &env)
    }

    // MARK: FPRecpX (FRECPX)

    /// The exponent's complement with a zero fraction: an estimate of the reciprocal's scale.
    static func reciprocalExponent(_ bits: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(bits, format, &env)
        if x.isNaN { return processNaN(x.type, bits, format, &env) }
        let exponent = bits & format.exponentMask
        let complement = exponent == 0 ? format.exponentMask - (1 << UInt64(format.fractionBits)) : ~exponent & format.exponentMask
        return format.zero(x.sign) | complement
    }
}
