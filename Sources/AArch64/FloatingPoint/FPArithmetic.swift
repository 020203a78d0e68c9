/// The arithmetic of DDI0487 J1's floating-point library pseudocode (FPAdd, FPSub, FPMul,
/// FPMulX, FPDiv, FPMulAdd, FPSqrt, FPMax, FPMin, FPMaxNum, FPMinNum, FPCompare), on encodings:
/// each operation unpacks its operands, handles NaNs, infinities and zeros by the pseudocode's
/// rules, computes the exact result (or enough of it, with a sticky bit) in integers and rounds
/// it once with ``FP/round(sign:mantissa:exponent:_:_:rounding:alternative:)``.
extension FP {
    // MARK: Exact sums

    /// The exact sum of two nonzero values (-1)^s x m x 2^e, as a sign, a mantissa with a sticky
    /// lowest bit where bits were lost, and an exponent; nil when the sum is exactly zero.
    static func sum(_ signA: Bool, _ mantissaA: UInt128, _ exponentA: Int,
                    _ signB: Bool, _ mantissaB: UInt128, _ exponentB: Int) -> (sign: Bool, mantissa: UInt128, exponent: Int)? {
        let topA = exponentA + 127 - mantissaA.leadingZeroBitCount
        let topB = exponentB + 127 - mantissaB.leadingZeroBitCount
        // X has the larger magnitude's leading bit; it is placed at bit 125, leaving room for a carry.
        let (signX, mantissaX, exponentX, signY, mantissaY, exponentY) = topA >= topB
            ? (signA, mantissaA, exponentA, signB, mantissaB, exponentB)
            : (signB, mantissaB, exponentB, signA, mantissaA, exponentA)
        let shiftX = 125 - (127 - mantissaX.leadingZeroBitCount)
        let x = mantissaX << UInt128(shiftX)
        let exponent = exponentX - shiftX
        let d = exponentY - exponent
        let y: UInt128
        if d >= 0 {
            y = mantissaY << UInt128(d)
        } else if d > -128 {
            let lost = mantissaY & ((1 << UInt128(-d)) - 1)
            y = mantissaY >> UInt128(-d) | (lost != 0 ? 1 : 0)
        } else {
            y = 1  // far below the result's last place: only its stickiness matters
        }
        if signX == signY { return (signX, x + y, exponent) }
        if x == y { return nil }
        return x > y ? (signX, x - y, exponent) : (signY, y - x, exponent)
    }

    /// The zero an exact cancellation gives: +0, or -0 when rounding towards minus infinity.
    @inline(__always) static func cancellationZero(_ format: FPFormat, _ env: FPEnvironment) -> UInt64 {
        format.zero(env.rounding == .towardsMinusInfinity)
    }

    // MARK: FPAdd, FPSub

    static func add(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if let nan = processNaNs(x, y, a, b, format, &env) { return nan }
        if x.isInfinity && y.isInfinity && x.sign != y.sign { return invalid(format, &env) }
        if x.isInfinity { return format.infinity(x.sign) }
        if y.isInfinity { return format.infinity(y.sign) }
        if x.isZero && y.isZero && x.sign == y.sign { return format.zero(x.sign) }
        if x.isZero && y.isZero { return cancellationZero(format, env) }
        if x.isZero { return round(sign: y.sign, mantissa: UInt128(y.mantissa), exponent: y.exponent, format, &env) }
        if y.isZero { return round(sign: x.sign, mantissa: UInt128(x.mantissa), exponent: x.exponent, format, &env) }
        guard let s = sum(x.sign, UInt128(x.mantissa), x.exponent, y.sign, UInt128(y.mantissa), y.exponent) else {
            return cancellationZero(format, env)
        }
        return round(sign: s.sign, mantissa: s.mantissa, exponent: s.exponent, format, &env)
    }

    /// FPSub: FPAdd with the second operand's sign flipped, but NaN operands propagate as they are.
    static func subtract(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let y = unpack(b, format, &env)
        if y.isNaN {
            let x = unpack(a, format, &env)
            return processNaNs(x, y, a, b, format, &env)!
        }
        return add(a, negate(b, format), format, &env)
    }

    // MARK: FPMul, FPMulX

