/// Advanced SIMD shift by immediate and its scalar form (DDI0487 C4.1.95): immh:immb encodes
/// both the element size (immh's highest set bit) and the shift, as 2 x esize - immh:immb for
/// right shifts and immh:immb - esize for left shifts.
extension SIMDFPUnit {
    private enum ShiftKind { case right, left, narrow, long, convert }

    /// The scalar plain shifts are of doublewords only; the saturating left shifts take any size.
    private static let scalarAnySize: Set<A64.Pattern> = [.SQSHL_imm_s, .UQSHL_imm_s, .SQSHLU_s]

    private static func kind(_ pattern: A64.Pattern) -> ShiftKind {
        switch pattern {
        case .SHL_v, .SHL_s, .SQSHL_imm_v, .SQSHL_imm_s, .UQSHL_imm_v, .UQSHL_imm_s, .SQSHLU_v, .SQSHLU_s, .SLI_v, .SLI_s:
            return .left
        case .SHRN, .RSHRN, .SQSHRN_v, .SQSHRN_s, .SQRSHRN_v, .SQRSHRN_s, .UQSHRN_v, .UQSHRN_s, .UQRSHRN_v, .UQRSHRN_s,
             .SQSHRUN_v, .SQSHRUN_s, .SQRSHRUN_v, .SQRSHRUN_s:
            return .narrow
        case .SSHLL, .USHLL: return .long
        case .SCVTF_fixed_v, .SCVTF_fixed_vs, .UCVTF_fixed_v, .UCVTF_fixed_vs, .FCVTZS_fixed_v, .FCVTZS_fixed_vs,
             .FCVTZU_fixed_v, .FCVTZU_fixed_vs:
            return .convert
        default: return .right
        }
    }

    mutating func shiftByImmediate(_ pattern: A64.Pattern, _ w: SIMDFields, scalar: Bool) -> Bool {
        let immh = w.bits(22, 19)
        let immhb = w.bits(22, 16)
        guard immh != 0 else { return false }
        let size = Int.bitWidth - 1 - immh.leadingZeroBitCount  // the index of immh's top bit
        let bits = 8 << size
        let kind = Self.kind(pattern)
        switch kind {
        case .narrow, .long:
            guard size < 3 else { return false }
            return kind == .narrow ? shiftNarrow(pattern, w, bits: bits, shift: 2 * bits - immhb, scalar: scalar)
                : shiftLong(pattern, w, bits: bits, shift: immhb - bits)
        case .convert:
            // Single and double only (immh 001x is the half-precision form of FEAT_FP16).
            guard size >= 2 else { return false }
        case .right, .left:
            if scalar && size != 3 && !Self.scalarAnySize.contains(pattern) { return false }
        }
        if !scalar && size == 3 && !w.q { return false }
        let count = scalar ? 1 : (w.q ? 128 : 64) / bits
        let right = 2 * bits - immhb
        let left = immhb - bits
        let n = vector(w.rn)
        let d = vector(w.rd)
        var result = Vector128.zero
        for e in 0..<count {
            let a = n.lane(e, bits: bits)
            let sa = Self.integer(a, bits: bits, unsigned: false)
            let ua = Int128(a)
            let accumulator = d.lane(e, bits: bits)
            let value: UInt64
            switch pattern {
            case .SSHR_v, .SSHR_s: value = UInt64(truncatingIfNeeded: Self.shiftRight(sa, right, rounding: false))
            case .USHR_v, .USHR_s: value = UInt64(truncatingIfNeeded: Self.shiftRight(ua, right, rounding: false))
            case .SRSHR_v, .SRSHR_s: value = UInt64(truncatingIfNeeded: Self.shiftRight(sa, right, rounding: true))
            case .URSHR_v, .URSHR_s: value = UInt64(truncatingIfNeeded: Self.shiftRight(ua, right, rounding: true))
            case .SSRA_v, .SSRA_s: value = accumulator &+ UInt64(truncatingIfNeeded: Self.shiftRight(sa, right, rounding: false))
            case .USRA_v, .USRA_s: value = accumulator &+ UInt64(truncatingIfNeeded: Self.shiftRight(ua, right, rounding: false))
            case .SRSRA_v, .SRSRA_s: value = accumulator &+ UInt64(truncatingIfNeeded: Self.shiftRight(sa, right, rounding: true))
            case .URSRA_v, .URSRA_s: value = accumulator &+ UInt64(truncatingIfNeeded: Self.shiftRight(ua, right, rounding: true))
            case .SRI_v, .SRI_s:
                // Shift right and insert: the top `right` bits of the destination element are kept.
                let mask = right >= 64 ? 0 : SIMDLanes.mask(bits: bits) >> UInt64(right)
                let shifted = right >= 64 ? 0 : a >> UInt64(right)
                value = accumulator & ~mask | shifted & mask
            case .SHL_v, .SHL_s: value = a << UInt64(left)
            case .SLI_v, .SLI_s:
                let mask = SIMDLanes.mask(bits: bits) << UInt64(left)
                value = accumulator & ~mask | (a << UInt64(left)) & mask
            case .SQSHL_imm_v, .SQSHL_imm_s: value = saturate(sa << Int128(left), bits: bits, unsigned: false)
            case .UQSHL_imm_v, .UQSHL_imm_s: value = saturate(ua << Int128(left), bits: bits, unsigned: true)
            case .SQSHLU_v, .SQSHLU_s: value = saturate(sa << Int128(left), bits: bits, unsigned: true)
            case .SCVTF_fixed_v, .SCVTF_fixed_vs, .UCVTF_fixed_v, .UCVTF_fixed_vs:
                let format: FPFormat = bits == 64 ? .double : .single
                let unsigned = pattern == .UCVTF_fixed_v || pattern == .UCVTF_fixed_vs
                value = FP.fromFixed(a, width: bits, fractionBits: right, unsigned: unsigned, format, &env, rounding: env.rounding)
            case .FCVTZS_fixed_v, .FCVTZS_fixed_vs, .FCVTZU_fixed_v, .FCVTZU_fixed_vs:
                let format: FPFormat = bits == 64 ? .double : .single
                let unsigned = pattern == .FCVTZU_fixed_v || pattern == .FCVTZU_fixed_vs
                value = toInteger(a, format, .towardsZero, unsigned: unsigned, fractionBits: right)
            default: return false
            }
            result.setLane(e, bits: bits, value)
        }
        setVector(w.rd, result, q: w.q && !scalar)
        return true
    }

