/// Advanced SIMD two-register miscellaneous and its scalar form (DDI0487 C4.1.95): reversals,
/// counts, absolute values and negation (plain and saturating), compares with zero, pairwise
/// long additions, narrowing and widening, and the floating-point rounding, conversion and
/// estimate instructions.
extension SIMDFPUnit {
    private static let floatingPoint: Set<A64.Pattern> = [
        .FRINTN_v, .FRINTM_v, .FRINTP_v, .FRINTZ_v, .FRINTA_v, .FRINTX_v, .FRINTI_v,
        .FCVTNS_v, .FCVTMS_v, .FCVTAS_v, .FCVTPS_v, .FCVTZS_v, .FCVTNU_v, .FCVTMU_v, .FCVTAU_v, .FCVTPU_v, .FCVTZU_v,
        .SCVTF_v, .UCVTF_v, .FCMGT_z_v, .FCMEQ_z_v, .FCMLT_z_v, .FCMGE_z_v, .FCMLE_z_v, .FABS_v, .FNEG_v,
        .FRECPE_v, .FRSQRTE_v, .FSQRT_v, .URECPE, .URSQRTE,
        .FCVTNS_vs, .FCVTMS_vs, .FCVTAS_vs, .FCVTPS_vs, .FCVTZS_vs, .FCVTNU_vs, .FCVTMU_vs, .FCVTAU_vs, .FCVTPU_vs,
        .FCVTZU_vs, .SCVTF_vs, .UCVTF_vs, .FCMGT_z_s, .FCMEQ_z_s, .FCMLT_z_s, .FCMGE_z_s, .FCMLE_z_s,
        .FRECPE_s, .FRSQRTE_s, .FRECPX,
    ]

    mutating func twoRegisterMisc(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        if Self.floatingPoint.contains(pattern) { return floatingPointTwoRegisterMisc(pattern, w, scalar: scalar) }
        switch pattern {
        case .XTN, .SQXTN_v, .UQXTN_v, .SQXTUN_v, .SQXTN_s, .UQXTN_s, .SQXTUN_s: return narrow(pattern, w, scalar: scalar)
        case .FCVTN, .FCVTXN_v, .FCVTXN_s: return floatingPointNarrow(pattern, w, scalar: scalar)
        case .FCVTL: return floatingPointLengthen(w)
        case .SHLL: return shiftLeftLong(w)
        case .SADDLP, .UADDLP, .SADALP, .UADALP: return pairwiseLong(pattern, w)
        default: break
        }
        let size = w.size
        switch pattern {
        case .REV64: guard size < 3 else { return false }
        case .REV32_v: guard size < 2 else { return false }
        case .REV16_v, .CNT: guard size == 0 else { return false }
        case .CLS_v, .CLZ_v: guard size < 3 else { return false }
        case .CMGT_z_s, .CMEQ_z_s, .CMLT_z_s, .CMGE_z_s, .CMLE_z_s, .ABS_s, .NEG_s: guard size == 3 else { return false }
        default: break
        }
        if !scalar && size == 3 && !w.q { return false }
        // NOT and RBIT (size 00 and 01 of one opcode) work on bytes.
        let bits = pattern == .NOT || pattern == .RBIT_v ? 8 : 8 << size
        let count = scalar ? 1 : (w.q ? 128 : 64) / bits
        let n = vector(w.rn)
        let d = vector(w.rd)
        var result = Vector128.zero
        for e in 0..<count {
            let a = n.lane(e, bits: bits)
            let sa = Self.integer(a, bits: bits, unsigned: false)
            let value: UInt64
            switch pattern {
            case .REV64, .REV32_v, .REV16_v:
                // The element order within each container of 64, 32 or 16 bits is reversed.
                let container = pattern == .REV64 ? 64 : pattern == .REV32_v ? 32 : 16
                let perContainer = container / bits
                let source = (e / perContainer) * perContainer + (perContainer - 1 - e % perContainer)
                value = n.lane(source, bits: bits)
            case .CLS_v: value = UInt64(Self.leadingSignBits(a, bits: bits))
            case .CLZ_v: value = a == 0 ? UInt64(bits) : UInt64((a << UInt64(64 - bits)).leadingZeroBitCount)
            case .CNT: value = UInt64(a.nonzeroBitCount)
            case .NOT: value = ~a
            case .RBIT_v: value = UInt64(UInt8(truncatingIfNeeded: a).bitReversed)
            case .SUQADD_v, .SUQADD_s:
                value = saturate(Self.integer(d.lane(e, bits: bits), bits: bits, unsigned: false) + Int128(a), bits: bits, unsigned: false)
            case .USQADD_v, .USQADD_s:
                value = saturate(Int128(d.lane(e, bits: bits)) + sa, bits: bits, unsigned: true)
            case .SQABS_v, .SQABS_s: value = saturate(sa < 0 ? -sa : sa, bits: bits, unsigned: false)
            case .SQNEG_v, .SQNEG_s: value = saturate(-sa, bits: bits, unsigned: false)
            case .ABS_v, .ABS_s: value = UInt64(truncatingIfNeeded: sa < 0 ? -sa : sa)
            case .NEG_v, .NEG_s: value = 0 &- a
            case .CMGT_z_v, .CMGT_z_s: value = Self.mask(sa > 0, bits: bits)
            case .CMGE_z_v, .CMGE_z_s: value = Self.mask(sa >= 0, bits: bits)
            case .CMEQ_z_v, .CMEQ_z_s: value = Self.mask(sa == 0, bits: bits)
            case .CMLE_z_v, .CMLE_z_s: value = Self.mask(sa <= 0, bits: bits)
            case .CMLT_z_v, .CMLT_z_s: value = Self.mask(sa < 0, bits: bits)
            default: return false
            }
            result.setLane(e, bits: bits, value)
        }
        setVector(w.rd, result, q: w.q && !scalar)
        return true
    }