    /// FPMul; with `extended` (FMULX), infinity times zero is 2.0 with the sign of the product.
    static func multiply(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, extended: Bool = false) -> UInt64 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if let nan = processNaNs(x, y, a, b, format, &env) { return nan }
        let sign = x.sign != y.sign
        if (x.isInfinity && y.isZero) || (x.isZero && y.isInfinity) {
            return extended ? format.power(sign, exponent: 1) : invalid(format, &env)
        }
        if x.isInfinity || y.isInfinity { return format.infinity(sign) }
        if x.isZero || y.isZero { return format.zero(sign) }
        return round(sign: sign, mantissa: UInt128(x.mantissa) * UInt128(y.mantissa), exponent: x.exponent + y.exponent, format, &env)
    }

    // MARK: FPDiv

    static func divide(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if let nan = processNaNs(x, y, a, b, format, &env) { return nan }
        let sign = x.sign != y.sign
        if (x.isInfinity && y.isInfinity) || (x.isZero && y.isZero) { return invalid(format, &env) }
        if x.isInfinity { return format.infinity(sign) }
        if y.isZero {
            env.raise(FloatingPointStatus.divideByZero)
            return format.infinity(sign)
        }
        if x.isZero || y.isInfinity { return format.zero(sign) }
        // The dividend's leading bit at bit 126: the quotient keeps at least 74 bits.
        let shift = 126 - (63 - x.mantissa.leadingZeroBitCount)
        let dividend = UInt128(x.mantissa) << UInt128(shift)
        let divisor = UInt128(y.mantissa)
        let (quotient, remainder) = dividend.quotientAndRemainder(dividingBy: divisor)
        return round(sign: sign, mantissa: quotient | (remainder != 0 ? 1 : 0), exponent: x.exponent - shift - y.exponent, format, &env)
    }

    // MARK: FPMulAdd

    /// `addend` + `a` x `b`, rounded once. NaNs: the addend first, then `a`, then `b`
    /// (FPProcessNaNs3); a quiet-NaN addend with a product of zero and infinity gives the default
    /// NaN and IOC.
    static func multiplyAdd(_ addend: UInt64, _ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let c = unpack(addend, format, &env)
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        let infinityTimesZero = (x.isInfinity && y.isZero) || (x.isZero && y.isInfinity)
        if let nan = processNaNs3(c, x, y, addend, a, b, format, &env) {
            if c.type == .quietNaN && infinityTimesZero { return invalid(format, &env) }
            return nan
        }
        let productSign = x.sign != y.sign
        let productInfinite = x.isInfinity || y.isInfinity
        let productZero = x.isZero || y.isZero
        if infinityTimesZero || (c.isInfinity && productInfinite && c.sign != productSign) { return invalid(format, &env) }
        if c.isInfinity { return format.infinity(c.sign) }
        if productInfinite { return format.infinity(productSign) }
        if c.isZero && productZero {
            return c.sign == productSign ? format.zero(c.sign) : cancellationZero(format, env)
        }
        if productZero { return round(sign: c.sign, mantissa: UInt128(c.mantissa), exponent: c.exponent, format, &env) }
        let product = UInt128(x.mantissa) * UInt128(y.mantissa)
        let productExponent = x.exponent + y.exponent
        if c.isZero { return round(sign: productSign, mantissa: product, exponent: productExponent, format, &env) }
        guard let s = sum(c.sign, UInt128(c.mantissa), c.exponent, productSign, product, productExponent) else {
            return cancellationZero(format, env)
        }
        return round(sign: s.sign, mantissa: s.mantissa, exponent: s.exponent, format, &env)
    }

    // MARK: FPSqrt

    static func squareRoot(_ a: UInt64, _ format: FPFormat, _ env: inout FPEnvironment) -> UInt64 {
        let x = unpack(a, format, &env)
        if x.isNaN { return processNaN(x.type, a, format, &env) }
        if x.isZero { return format.zero(x.sign) }
        if x.isInfinity && !x.sign { return format.infinity(false) }
        if x.sign { return invalid(format, &env) }
        var mantissa = UInt128(x.mantissa)
        var exponent = x.exponent
        if exponent & 1 != 0 {
            mantissa <<= 1
            exponent -= 1
        }
        // Scale by an even power of two to 125 or 126 bits: the root keeps at least 62.
        let top = 127 - mantissa.leadingZeroBitCount
        let scale = (126 - top) & ~1
        let (root, exact) = integerSquareRoot(mantissa << UInt128(scale))
        return round(sign: false, mantissa: root | (exact ? 0 : 1), exponent: (exponent - scale) / 2, format, &env)
    }

    /// floor(sqrt(n)), and whether it is exact, digit by digit.
    static func integerSquareRoot(_ n: UInt128) -> (UInt128, Bool) {
        var remainder = n
        var root: UInt128 = 0
        var bit: UInt128 = 1 << 126
        while bit > n { bit >>= 2 }
        while bit != 0 {
            if remainder >= root + bit {
                remainder -= root + bit
                root = (root >> 1) + bit
            } else {
                root >>= 1
            }
            bit >>= 2
        }
        return (root, remainder == 0)
    }

    // MARK: Comparisons

    /// The order of two non-NaN operands: -1, 0 or 1. Zeros of either sign are equal, and a
    /// flushed denormal is a zero.
    @inline(__always)
    static func order(_ x: FPUnpacked, _ a: UInt64, _ y: FPUnpacked, _ b: UInt64, _ format: FPFormat) -> Int {
        // Within one format, the magnitudes of non-NaN encodings order as their bits do.
        let magnitudeA = x.isZero ? 0 : a & ~format.signBit
        let magnitudeB = y.isZero ? 0 : b & ~format.signBit
        if magnitudeA == 0 && magnitudeB == 0 { return 0 }
        if x.sign != y.sign { return x.sign ? -1 : 1 }
        if magnitudeA == magnitudeB { return 0 }
        return (magnitudeA < magnitudeB) != x.sign ? -1 : 1
    }

    /// FPCompare as NZCV: unordered 0011, equal 0110, less 1000, greater 0010. A signalling NaN,
    /// or with `signalling` (FCMPE, FCCMPE) any NaN, raises IOC.
    static func compare(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, signalling: Bool) -> UInt32 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if x.isNaN || y.isNaN {
            if x.type == .signallingNaN || y.type == .signallingNaN || signalling { env.raise(FloatingPointStatus.invalidOperation) }
            return 0b0011
        }
        switch order(x, a, y, b, format) {
        case 0: return 0b0110
        case -1: return 0b1000
        default: return 0b0010
        }
    }

    /// The vector compares: FPCompareEQ (quiet), FPCompareGE and FPCompareGT (signalling);
    /// false for unordered operands.
    enum Relation { case equal, greaterOrEqual, greater }

    static func compare(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, _ relation: Relation) -> Bool {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if x.isNaN || y.isNaN {
            if relation != .equal || x.type == .signallingNaN || y.type == .signallingNaN {
                env.raise(FloatingPointStatus.invalidOperation)
            }
            return false
        }
        let o = order(x, a, y, b, format)
        switch relation {
        case .equal: return o == 0
        case .greaterOrEqual: return o >= 0
        case .greater: return o > 0
        }
    }

    // MARK: FPMax, FPMin, FPMaxNum, FPMinNum

    /// FPMax (`maximum`) or FPMin: NaNs propagate; -0 is below +0.
    static func maxMin(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, maximum: Bool) -> UInt64 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        if let nan = processNaNs(x, y, a, b, format, &env) { return nan }
        let o = order(x, a, y, b, format)
        let pickA = maximum ? o > 0 : o < 0
        let (chosen, bits) = pickA ? (x, a) : (y, b)
        // A zero result: -0 from FPMax only if both are -0; from FPMin if either is.
        if chosen.isZero { return format.zero(maximum ? x.sign && y.sign : x.sign || y.sign) }
        return bits
    }

    /// FPMaxNum/FPMinNum (FMAXNM, FMINNM): a quiet NaN against a number gives the number
    /// (IEEE 754-2008 maxNum), a signalling NaN still propagates with IOC.
    static func maxMinNumber(_ a: UInt64, _ b: UInt64, _ format: FPFormat, _ env: inout FPEnvironment, maximum: Bool) -> UInt64 {
        let x = unpack(a, format, &env)
        let y = unpack(b, format, &env)
        var a = a
        var b = b
        // A lone quiet NaN becomes the infinity that loses the comparison.
        if x.type == .quietNaN && y.type != .quietNaN {
            a = format.infinity(maximum)
        } else if x.type != .quietNaN && y.type == .quietNaN {
            b = format.infinity(maximum)
        }
        return maxMin(a, b, format, &env, maximum: maximum)
    }
}
