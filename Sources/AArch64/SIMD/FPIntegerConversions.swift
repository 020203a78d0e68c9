/// Conversions between floating-point and general-purpose registers (DDI0487 C4.1.96: "Conversion
/// between floating-point and fixed-point" and "... and integer"): FCVT[NPMZA][SU], SCVTF, UCVTF
/// and FMOV (general).
extension SIMDFPUnit {
    mutating func fpFixedConversion(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let width = w.sf ? 64 : 32
        let scale = w.bits(15, 10)
        // A 32-bit integer has at most 32 fraction bits: scale < 32 is reserved.
        guard w.sf || scale >= 32 else { return false }
        let fractionBits = 64 - scale
        switch pattern {
        case .SCVTF_fixed, .UCVTF_fixed:
            let value = general(w.rn, bits: width)
            setScalar(w.rd, FP.fromFixed(value, width: width, fractionBits: fractionBits, unsigned: pattern == .UCVTF_fixed,
                                         format, &env, rounding: env.rounding))
        case .FCVTZS_fixed, .FCVTZU_fixed:
            let value = scalar(w.rn, bits: format.bits)
            setGeneral(w.rd, FP.toFixed(value, format, fractionBits: fractionBits, unsigned: pattern == .FCVTZU_fixed,
                                        width: width, &env, rounding: .towardsZero), bits: width)
        default: return false
        }
        return true
    }

    mutating func fpIntegerConversion(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let width = w.sf ? 64 : 32
        switch pattern {
        case .FMOV_to_gen, .FMOV_from_gen:
            // W <-> S and X <-> D only; the half forms are FEAT_FP16.
            guard (w.ftype == 0 && !w.sf) || (w.ftype == 1 && w.sf) else { return false }
            if pattern == .FMOV_to_gen {
                setGeneral(w.rd, scalar(w.rn, bits: width), bits: width)
            } else {
                setScalar(w.rd, general(w.rn, bits: width))
            }
            return true
        case .FMOV_to_gen_top, .FMOV_from_gen_top:
            // X <-> Vn.D[1]: sf = 1 and ftype = 10 only.
            guard w.ftype == 2 && w.sf else { return false }
            if pattern == .FMOV_to_gen_top {
                setGeneral(w.rd, v[w.rn &* 2 &+ 1], bits: 64)
            } else {
                v[w.rd &* 2 &+ 1] = general(w.rn, bits: 64)  // the low half is kept
            }
            return true
        default: break
        }
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let rounding: FloatingPointRounding
        let unsigned: Bool
        switch pattern {
        case .SCVTF, .UCVTF:
            setScalar(w.rd, FP.fromFixed(general(w.rn, bits: width), width: width, fractionBits: 0, unsigned: pattern == .UCVTF,
                                         format, &env, rounding: env.rounding))
            return true
        case .FCVTNS: (rounding, unsigned) = (.tiesToEven, false)
        case .FCVTNU: (rounding, unsigned) = (.tiesToEven, true)
        case .FCVTPS: (rounding, unsigned) = (.towardsPlusInfinity, false)
        case .FCVTPU: (rounding, unsigned) = (.towardsPlusInfinity, true)
        case .FCVTMS: (rounding, unsigned) = (.towardsMinusInfinity, false)
        case .FCVTMU: (rounding, unsigned) = (.towardsMinusInfinity, true)
        case .FCVTZS: (rounding, unsigned) = (.towardsZero, false)
        case .FCVTZU: (rounding, unsigned) = (.towardsZero, true)
        case .FCVTAS: (rounding, unsigned) = (.tiesAway, false)
        case .FCVTAU: (rounding, unsigned) = (.tiesAway, true)
        default: return false
        }
        let value = FP.toFixed(scalar(w.rn, bits: format.bits), format, fractionBits: 0, unsigned: unsigned, width: width,
                               &env, rounding: rounding)
        setGeneral(w.rd, value, bits: width)
        return true
    }
}
