/// Advanced SIMD three same and scalar three same (DDI0487 C4.1.95): element-wise operations on
/// Vn and Vm with results of the same size, the pairwise forms over the concatenation Vm:Vn, the
/// bitwise forms, and the floating-point forms.
extension SIMDFPUnit {
    private static let floatingPoint: Set<A64.Pattern> = [
        .FMAXNM_v, .FMLA_v, .FADD_v, .FMULX_v, .FCMEQ_v, .FMAX_v, .FRECPS_v, .FMINNM_v, .FMLS_v, .FSUB_v, .FMIN_v,
        .FRSQRTS_v, .FMAXNMP_v, .FADDP_v, .FMUL_v, .FCMGE_v, .FACGE_v, .FMAXP_v, .FDIV_v, .FMINNMP_v, .FABD_v,
        .FCMGT_v, .FACGT_v, .FMINP_v,
        .FMULX_s, .FCMEQ_s, .FRECPS_s, .FRSQRTS_s, .FCMGE_s, .FACGE_s, .FABD_s, .FCMGT_s, .FACGT_s,
    ]
    private static let bitwise: Set<A64.Pattern> = [.AND_v, .BIC_v, .ORR_v, .ORN_v, .EOR_v, .BSL, .BIT, .BIF]
    private static let pairwise: Set<A64.Pattern> = [.SMAXP, .SMINP, .UMAXP, .UMINP, .ADDP_v]
    private static let floatingPointPairwise: Set<A64.Pattern> = [.FMAXNMP_v, .FADDP_v, .FMAXP_v, .FMINNMP_v, .FMINP_v]

    mutating func threeSame(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        if Self.floatingPoint.contains(pattern) { return floatingPointThreeSame(pattern, w, scalar: scalar) }
        if Self.bitwise.contains(pattern) { return bitwiseThreeSame(pattern, w) }
        let size = w.size
        switch pattern {
        case .SHADD, .SRHADD, .SHSUB, .UHADD, .URHADD, .UHSUB, .SMAX, .SMIN, .UMAX, .UMIN, .SABD, .UABD, .SABA, .UABA,
             .MLA_v, .MUL_v, .MLS_v, .SMAXP, .SMINP, .UMAXP, .UMINP:
            guard size != 3 else { return false }
        case .PMUL:
            guard size == 0 else { return false }
        case .SQDMULH_v, .SQRDMULH_v, .SQDMULH_s, .SQRDMULH_s:
            guard size == 1 || size == 2 else { return false }
        case .ADD_s, .SUB_s, .CMGT_s, .CMGE_s, .CMHI_s, .CMHS_s, .CMEQ_s, .CMTST_s, .SSHL_s, .USHL_s, .SRSHL_s, .URSHL_s:
            guard size == 3 else { return false }
        default:
            break
        }
        if !scalar && size == 3 && !w.q { return false }
        let bits = 8 << size
        let count = scalar ? 1 : (w.q ? 128 : 64) / bits
        let n = vector(w.rn)
        let m = vector(w.rm)
        let d = vector(w.rd)
        var result = Vector128.zero
        let isPairwise = Self.pairwise.contains(pattern)
        for e in 0..<count {
            let (a, b) = Self.operands(e, n, m, count: count, bits: bits, pairwise: isPairwise)
            result.setLane(e, bits: bits, integerThreeSame(pattern, a, b, accumulator: d.lane(e, bits: bits), bits: bits))
        }
        setVector(w.rd, result, q: w.q && !scalar)
        return true
    }

    /// Element `e`'s operands: lane e of Vn and Vm, or for the pairwise forms the adjacent pair
    /// 2e, 2e + 1 of the concatenation Vm:Vn.
    @inline(__always)
    private static func operands(_ e: Int, _ n: Vector128, _ m: Vector128, count: Int, bits: Int, pairwise: Bool) -> (UInt64, UInt64) {
        guard pairwise else { return (n.lane(e, bits: bits), m.lane(e, bits: bits)) }
        let source = 2 * e
        let operand = source < count ? n : m
        return (operand.lane(source % count, bits: bits), operand.lane(source % count + 1, bits: bits))
    }