    /// SHRN, RSHRN and the saturating narrowing shifts: 2n-bit elements shifted right into n bits.
    private mutating func shiftNarrow(_ pattern: A64.Pattern, _ w: SIMDFields, bits: Int, shift: Int, scalar: Bool) -> Bool {
        if scalar && (pattern == .SHRN || pattern == .RSHRN) { return false }
        let count = scalar ? 1 : 64 / bits
        let n = vector(w.rn)
        var half: UInt64 = 0
        for e in 0..<count {
            let element = n.lane(e, bits: 2 * bits)
            let signed = Self.integer(element, bits: 2 * bits, unsigned: false)
            let unsigned = Int128(element)
            let value: UInt64
            switch pattern {
            case .SHRN: value = UInt64(truncatingIfNeeded: Self.shiftRight(unsigned, shift, rounding: false))
            case .RSHRN: value = UInt64(truncatingIfNeeded: Self.shiftRight(unsigned, shift, rounding: true))
            case .SQSHRN_v, .SQSHRN_s: value = saturate(Self.shiftRight(signed, shift, rounding: false), bits: bits, unsigned: false)
            case .SQRSHRN_v, .SQRSHRN_s: value = saturate(Self.shiftRight(signed, shift, rounding: true), bits: bits, unsigned: false)
            case .UQSHRN_v, .UQSHRN_s: value = saturate(Self.shiftRight(unsigned, shift, rounding: false), bits: bits, unsigned: true)
            case .UQRSHRN_v, .UQRSHRN_s: value = saturate(Self.shiftRight(unsigned, shift, rounding: true), bits: bits, unsigned: true)
            case .SQSHRUN_v, .SQSHRUN_s: value = saturate(Self.shiftRight(signed, shift, rounding: false), bits: bits, unsigned: true)
            case .SQRSHRUN_v, .SQRSHRUN_s: value = saturate(Self.shiftRight(signed, shift, rounding: true), bits: bits, unsigned: true)
            default: return false
            }
            half |= (value & SIMDLanes.mask(bits: bits)) << UInt64(e * bits)
        }
        writeNarrow(w, half, scalar: scalar)
        return true
    }

    /// SSHLL and USHLL: a half's elements widened, then shifted left.
    private mutating func shiftLong(_ pattern: A64.Pattern, _ w: SIMDFields, bits: Int, shift: Int) -> Bool {
        let input = Vector128(low: w.q ? v[w.rn &* 2 &+ 1] : v[w.rn &* 2], high: 0)
        var result = Vector128.zero
        for e in 0..<(64 / bits) {
            let element = input.lane(e, bits: bits)
            let widened = pattern == .SSHLL ? UInt64(bitPattern: SIMDLanes.signExtend(element, bits: bits)) : element
            result.setLane(e, bits: 2 * bits, widened << UInt64(shift))
        }
        setVector(w.rd, result)
        return true
    }
}