    /// CLS: the number of bits below the top one that equal it.
    static func leadingSignBits(_ value: UInt64, bits: Int) -> Int {
        let shifted = value << UInt64(64 - bits)
        let flipped = shifted ^ (shifted << 1)
        return min(flipped.leadingZeroBitCount, bits - 1)
    }

    /// XTN, SQXTN, UQXTN, SQXTUN: each 2n-bit element of Vn narrowed to n bits, into the lower
    /// half of Vd (the upper cleared) or, for the "2" forms (Q = 1), into the upper half.
    private mutating func narrow(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        guard w.size < 3 else { return false }
        let bits = 8 << w.size
        let count = scalar ? 1 : 64 / bits
        let n = vector(w.rn)
        var half: UInt64 = 0
        for e in 0..<count {
            let element = n.lane(e, bits: 2 * bits)
            let value: UInt64
            switch pattern {
            case .XTN: value = element
            case .SQXTN_v, .SQXTN_s: value = saturate(Self.integer(element, bits: 2 * bits, unsigned: false), bits: bits, unsigned: false)
            case .UQXTN_v, .UQXTN_s: value = saturate(Int128(element), bits: bits, unsigned: true)
            default: value = saturate(Self.integer(element, bits: 2 * bits, unsigned: false), bits: bits, unsigned: true)
            }
            half |= (value & SIMDLanes.mask(bits: bits)) << UInt64(e * bits)
        }
        writeNarrow(w, half, scalar: scalar)
        return true
    }

    /// A narrowed result: a scalar, the low half (upper half cleared), or the upper half with
    /// the low half kept (the "2" forms).
    func writeNarrow(_ w: SIMDFields, _ half: UInt64, scalar: Bool) {
        if scalar || !w.q {
            setVector(w.rd, Vector128(low: half, high: 0))
        } else {
            v[w.rd &* 2 &+ 1] = half
        }
    }

    /// FCVTN (double to single, single to half) and FCVTXN (double to single, rounding to odd).
    private mutating func floatingPointNarrow(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        let odd = pattern != .FCVTN
        if odd && w.sz == 0 { return false }
        let source: FPFormat = w.sz == 1 ? .double : .single
        let target: FPFormat = w.sz == 1 ? .single : .half
        let count = scalar ? 1 : 64 / target.bits
        let n = vector(w.rn)
        var half: UInt64 = 0
        for e in 0..<count {
            let value = FP.convert(n.lane(e, bits: source.bits), from: source, to: target, &env,
                                   rounding: odd ? .odd : env.rounding)
            half |= value << UInt64(e * target.bits)
        }
        writeNarrow(w, half, scalar: scalar)
        return true
    }

