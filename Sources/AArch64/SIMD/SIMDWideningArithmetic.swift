/// Advanced SIMD three different and vector x indexed element, with their scalar forms (DDI0487
/// C4.1.95): the long (2n-bit results from n-bit halves), wide (a 2n-bit operand) and
/// high-narrowing (n-bit results from 2n-bit sums) arithmetic, and the multiplies by one element.
extension SIMDFPUnit {
    /// The lower (Q = 0) or upper half of Vn, as a 64-bit vector: the operand of a long form.
    @inline(__always) func half(_ n: Int, upper: Bool) -> Vector128 {
        Vector128(low: upper ? v[n &* 2 &+ 1] : v[n &* 2], high: 0)
    }

    mutating func threeDifferent(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        let size = w.size
        if pattern == .PMULL_1q {
            // 64 x 64 -> 128 bits, of the lower or upper doublewords (FEAT_PMULL).
            let a = w.q ? v[w.rn &* 2 &+ 1] : v[w.rn &* 2]
            let b = w.q ? v[w.rm &* 2 &+ 1] : v[w.rm &* 2]
            let product = Self.polynomialMultiply(a, b, bits: 64)
            setVector(w.rd, Vector128(low: UInt64(truncatingIfNeeded: product), high: UInt64(truncatingIfNeeded: product >> 64)))
            return true
        }
        switch pattern {
        case .PMULL:
            guard size == 0 else { return false }
        case .SQDMLAL_v, .SQDMLSL_v, .SQDMULL_v, .SQDMLAL_s, .SQDMLSL_s, .SQDMULL_s:
            guard size == 1 || size == 2 else { return false }
        default:
            guard size < 3 else { return false }
        }
        let bits = 8 << size
        let upper = w.q && !scalar
        switch pattern {
        case .ADDHN, .SUBHN, .RADDHN, .RSUBHN:
            let n = vector(w.rn)
            let m = vector(w.rm)
            var result: UInt64 = 0
            for e in 0..<(64 / bits) {
                let a = Int128(n.lane(e, bits: 2 * bits))
                let b = Int128(m.lane(e, bits: 2 * bits))
                let sum = pattern == .ADDHN || pattern == .RADDHN ? a + b : a - b
                let rounded = pattern == .RADDHN || pattern == .RSUBHN ? sum + (Int128(1) << Int128(bits - 1)) : sum
                result |= (UInt64(truncatingIfNeeded: rounded >> Int128(bits)) & SIMDLanes.mask(bits: bits)) << UInt64(e * bits)
            }
            writeNarrow(w, result, scalar: false)
            return true
        default: break
        }
        let wide = [.SADDW, .SSUBW, .UADDW, .USUBW].contains(pattern)
        let n = wide ? vector(w.rn) : half(w.rn, upper: upper)
        let m = half(w.rm, upper: upper)
        let d = vector(w.rd)
        let count = scalar ? 1 : 64 / bits
        var result = Vector128.zero
        for e in 0..<count {
            let a = wide ? n.lane(e, bits: 2 * bits) : n.lane(e, bits: bits)
            let b = m.lane(e, bits: bits)
            let value = longOperation(pattern, a, b, accumulator: d.lane(e, bits: 2 * bits), bits: bits, wideFirst: wide)
            result.setLane(e, bits: 2 * bits, value)
        }
        setVector(w.rd, result)
        return true
    }

