/// The scalar floating-point data-processing groups (DDI0487 C4.1.96: FP data-processing with
/// one, two and three sources, compare, conditional compare, conditional select, immediate).
/// Single (`ftype` 00) and double (01) precision; the half-precision forms are FEAT_FP16 and
/// UNDEFINED here, except as FCVT's source or destination.
extension SIMDFPUnit {
    mutating func fpDataProcessing1Source(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        if pattern == .FCVT { return fpConvertPrecision(w) }
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let a = scalar(w.rn, bits: format.bits)
        let result: UInt64
        switch pattern {
        case .FMOV_reg: result = a
        case .FABS: result = FP.absolute(a, format)
        case .FNEG: result = FP.negate(a, format)
        case .FSQRT: result = FP.squareRoot(a, format, &env)
        case .FRINTN: result = FP.roundInt(a, format, &env, rounding: .tiesToEven, exact: false)
        case .FRINTP: result = FP.roundInt(a, format, &env, rounding: .towardsPlusInfinity, exact: false)
        case .FRINTM: result = FP.roundInt(a, format, &env, rounding: .towardsMinusInfinity, exact: false)
        case .FRINTZ: result = FP.roundInt(a, format, &env, rounding: .towardsZero, exact: false)
        case .FRINTA: result = FP.roundInt(a, format, &env, rounding: .tiesAway, exact: false)
        case .FRINTX: result = FP.roundInt(a, format, &env, rounding: env.rounding, exact: true)
        case .FRINTI: result = FP.roundInt(a, format, &env, rounding: env.rounding, exact: false)
        default: return false
        }
        setScalar(w.rd, result)
        return true
    }

    /// FCVT between half, single and double: `ftype` is the source, `opc` (bits 16:15) the
    /// destination, 11 meaning half in both.
    private mutating func fpConvertPrecision(_ w: SIMDFields) -> Bool {
        func format(_ code: Int) -> FPFormat? {
            switch code {
            case 0: return .single
            case 1: return .double
            case 3: return .half
            default: return nil
            }
        }
        guard let source = format(w.ftype), let target = format(w.bits(16, 15)), source != target else { return false }
        setScalar(w.rd, FP.convert(scalar(w.rn, bits: source.bits), from: source, to: target, &env, rounding: env.rounding))
        return true
    }

    mutating func fpDataProcessing2Source(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let a = scalar(w.rn, bits: format.bits)
        let b = scalar(w.rm, bits: format.bits)
        let result: UInt64
        switch pattern {
        case .FMUL: result = FP.multiply(a, b, format, &env)
        case .FDIV: result = FP.divide(a, b, format, &env)
        case .FADD: result = FP.add(a, b, format, &env)
        case .FSUB: result = FP.subtract(a, b, format, &env)
        case .FMAX: result = FP.maxMin(a, b, format, &env, maximum: true)
        case .FMIN: result = FP.maxMin(a, b, format, &env, maximum: false)
        case .FMAXNM: result = FP.maxMinNumber(a, b, format, &env, maximum: true)
        case .FMINNM: result = FP.maxMinNumber(a, b, format, &env, maximum: false)
        case .FNMUL: result = FP.negate(FP.multiply(a, b, format, &env), format)
        default: return false
        }
        setScalar(w.rd, result)
        return true
    }

    /// FMADD, FMSUB, FNMADD, FNMSUB: one rounding of Ra +/- Rn x Rm, the operands negated
    /// before NaN processing as the pseudocode does.
    mutating func fpDataProcessing3Source(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        var addend = scalar(w.ra, bits: format.bits)
        var n = scalar(w.rn, bits: format.bits)
        let m = scalar(w.rm, bits: format.bits)
        switch pattern {
        case .FMADD: break
        case .FMSUB: n = FP.negate(n, format)
        case .FNMADD:
            addend = FP.negate(addend, format)
            n = FP.negate(n, format)
        case .FNMSUB: addend = FP.negate(addend, format)
        default: return false
        }
        setScalar(w.rd, FP.multiplyAdd(addend, n, m, format, &env))
        return true
    }

    /// FCMP and FCMPE: NZCV from comparing Rn with Rm, or with +0.0 (opc bit 3).
    mutating func fpCompare(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let a = scalar(w.rn, bits: format.bits)
        let b = w.bit(3) ? 0 : scalar(w.rm, bits: format.bits)
        nzcv = UInt64(FP.compare(a, b, format, &env, signalling: pattern == .FCMPE))
        return true
    }

    /// FCCMP and FCCMPE: the comparison's NZCV if the condition holds, else the immediate.
    mutating func fpConditionalCompare(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        guard holds(w.cond) else {
            nzcv = UInt64(w.bits(3, 0))
            return true
        }
        let a = scalar(w.rn, bits: format.bits)
        let b = scalar(w.rm, bits: format.bits)
        nzcv = UInt64(FP.compare(a, b, format, &env, signalling: pattern == .FCCMPE))
        return true
    }

    /// ConditionHolds, through the interpreter's table of the NZCV values each condition passes.
    private func holds(_ cond: UInt8) -> Bool { (ALU.conditionTable[Int(cond & 15)] >> UInt16(nzcv)) & 1 != 0 }

    mutating func fpConditionalSelect(_ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype) else { return false }
        let source = holds(w.cond) ? w.rn : w.rm
        setScalar(w.rd, scalar(source, bits: format.bits))
        return true
    }

    /// FMOV (scalar, immediate): VFPExpandImm of imm8 (bits 20:13).
    mutating func fpImmediate(_ w: SIMDFields) -> Bool {
        guard let format = Self.format(ftype: w.ftype), w.bits(9, 5) == 0 else { return false }
        setScalar(w.rd, Self.expandImmediate(UInt64(w.bits(20, 13)), format))
        return true
    }

    /// VFPExpandImm (DDI0487 J1 "shared/functions/float/vfpexpandimm"): a:NOT(b):b..b:cd:efgh
    /// as sign, exponent and the fraction's top four bits.
    static func expandImmediate(_ imm8: UInt64, _ format: FPFormat) -> UInt64 {
        let sign = (imm8 >> 7) & 1
        let b = (imm8 >> 6) & 1
        let exponentBits = UInt64(format.exponentBits)
        let replicated = b == 1 ? SIMDLanes.mask(bits: Int(exponentBits) - 3) : 0
        let exponent = (1 - b) << (exponentBits - 1) | replicated << 2 | (imm8 >> 4) & 3
        let fraction = (imm8 & 0xF) << UInt64(format.fractionBits - 4)
        return sign << UInt64(format.bits - 1) | exponent << UInt64(format.fractionBits) | fraction
    }
}