    /// FCVTL: the lower (or, for FCVTL2, upper) half's elements widened.
    private mutating func floatingPointLengthen(_ w: SIMDFields) -> Bool {
        let source: FPFormat = w.sz == 1 ? .single : .half
        let target: FPFormat = w.sz == 1 ? .double : .single
        let half = w.q ? v[w.rn &* 2 &+ 1] : v[w.rn &* 2]
        let input = Vector128(low: half, high: 0)
        var result = Vector128.zero
        for e in 0..<(128 / target.bits) {
            result.setLane(e, bits: target.bits, FP.convert(input.lane(e, bits: source.bits), from: source, to: target, &env,
                                                            rounding: env.rounding))
        }
        setVector(w.rd, result)
        return true
    }

    /// SHLL: each element of a half of Vn widened and shifted left by its own size.
    private mutating func shiftLeftLong(_ w: SIMDFields) -> Bool {
        guard w.size < 3 else { return false }
        let bits = 8 << w.size
        let input = Vector128(low: w.q ? v[w.rn &* 2 &+ 1] : v[w.rn &* 2], high: 0)
        var result = Vector128.zero
        for e in 0..<(64 / bits) {
            result.setLane(e, bits: 2 * bits, input.lane(e, bits: bits) << UInt64(bits))
        }
        setVector(w.rd, result)
        return true
    }

    /// SADDLP, UADDLP and the accumulating SADALP, UADALP: adjacent pairs added into elements
    /// of twice the size.
    private mutating func pairwiseLong(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard w.size < 3 else { return false }
        let bits = 8 << w.size
        let unsigned = pattern == .UADDLP || pattern == .UADALP
        let accumulate = pattern == .SADALP || pattern == .UADALP
        let count = (w.q ? 128 : 64) / (2 * bits)
        let n = vector(w.rn)
        let d = vector(w.rd)
        var result = Vector128.zero
        for e in 0..<count {
            let sum = Self.integer(n.lane(2 * e, bits: bits), bits: bits, unsigned: unsigned)
                + Self.integer(n.lane(2 * e + 1, bits: bits), bits: bits, unsigned: unsigned)
            let value = UInt64(truncatingIfNeeded: sum) &+ (accumulate ? d.lane(e, bits: 2 * bits) : 0)
            result.setLane(e, bits: 2 * bits, value)
        }
        setVector(w.rd, result, q: w.q)
        return true
    }