    /// The element operation of the long and wide forms: `a` (n or 2n bits) and `b` (n bits)
    /// into a 2n-bit result.
    private mutating func longOperation(_ pattern: A64.Pattern, _ a: UInt64, _ b: UInt64, accumulator: UInt64, bits: Int,
                                        wideFirst: Bool) -> UInt64 {
        let signed: Bool
        switch pattern {
        case .UADDL, .UADDW, .USUBL, .USUBW, .UABAL, .UABDL, .UMLAL_v, .UMLSL_v, .UMULL_v, .UMLAL_elem, .UMLSL_elem, .UMULL_elem:
            signed = false
        default:
            signed = true
        }
        let x = Self.integer(a, bits: wideFirst ? 2 * bits : bits, unsigned: !signed)
        let y = Self.integer(b, bits: bits, unsigned: !signed)
        let wideBits = 2 * bits
        switch pattern {
        case .SADDL, .UADDL, .SADDW, .UADDW: return UInt64(truncatingIfNeeded: x + y)
        case .SSUBL, .USUBL, .SSUBW, .USUBW: return UInt64(truncatingIfNeeded: x - y)
        case .SABDL, .UABDL: return UInt64(truncatingIfNeeded: (x - y).magnitude)
        case .SABAL, .UABAL: return accumulator &+ UInt64(truncatingIfNeeded: (x - y).magnitude)
        case .SMULL_v, .UMULL_v, .SMULL_elem, .UMULL_elem: return UInt64(truncatingIfNeeded: x * y)
        case .SMLAL_v, .UMLAL_v, .SMLAL_elem, .UMLAL_elem: return accumulator &+ UInt64(truncatingIfNeeded: x * y)
        case .SMLSL_v, .UMLSL_v, .SMLSL_elem, .UMLSL_elem: return accumulator &- UInt64(truncatingIfNeeded: x * y)
        case .PMULL: return UInt64(truncatingIfNeeded: Self.polynomialMultiply(a, b, bits: bits))
        case .SQDMULL_v, .SQDMULL_s, .SQDMULL_elem_v, .SQDMULL_elem_s:
            return saturate(2 * x * y, bits: wideBits, unsigned: false)
        case .SQDMLAL_v, .SQDMLAL_s, .SQDMLAL_elem_v, .SQDMLAL_elem_s, .SQDMLSL_v, .SQDMLSL_s, .SQDMLSL_elem_v, .SQDMLSL_elem_s:
            // The doubled product saturates first, then the accumulation.
            let product = Self.integer(saturate(2 * x * y, bits: wideBits, unsigned: false), bits: wideBits, unsigned: false)
            let sum = Self.integer(accumulator, bits: wideBits, unsigned: false)
            let subtract = [.SQDMLSL_v, .SQDMLSL_s, .SQDMLSL_elem_v, .SQDMLSL_elem_s].contains(pattern)
            return saturate(subtract ? sum - product : sum + product, bits: wideBits, unsigned: false)
        default: return 0
        }
    }

    private static let floatingPointByElement: Set<A64.Pattern> = [
        .FMLA_elem_v, .FMLS_elem_v, .FMUL_elem_v, .FMULX_elem_v, .FMLA_elem_s, .FMLS_elem_s, .FMUL_elem_s, .FMULX_elem_s,
    ]

