@testable import AArch64
import Glibc
import Testing

/// The soft-float core against the rules DDI0487 states and the values ../shared/reference/
/// fp-simd-and-engines.md measured on Unicorn, and against the host's IEEE 754 arithmetic where
/// ARM and x86 agree (results of numbers, and the IOC, DZC, OFC and IXC flags in the four
/// rounding modes; underflow is detected differently, so UFC is checked only by the rules).
struct FloatingPointCoreTests {
    typealias S = FloatingPointStatus

    func env(_ fpcr: UInt64 = 0) -> FPEnvironment { FPEnvironment(fpcr: fpcr) }
    static let fz: UInt64 = 1 << 24
    static let dn: UInt64 = 1 << 25

    @Test func tininessIsDetectedBeforeRounding() {
        var e = env()
        // 0x3F7FFFFE x 0x00800001 rounds up to the smallest normal but was tiny before rounding.
        #expect(FP.multiply(0x3F7F_FFFE, 0x0080_0001, .single, &e) == 0x0080_0000)
        #expect(e.flags == S.underflow | S.inexact)
        var flushing = env(Self.fz)
        #expect(FP.multiply(0x3F7F_FFFE, 0x0080_0001, .single, &flushing) == 0)
        #expect(flushing.flags == S.underflow)
    }

    @Test func exactTinyResultsRaiseNothingUnlessFlushed() {
        var e = env()
        #expect(FP.multiply(0x0080_0000, 0x3F00_0000, .single, &e) == 0x0040_0000)
        #expect(e.flags == 0)
        var flushing = env(Self.fz)
        #expect(FP.multiply(0x0080_0000, 0x3F00_0000, .single, &flushing) == 0)
        #expect(flushing.flags == S.underflow)
    }

    @Test func flushedDenormalInputsRaiseIDC() {
        var flushing = env(Self.fz)
        #expect(FP.add(0x0000_0001, 0, .single, &flushing) == 0)
        #expect(flushing.flags == S.inputDenormal)
        var e = env()
        #expect(FP.add(0x0000_0001, 0, .single, &e) == 1)
        #expect(e.flags == 0)
    }

    @Test func nanPropagationFollowsFPProcessNaNs() {
        var e = env()
        // A signalling NaN wins over an earlier quiet one, quieted, with IOC.
        #expect(FP.add(0x7FC0_0001, 0x7F80_0002, .single, &e) == 0x7FC0_0002)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.add(0x7FC0_0001, 0x7FC0_0003, .single, &e) == 0x7FC0_0001)
        #expect(e.flags == 0)
        // Invalid operations give the positive default NaN.
        e = env()
        #expect(FP.multiply(0, 0x7F80_0000, .single, &e) == 0x7FC0_0000)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.squareRoot(0xBFF0_0000_0000_0000, .double, &e) == 0x7FF8_0000_0000_0000)
        // DN: any NaN result is the default NaN; IOC is still raised for a signalling one.
        var defaultNaN = env(Self.dn)
        #expect(FP.add(0x7F80_0002, 0, .single, &defaultNaN) == 0x7FC0_0000)
        #expect(defaultNaN.flags == S.invalidOperation)
    }

    @Test func fusedMultiplyAddNaNRules() {
        var e = env()
        // 0 x inf + qNaN: the default NaN and IOC; + sNaN: the quieted sNaN and IOC.
        #expect(FP.multiplyAdd(0x7FC0_0003, 0, 0x7F80_0000, .single, &e) == 0x7FC0_0000)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.multiplyAdd(0x7F80_0003, 0, 0x7F80_0000, .single, &e) == 0x7FC0_0003)
        // The addend's NaN before the multiplicands'.
        e = env()
        #expect(FP.multiplyAdd(0x7FC0_0003, 0x7FC0_0001, 0x3F80_0000, .single, &e) == 0x7FC0_0003)
        // Rounded once: (1 + 2^-23) x (1 - 2^-23) - 1 = -2^-46, which two roundings lose.
        e = env()
        #expect(FP.multiplyAdd(0xBF80_0000, 0x3F80_0001, 0x3F7F_FFFE, .single, &e) == 0xA880_0000)
    }

    @Test func minimumAndMaximumOfZerosAndNaNs() {
        var e = env()
        #expect(FP.maxMin(0x8000_0000, 0, .single, &e, maximum: false) == 0x8000_0000)
        #expect(FP.maxMin(0, 0x8000_0000, .single, &e, maximum: false) == 0x8000_0000)
        #expect(FP.maxMin(0x8000_0000, 0, .single, &e, maximum: true) == 0)
        #expect(FP.maxMin(0x7FC0_0001, 0x3F80_0000, .single, &e, maximum: false) == 0x7FC0_0001)
        #expect(e.flags == 0)
        #expect(FP.maxMinNumber(0x7FC0_0001, 0x3F80_0000, .single, &e, maximum: false) == 0x3F80_0000)
        #expect(e.flags == 0)
        #expect(FP.maxMinNumber(0x7F80_0001, 0x3F80_0000, .single, &e, maximum: false) == 0x7FC0_0001)
        #expect(e.flags == S.invalidOperation)
    }