    private mutating func integerThreeSame(_ pattern: A64.Pattern, _ a: UInt64, _ b: UInt64, accumulator: UInt64, bits: Int) -> UInt64 {
        let sa = Self.integer(a, bits: bits, unsigned: false)
        let sb = Self.integer(b, bits: bits, unsigned: false)
        let ua = Int128(a)
        let ub = Int128(b)
        switch pattern {
        case .SHADD: return UInt64(truncatingIfNeeded: (sa + sb) >> 1)
        case .UHADD: return UInt64(truncatingIfNeeded: (ua + ub) >> 1)
        case .SRHADD: return UInt64(truncatingIfNeeded: (sa + sb + 1) >> 1)
        case .URHADD: return UInt64(truncatingIfNeeded: (ua + ub + 1) >> 1)
        case .SHSUB: return UInt64(truncatingIfNeeded: (sa - sb) >> 1)
        case .UHSUB: return UInt64(truncatingIfNeeded: (ua - ub) >> 1)
        case .SQADD_v, .SQADD_s: return saturate(sa + sb, bits: bits, unsigned: false)
        case .UQADD_v, .UQADD_s: return saturate(ua + ub, bits: bits, unsigned: true)
        case .SQSUB_v, .SQSUB_s: return saturate(sa - sb, bits: bits, unsigned: false)
        case .UQSUB_v, .UQSUB_s: return saturate(ua - ub, bits: bits, unsigned: true)
        case .CMGT_v, .CMGT_s: return Self.mask(sa > sb, bits: bits)
        case .CMGE_v, .CMGE_s: return Self.mask(sa >= sb, bits: bits)
        case .CMHI_v, .CMHI_s: return Self.mask(a > b, bits: bits)
        case .CMHS_v, .CMHS_s: return Self.mask(a >= b, bits: bits)
        case .CMEQ_v, .CMEQ_s: return Self.mask(a == b, bits: bits)
        case .CMTST_v, .CMTST_s: return Self.mask(a & b != 0, bits: bits)
        case .SSHL_v, .SSHL_s: return shiftByRegister(sa, by: b, bits: bits, rounding: false, saturating: false, unsigned: false)
        case .USHL_v, .USHL_s: return shiftByRegister(ua, by: b, bits: bits, rounding: false, saturating: false, unsigned: true)
        case .SRSHL_v, .SRSHL_s: return shiftByRegister(sa, by: b, bits: bits, rounding: true, saturating: false, unsigned: false)
        case .URSHL_v, .URSHL_s: return shiftByRegister(ua, by: b, bits: bits, rounding: true, saturating: false, unsigned: true)
        case .SQSHL_v, .SQSHL_s: return shiftByRegister(sa, by: b, bits: bits, rounding: false, saturating: true, unsigned: false)
        case .UQSHL_v, .UQSHL_s: return shiftByRegister(ua, by: b, bits: bits, rounding: false, saturating: true, unsigned: true)
        case .SQRSHL_v, .SQRSHL_s: return shiftByRegister(sa, by: b, bits: bits, rounding: true, saturating: true, unsigned: false)
        case .UQRSHL_v, .UQRSHL_s: return shiftByRegister(ua, by: b, bits: bits, rounding: true, saturating: true, unsigned: true)
        case .SMAX, .SMAXP: return sa >= sb ? a : b
        case .SMIN, .SMINP: return sa <= sb ? a : b
        case .UMAX, .UMAXP: return a >= b ? a : b
        case .UMIN, .UMINP: return a <= b ? a : b
        case .SABD: return UInt64(truncatingIfNeeded: (sa - sb).magnitude)
        case .UABD: return UInt64(truncatingIfNeeded: (ua - ub).magnitude)
        case .SABA: return accumulator &+ UInt64(truncatingIfNeeded: (sa - sb).magnitude)
        case .UABA: return accumulator &+ UInt64(truncatingIfNeeded: (ua - ub).magnitude)
        case .ADD_v, .ADD_s, .ADDP_v: return a &+ b
        case .SUB_v, .SUB_s: return a &- b
        case .MUL_v: return a &* b
        case .MLA_v: return accumulator &+ a &* b
        case .MLS_v: return accumulator &- a &* b
        case .PMUL: return UInt64(truncatingIfNeeded: Self.polynomialMultiply(a, b, bits: 8))
        case .SQDMULH_v, .SQDMULH_s: return saturate((2 * sa * sb) >> Int128(bits), bits: bits, unsigned: false)
        case .SQRDMULH_v, .SQRDMULH_s:
            return saturate((2 * sa * sb + (Int128(1) << Int128(bits - 1))) >> Int128(bits), bits: bits, unsigned: false)
        default: return 0
        }
    }