    mutating func indexedElement(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        let h = w.bit(11) ? 1 : 0
        let l = w.bit(21) ? 1 : 0
        let mBit = w.bit(20) ? 1 : 0
        let size = w.size
        if Self.floatingPointByElement.contains(pattern) {
            // size 10: single, index H:L, Rm 5 bits; 11: double, index H (L = 1 reserved). 0x is FP16.
            guard size >= 2, !(size == 3 && l == 1), scalar || !(size == 3 && !w.q) else { return false }
            let format: FPFormat = size == 3 ? .double : .single
            let bits = format.bits
            let index = size == 3 ? h : h << 1 | l
            let element = vector(w.rm).lane(index, bits: bits)
            let n = vector(w.rn)
            let d = vector(w.rd)
            let count = scalar ? 1 : (w.q ? 128 : 64) / bits
            var result = Vector128.zero
            for e in 0..<count {
                result.setLane(e, bits: bits, floatingPointBinary(pattern, n.lane(e, bits: bits), element,
                                                                  accumulator: d.lane(e, bits: bits), format))
            }
            setVector(w.rd, result, q: w.q && !scalar)
            return true
        }
        // Integer: halfwords (index H:L:M, Vm in V0-V15) or words (index H:L, Vm 5 bits).
        guard size == 1 || size == 2 else { return false }
        let bits = 8 << size
        let index = size == 1 ? h << 2 | l << 1 | mBit : h << 1 | l
        let rm = size == 1 ? w.bits(19, 16) : w.bits(20, 16)
        let element = vector(rm).lane(index, bits: bits)
        switch pattern {
        case .MUL_elem, .MLA_elem, .MLS_elem, .SQDMULH_elem_v, .SQRDMULH_elem_v, .SQDMULH_elem_s, .SQRDMULH_elem_s:
            let n = vector(w.rn)
            let d = vector(w.rd)
            let count = scalar ? 1 : (w.q ? 128 : 64) / bits
            var result = Vector128.zero
            for e in 0..<count {
                let a = n.lane(e, bits: bits)
                let sa = Self.integer(a, bits: bits, unsigned: false)
                let sb = Self.integer(element, bits: bits, unsigned: false)
                let value: UInt64
                switch pattern {
                case .MUL_elem: value = a &* element
                case .MLA_elem: value = d.lane(e, bits: bits) &+ a &* element
                case .MLS_elem: value = d.lane(e, bits: bits) &- a &* element
                case .SQDMULH_elem_v, .SQDMULH_elem_s: value = saturate((2 * sa * sb) >> Int128(bits), bits: bits, unsigned: false)
                default:
                    value = saturate((2 * sa * sb + (Int128(1) << Int128(bits - 1))) >> Int128(bits), bits: bits, unsigned: false)
                }
                result.setLane(e, bits: bits, value)
            }
            setVector(w.rd, result, q: w.q && !scalar)
        default:
            // The long forms: a half of Vn by the element, into 2n-bit results.
            let n = half(w.rn, upper: w.q && !scalar)
            let d = vector(w.rd)
            let count = scalar ? 1 : 64 / bits
            var result = Vector128.zero
            for e in 0..<count {
                let value = longOperation(pattern, n.lane(e, bits: bits), element, accumulator: d.lane(e, bits: 2 * bits),
                                          bits: bits, wideFirst: false)
                result.setLane(e, bits: 2 * bits, value)
            }
            setVector(w.rd, result)
        }
        return true
    }

    /// ADDP (scalar) and the FP pairwise scalars: the two elements of Vn combined.
    mutating func scalarPairwise(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let n = vector(w.rn)
        if pattern == .ADDP_s {
            guard w.size == 3 else { return false }
            setScalar(w.rd, n.low &+ n.high)
            return true
        }
        let format = Self.format(sz: w.sz)
        let bits = format.bits
        setScalar(w.rd, floatingPointBinary(pattern, n.lane(0, bits: bits), n.lane(1, bits: bits), accumulator: 0, format))
        return true
    }

    /// The across-lanes reductions: SADDLV, UADDLV (to a 2n-bit sum), SMAXV, SMINV, UMAXV, UMINV,
    /// ADDV, and the FP FMAXV, FMINV, FMAXNMV, FMINNMV (4S only, reduced as a tree of pairs).
    mutating func acrossLanes(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let n = vector(w.rn)
        switch pattern {
        case .FMAXNMV, .FMAXV, .FMINNMV, .FMINV:
            guard w.sz == 0 && w.q else { return false }
            let lanes = (0..<4).map { n.lane($0, bits: 32) }
            let low = floatingPointBinary(pattern, lanes[0], lanes[1], accumulator: 0, .single)
            let high = floatingPointBinary(pattern, lanes[2], lanes[3], accumulator: 0, .single)
            setScalar(w.rd, floatingPointBinary(pattern, low, high, accumulator: 0, .single))
            return true
        default: break
        }
        guard w.size < 3, !(w.size == 2 && !w.q) else { return false }
        let bits = 8 << w.size
        let count = (w.q ? 128 : 64) / bits
        let unsigned = [.UADDLV, .UMAXV, .UMINV].contains(pattern)
        var accumulator = Self.integer(n.lane(0, bits: bits), bits: bits, unsigned: unsigned)
        for e in 1..<count {
            let element = Self.integer(n.lane(e, bits: bits), bits: bits, unsigned: unsigned)
            switch pattern {
            case .SADDLV, .UADDLV, .ADDV: accumulator += element
            case .SMAXV, .UMAXV: accumulator = max(accumulator, element)
            default: accumulator = min(accumulator, element)
            }
        }
        let resultBits = pattern == .SADDLV || pattern == .UADDLV ? 2 * bits : bits
        setScalar(w.rd, UInt64(truncatingIfNeeded: accumulator) & SIMDLanes.mask(bits: resultBits))
        return true
    }
}