    @Test func conversionsToIntegersSaturate() {
        var e = env()
        #expect(FP.toFixed(0x7FC0_0000, .single, fractionBits: 0, unsigned: false, width: 32, &e, rounding: .towardsZero) == 0)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.toFixed(0x4F32_D05E, .single, fractionBits: 0, unsigned: false, width: 32, &e, rounding: .towardsZero) == 0x7FFF_FFFF)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.toFixed(0xCF32_D05E, .single, fractionBits: 0, unsigned: false, width: 32, &e, rounding: .towardsZero) == 0x8000_0000)
        e = env()
        #expect(FP.toFixed(0xBF80_0000, .single, fractionBits: 0, unsigned: true, width: 32, &e, rounding: .towardsZero) == 0)
        #expect(e.flags == S.invalidOperation)
        // Ties away: 2.5 -> 3, -2.5 -> -3, with IXC.
        e = env()
        #expect(FP.toFixed(0x4020_0000, .single, fractionBits: 0, unsigned: false, width: 32, &e, rounding: .tiesAway) == 3)
        #expect(e.flags == S.inexact)
        #expect(FP.toFixed(0xC020_0000, .single, fractionBits: 0, unsigned: false, width: 64, &e, rounding: .tiesAway) == UInt64(bitPattern: -3))
        #expect(FP.toFixed(0xC020_0000, .single, fractionBits: 0, unsigned: false, width: 64, &e, rounding: .tiesToEven) == UInt64(bitPattern: -2))
        #expect(FP.toFixed(0xC020_0000, .single, fractionBits: 0, unsigned: false, width: 64, &e, rounding: .towardsMinusInfinity) == UInt64(bitPattern: -3))
    }

    @Test func estimatesUseTheArchitectedTables() {
        var e = env()
        #expect(FP.reciprocalEstimate(0x4040_0000, .single, &e) == 0x3EAA_8000)  // FRECPE(3.0)
        #expect(FP.reciprocalEstimate(0, .single, &e) == 0x7F80_0000)
        #expect(e.flags == S.divideByZero)
        e = env()
        #expect(FP.reciprocalSquareRootEstimate(0x4080_0000, .single, &e) == 0x3EFF_8000)  // FRSQRTE(4.0) = 0.499
        #expect(FP.reciprocalSquareRootEstimate(0xBF80_0000, .single, &e) == 0x7FC0_0000)
        #expect(e.flags == S.invalidOperation)
        e = env()
        #expect(FP.step(0x7F80_0000, 0, .single, &e, squareRoot: false) == 0x4000_0000)
        #expect(FP.step(0x7F80_0000, 0, .single, &e, squareRoot: true) == 0x3FC0_0000)
        #expect(e.flags == 0)
        #expect(FP.reciprocalExponent(0x4040_0000, .single, &e) == 0x3F80_0000)
        #expect(FP.reciprocalExponent(0x0000_0001, .single, &e) == 0x7F00_0000)
    }

    @Test func halfPrecisionConversions() {
        var e = env()
        #expect(FP.convert(0x3C00, from: .half, to: .single, &e, rounding: .tiesToEven) == 0x3F80_0000)
        #expect(FP.convert(0x7E01, from: .half, to: .double, &e, rounding: .tiesToEven) == 0x7FF8_0400_0000_0000)  // payload 1 moved to the top
        #expect(FP.convert(0x4780_0000, from: .single, to: .half, &e, rounding: .tiesToEven) == 0x7C00)  // 65536 overflows
        #expect(e.flags == S.overflow | S.inexact)
        // Alternative half precision: no infinities; 65536 saturates with IOC, and 0x7C00 is 65536.
        var ahp = env(1 << 26)
        #expect(FP.convert(0x4780_0000, from: .single, to: .half, &ahp, rounding: .tiesToEven) == 0x7C00)
        #expect(FP.convert(0x7C00, from: .half, to: .single, &ahp, rounding: .tiesToEven) == 0x4780_0000)
        #expect(FP.convert(0x7F80_0000, from: .single, to: .half, &ahp, rounding: .tiesToEven) == 0x7FFF)
        #expect(ahp.flags == S.invalidOperation)
    }

    // MARK: Against the host

    /// With the host's FE_TONEAREST, FE_UPWARD, FE_DOWNWARD and FE_TOWARDZERO.
    static let roundings: [(FloatingPointRounding, Int32)] = [
        (.tiesToEven, 0), (.towardsPlusInfinity, 0x800), (.towardsMinusInfinity, 0x400), (.towardsZero, 0xC00),
    ]