    /// AND, BIC, ORR, ORN, EOR and the bitwise selects BSL, BIT, BIF, on the whole register.
    private mutating func bitwiseThreeSame(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let n = vector(w.rn)
        let m = vector(w.rm)
        let d = vector(w.rd)
        func apply(_ n: UInt64, _ m: UInt64, _ d: UInt64) -> UInt64 {
            switch pattern {
            case .AND_v: return n & m
            case .BIC_v: return n & ~m
            case .ORR_v: return n | m
            case .ORN_v: return n | ~m
            case .EOR_v: return n ^ m
            case .BSL: return m ^ ((m ^ n) & d)
            case .BIT: return d ^ ((d ^ n) & m)
            default: return d ^ ((d ^ n) & ~m)  // BIF
            }
        }
        setVector(w.rd, Vector128(low: apply(n.low, m.low, d.low), high: apply(n.high, m.high, d.high)), q: w.q)
        return true
    }

    private mutating func floatingPointThreeSame(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        guard scalar || !(w.sz == 1 && !w.q) else { return false }
        let format = Self.format(sz: w.sz)
        let bits = format.bits
        let count = scalar ? 1 : (w.q ? 128 : 64) / bits
        let n = vector(w.rn)
        let m = vector(w.rm)
        let d = vector(w.rd)
        let isPairwise = Self.floatingPointPairwise.contains(pattern)
        var result = Vector128.zero
        for e in 0..<count {
            let (a, b) = Self.operands(e, n, m, count: count, bits: bits, pairwise: isPairwise)
            let value = floatingPointBinary(pattern, a, b, accumulator: d.lane(e, bits: bits), format)
            result.setLane(e, bits: bits, value)
        }
        setVector(w.rd, result, q: w.q && !scalar)
        return true
    }

    /// The element operation of the FP three-same forms (and of their indexed and pairwise
    /// relatives).
    mutating func floatingPointBinary(_ pattern: A64.Pattern, _ a: UInt64, _ b: UInt64, accumulator: UInt64,
                                      _ format: FPFormat) -> UInt64 {
        let bits = format.bits
        switch pattern {
        case .FMAXNM_v, .FMAXNMP_v, .FMAXNMP_s, .FMAXNMV: return FP.maxMinNumber(a, b, format, &env, maximum: true)
        case .FMINNM_v, .FMINNMP_v, .FMINNMP_s, .FMINNMV: return FP.maxMinNumber(a, b, format, &env, maximum: false)
        case .FMAX_v, .FMAXP_v, .FMAXP_s, .FMAXV: return FP.maxMin(a, b, format, &env, maximum: true)
        case .FMIN_v, .FMINP_v, .FMINP_s, .FMINV: return FP.maxMin(a, b, format, &env, maximum: false)
        case .FADD_v, .FADDP_v, .FADDP_s: return FP.add(a, b, format, &env)
        case .FSUB_v: return FP.subtract(a, b, format, &env)
        case .FMUL_v, .FMUL_elem_v, .FMUL_elem_s: return FP.multiply(a, b, format, &env)
        case .FMULX_v, .FMULX_s, .FMULX_elem_v, .FMULX_elem_s: return FP.multiply(a, b, format, &env, extended: true)
        case .FDIV_v: return FP.divide(a, b, format, &env)
        case .FMLA_v, .FMLA_elem_v, .FMLA_elem_s: return FP.multiplyAdd(accumulator, a, b, format, &env)
        case .FMLS_v, .FMLS_elem_v, .FMLS_elem_s: return FP.multiplyAdd(accumulator, FP.negate(a, format), b, format, &env)
        case .FABD_v, .FABD_s: return FP.absolute(FP.subtract(a, b, format, &env), format)
        case .FCMEQ_v, .FCMEQ_s: return Self.mask(FP.compare(a, b, format, &env, .equal), bits: bits)
        case .FCMGE_v, .FCMGE_s: return Self.mask(FP.compare(a, b, format, &env, .greaterOrEqual), bits: bits)
        case .FCMGT_v, .FCMGT_s: return Self.mask(FP.compare(a, b, format, &env, .greater), bits: bits)
        case .FACGE_v, .FACGE_s:
            return Self.mask(FP.compare(FP.absolute(a, format), FP.absolute(b, format), format, &env, .greaterOrEqual), bits: bits)
        case .FACGT_v, .FACGT_s:
            return Self.mask(FP.compare(FP.absolute(a, format), FP.absolute(b, format), format, &env, .greater), bits: bits)
        case .FRECPS_v, .FRECPS_s: return FP.step(a, b, format, &env, squareRoot: false)
        case .FRSQRTS_v, .FRSQRTS_s: return FP.step(a, b, format, &env, squareRoot: true)
        default: return 0
        }
    }
}