    private mutating func floatingPointTwoRegisterMisc(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        if pattern == .URECPE || pattern == .URSQRTE {
            // 32-bit elements only.
            guard w.sz == 0 else { return false }
        }
        guard scalar || !(w.sz == 1 && !w.q) else { return false }
        let format = Self.format(sz: w.sz)
        let bits = format.bits
        let count = scalar ? 1 : (w.q ? 128 : 64) / bits
        let n = vector(w.rn)
        var result = Vector128.zero
        for e in 0..<count {
            let a = n.lane(e, bits: bits)
            let value: UInt64
            switch pattern {
            case .FRINTN_v: value = FP.roundInt(a, format, &env, rounding: .tiesToEven, exact: false)
            case .FRINTM_v: value = FP.roundInt(a, format, &env, rounding: .towardsMinusInfinity, exact: false)
            case .FRINTP_v: value = FP.roundInt(a, format, &env, rounding: .towardsPlusInfinity, exact: false)
            case .FRINTZ_v: value = FP.roundInt(a, format, &env, rounding: .towardsZero, exact: false)
            case .FRINTA_v: value = FP.roundInt(a, format, &env, rounding: .tiesAway, exact: false)
            case .FRINTX_v: value = FP.roundInt(a, format, &env, rounding: env.rounding, exact: true)
            case .FRINTI_v: value = FP.roundInt(a, format, &env, rounding: env.rounding, exact: false)
            case .FCVTNS_v, .FCVTNS_vs: value = toInteger(a, format, .tiesToEven, unsigned: false)
            case .FCVTMS_v, .FCVTMS_vs: value = toInteger(a, format, .towardsMinusInfinity, unsigned: false)
            case .FCVTAS_v, .FCVTAS_vs: value = toInteger(a, format, .tiesAway, unsigned: false)
            case .FCVTPS_v, .FCVTPS_vs: value = toInteger(a, format, .towardsPlusInfinity, unsigned: false)
            case .FCVTZS_v, .FCVTZS_vs: value = toInteger(a, format, .towardsZero, unsigned: false)
            case .FCVTNU_v, .FCVTNU_vs: value = toInteger(a, format, .tiesToEven, unsigned: true)
            case .FCVTMU_v, .FCVTMU_vs: value = toInteger(a, format, .towardsMinusInfinity, unsigned: true)
            case .FCVTAU_v, .FCVTAU_vs: value = toInteger(a, format, .tiesAway, unsigned: true)
            case .FCVTPU_v, .FCVTPU_vs: value = toInteger(a, format, .towardsPlusInfinity, unsigned: true)
            case .FCVTZU_v, .FCVTZU_vs: value = toInteger(a, format, .towardsZero, unsigned: true)
            case .SCVTF_v, .SCVTF_vs:
                value = FP.fromFixed(a, width: bits, fractionBits: 0, unsigned: false, format, &env, rounding: env.rounding)
            case .UCVTF_v, .UCVTF_vs:
                value = FP.fromFixed(a, width: bits, fractionBits: 0, unsigned: true, format, &env, rounding: env.rounding)
            case .FCMGT_z_v, .FCMGT_z_s: value = Self.mask(FP.compare(a, 0, format, &env, .greater), bits: bits)
            case .FCMGE_z_v, .FCMGE_z_s: value = Self.mask(FP.compare(a, 0, format, &env, .greaterOrEqual), bits: bits)
            case .FCMEQ_z_v, .FCMEQ_z_s: value = Self.mask(FP.compare(a, 0, format, &env, .equal), bits: bits)
            case .FCMLT_z_v, .FCMLT_z_s: value = Self.mask(FP.compare(0, a, format, &env, .greater), bits: bits)
            case .FCMLE_z_v, .FCMLE_z_s: value = Self.mask(FP.compare(0, a, format, &env, .greaterOrEqual), bits: bits)
            case .FABS_v: value = FP.absolute(a, format)
            case .FNEG_v: value = FP.negate(a, format)
            case .FSQRT_v: value = FP.squareRoot(a, format, &env)
            case .FRECPE_v, .FRECPE_s: value = FP.reciprocalEstimate(a, format, &env)
            case .FRSQRTE_v, .FRSQRTE_s: value = FP.reciprocalSquareRootEstimate(a, format, &env)
            case .FRECPX: value = FP.reciprocalExponent(a, format, &env)
            case .URECPE: value = UInt64(FP.unsignedReciprocalEstimate(UInt32(truncatingIfNeeded: a)))
            case .URSQRTE: value = UInt64(FP.unsignedReciprocalSquareRootEstimate(UInt32(truncatingIfNeeded: a)))
            default: return false
            }
            result.setLane(e, bits: bits, value)
        }
        setVector(w.rd, result, q: w.q && !scalar)
        return true
    }

    /// FPToFixed to an integer of the element's size.
    @inline(__always)
    mutating func toInteger(_ a: UInt64, _ format: FPFormat, _ rounding: FloatingPointRounding, unsigned: Bool,
                            fractionBits: Int = 0) -> UInt64 {
        FP.toFixed(a, format, fractionBits: fractionBits, unsigned: unsigned, width: format.bits, &env, rounding: rounding)
    }
}

private extension UInt8 {
    var bitReversed: UInt8 {
        var value = self
        value = (value & 0xF0) >> 4 | (value & 0x0F) << 4
        value = (value & 0xCC) >> 2 | (value & 0x33) << 2
        value = (value & 0xAA) >> 1 | (value & 0x55) << 1
        return value
    }
}