    /// Operands that reach the interesting parts of the rounding: random bits, values near 1,
    /// near the overflow and underflow thresholds, and denormals.
    static func operand(_ rng: inout SplitMix, double: Bool) -> UInt64 {
        let bits = rng.next()
        let exponentBits = double ? 11 : 8
        let fractionBits = double ? 52 : 23
        let bias = (1 << (exponentBits - 1)) - 1
        let sign = bits >> 63
        let fraction = bits & ((1 << UInt64(fractionBits)) - 1)
        let exponent: Int
        switch bits >> 56 & 7 {
        case 0: exponent = 0
        case 1: exponent = 1 + Int(bits >> 40 & 3)
        case 2: exponent = (1 << exponentBits) - 2 - Int(bits >> 40 & 3)
        case 3: exponent = bias + Int(bits >> 40 & 7) - 3
        default: exponent = Int(bits >> 40) % ((1 << exponentBits) - 1)
        }
        return sign << UInt64(exponentBits + fractionBits) | UInt64(exponent) << UInt64(fractionBits) | fraction
    }

    /// x86-64 glibc <fenv.h> values: Swift finds both the enumerators and the macros of the same
    /// names, and refuses them as ambiguous.
    static let invalid: Int32 = 0x01, divideByZero: Int32 = 0x04, overflow: Int32 = 0x08, inexact: Int32 = 0x20
    static let allExceptions: Int32 = 0x3D

    static func hostFlags() -> UInt64 {
        let raised = fetestexcept(Self.allExceptions)
        var flags: UInt64 = 0
        if raised & Self.invalid != 0 { flags |= S.invalidOperation }
        if raised & Self.divideByZero != 0 { flags |= S.divideByZero }
        if raised & Self.overflow != 0 { flags |= S.overflow }
        if raised & Self.inexact != 0 { flags |= S.inexact }
        return flags
    }

    @inline(never) static func host(_ operation: Int, _ a: Double, _ b: Double, _ c: Double) -> Double {
        switch operation {
        case 0: return a + b
        case 1: return a - b
        case 2: return a * b
        case 3: return a / b
        case 4: return a.squareRoot()
        default: return fma(a, b, c)
        }
    }

    @inline(never) static func host(_ operation: Int, _ a: Float, _ b: Float, _ c: Float) -> Float {
        switch operation {
        case 0: return a + b
        case 1: return a - b
        case 2: return a * b
        case 3: return a / b
        case 4: return a.squareRoot()
        default: return fmaf(a, b, c)
        }
    }

    static func conduit(_ operation: Int, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ format: FPFormat, _ e: inout FPEnvironment) -> UInt64 {
        switch operation {
        case 0: return FP.add(a, b, format, &e)
        case 1: return FP.subtract(a, b, format, &e)
        case 2: return FP.multiply(a, b, format, &e)
        case 3: return FP.divide(a, b, format, &e)
        case 4: return FP.squareRoot(a, format, &e)
        default: return FP.multiplyAdd(c, a, b, format, &e)
        }
    }

    @Test(arguments: [false, true]) func arithmeticAgreesWithTheHost(double: Bool) {
        var rng = SplitMix(seed: double ? 64 : 32)
        let names = ["add", "sub", "mul", "div", "sqrt", "fma"]
        var mismatches: [String] = []
        for (rounding, hostRounding) in Self.roundings {
            var e = FPEnvironment(fpcr: UInt64(rounding.rawValue) << 22)
            for _ in 0..<20_000 {
                let a = Self.operand(&rng, double: double), b = Self.operand(&rng, double: double), c = Self.operand(&rng, double: double)
                for operation in 0..<6 {
                    e.flags = 0
                    let format: FPFormat = double ? .double : .single
                    let ours = Self.conduit(operation, a, b, c, format, &e)
                    fesetround(hostRounding)
                    feclearexcept(Self.allExceptions)
                    let theirs = double
                        ? Self.host(operation, Double(bitPattern: a), Double(bitPattern: b), Double(bitPattern: c)).bitPattern
                        : UInt64(Self.host(operation, Float(bitPattern: UInt32(a)), Float(bitPattern: UInt32(b)), Float(bitPattern: UInt32(c))).bitPattern)
                    let flags = Self.hostFlags()
                    fesetround(0)
                    let ourFlags = e.flags & ~S.underflow
                    let hostNaN = double ? Double(bitPattern: theirs).isNaN : Float(bitPattern: UInt32(theirs)).isNaN
                    // NaN choices differ between the architectures by design; only NaN-ness is compared.
                    let agrees = hostNaN ? (ours & format.exponentMask == format.exponentMask && ours & format.fractionMask != 0)
                        : ours == theirs && ourFlags == flags
                    if !agrees && mismatches.count < 10 {
                        mismatches.append("\(names[operation]) \(rounding) \(String(a, radix: 16)) \(String(b, radix: 16)) \(String(c, radix: 16)): ours \(String(ours, radix: 16)) flags \(ourFlags), host \(String(theirs, radix: 16)) flags \(flags)")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }
}

/// A small deterministic generator for the tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
