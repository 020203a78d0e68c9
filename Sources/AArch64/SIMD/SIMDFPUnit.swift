/// The SIMD&FP data-processing instructions (DDI0487 C4.1.95-C4.1.96: "Data Processing --
/// Scalar Floating-Point and Advanced SIMD"), executed out of line: the interpreter hands over
/// the encoding the table found and its word, and the unit reads and writes V0-V31, the
/// general-purpose registers and NZCV, and gathers the FPSR flags the instruction raises.
///
/// The pseudocode's conventions are kept: a vector result narrower than 128 bits clears the
/// register's upper half, a scalar result clears everything above its element, and the
/// cumulative flags are ORed into FPSR only when the instruction completes. Each group's
/// semantics live in their own file of this folder, named after the ARM ARM's group.
struct SIMDFPUnit {
    let x: UnsafeMutablePointer<UInt64>
    let v: UnsafeMutablePointer<UInt64>
    /// FPCR as the instruction sees it, and the exception flags it raises.
    var env: FPEnvironment
    /// FPSR.QC: set by a saturating integer instruction whose result was clamped.
    var saturated = false

    init(x: UnsafeMutablePointer<UInt64>, v: UnsafeMutablePointer<UInt64>) {
        self.x = x
        self.v = v
        self.env = FPEnvironment(control: FloatingPointControl(rawValue: x[AArch64CPU.fpcrSlot]))
    }

    // MARK: Registers

    @inline(__always) func vector(_ n: Int) -> Vector128 { Vector128(low: v[n &* 2], high: v[n &* 2 &+ 1]) }

    @inline(__always) func setVector(_ d: Int, _ value: Vector128) {
        v[d &* 2] = value.low
        v[d &* 2 &+ 1] = value.high
    }

    /// A vector result of 64 (`q` false) or 128 bits.
    @inline(__always) func setVector(_ d: Int, _ value: Vector128, q: Bool) {
        setVector(d, q ? value : Vector128(low: value.low, high: 0))
    }

    /// A scalar result: the element in the low bits, the rest of the register cleared.
    @inline(__always) func setScalar(_ d: Int, _ value: UInt64) { setVector(d, Vector128(low: value, high: 0)) }

    /// The low `bits` of Vn.
    @inline(__always) func scalar(_ n: Int, bits: Int) -> UInt64 { v[n &* 2] & SIMDLanes.mask(bits: bits) }

    /// Xn or Wn (zero-extended), register 31 reading as zero.
    @inline(__always) func general(_ n: Int, bits: Int) -> UInt64 { n == 31 ? 0 : x[n] & SIMDLanes.mask(bits: bits) }

    /// Writes Xd (or Wd, zero-extended); register 31 discards the write.
    @inline(__always) func setGeneral(_ d: Int, _ value: UInt64, bits: Int) {
        if d != 31 { x[d] = value & SIMDLanes.mask(bits: bits) }
    }

    var nzcv: UInt64 {
        get { x[AArch64CPU.nzcvSlot] & 0xF }
        nonmutating set { x[AArch64CPU.nzcvSlot] = newValue & 0xF }
    }

    // MARK: Dispatch

    /// Executes `pattern`; false when the encoding is UNDEFINED (a reserved field value).
    mutating func execute(_ pattern: A64.Pattern, _ word: UInt32) -> Bool {
        let w = SIMDFields(word)
        switch A64.encodings[pattern.rawValue].group {
        case .simdThreeSame: return threeSame(pattern, w, scalar: false)
        case .simdScalarThreeSame: return threeSame(pattern, w, scalar: true)
        case .simdTwoRegisterMisc: return twoRegisterMisc(pattern, w, scalar: false)
        case .simdScalarTwoRegisterMisc: return twoRegisterMisc(pattern, w, scalar: true)
        case .simdShiftByImmediate: return shiftByImmediate(pattern, w, scalar: false)
        case .simdScalarShiftByImmediate: return shiftByImmediate(pattern, w, scalar: true)
        case .simdThreeDifferent: return threeDifferent(pattern, w, scalar: false)
        case .simdScalarThreeDifferent: return threeDifferent(pattern, w, scalar: true)
        case .simdIndexedElement: return indexedElement(pattern, w, scalar: false)
        case .simdScalarIndexedElement: return indexedElement(pattern, w, scalar: true)
        case .simdScalarPairwise: return scalarPairwise(pattern, w)
        case .simdAcrossLanes: return acrossLanes(pattern, w)
        case .simdCopy, .simdScalarCopy: return copy(pattern, w)
        case .simdPermute: return permute(pattern, w)
        case .simdExtract: return extract(w)
        case .simdTableLookup: return tableLookup(pattern, w)
        case .simdModifiedImmediate: return modifiedImmediate(w)
        case .fpDataProcessing1Source: return fpDataProcessing1Source(pattern, w)
        case .fpDataProcessing2Source: return fpDataProcessing2Source(pattern, w)
        case .fpDataProcessing3Source: return fpDataProcessing3Source(pattern, w)
        case .fpCompare: return fpCompare(pattern, w)
        case .fpConditionalCompare: return fpConditionalCompare(pattern, w)
        case .fpConditionalSelect: return fpConditionalSelect(w)
        case .fpImmediate: return fpImmediate(w)
        case .fpFixedConversion: return fpFixedConversion(pattern, w)
        case .fpIntegerConversion: return fpIntegerConversion(pattern, w)
        case .cryptoAES, .cryptoThreeRegisterSHA, .cryptoTwoRegisterSHA: return cryptographic(pattern, w)
        default: return false
        }
    }

    /// Whether `pattern` with `word`'s fields is UNDEFINED, found by executing it on copies of
    /// the registers.
    static func isUndefined(_ pattern: A64.Pattern, _ word: UInt32, x: UnsafeMutablePointer<UInt64>,
                            v: UnsafeMutablePointer<UInt64>) -> Bool {
        let scratchX = UnsafeMutablePointer<UInt64>.allocate(capacity: AArch64CPU.fpsrSlot + 1)
        let scratchV = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
        defer {
            scratchX.deallocate()
            scratchV.deallocate()
        }
        scratchX.initialize(from: x, count: AArch64CPU.fpsrSlot + 1)
        scratchV.initialize(from: v, count: 64)
        var unit = SIMDFPUnit(x: scratchX, v: scratchV)
        return !unit.execute(pattern, word)
    }

    // MARK: Integer element arithmetic

    /// SignedSatQ/UnsignedSatQ: `value` clamped to a `bits`-wide integer, setting QC if clamped.
    @inline(__always)
    mutating func saturate(_ value: Int128, bits: Int, unsigned: Bool) -> UInt64 {
        let maximum: Int128 = unsigned ? (Int128(1) << Int128(bits)) - 1 : (Int128(1) << Int128(bits - 1)) - 1
        let minimum: Int128 = unsigned ? 0 : -(Int128(1) << Int128(bits - 1))
        if value > maximum {
            saturated = true
            return UInt64(truncatingIfNeeded: maximum)
        }
        if value < minimum {
            saturated = true
            return UInt64(truncatingIfNeeded: minimum)
        }
        return UInt64(truncatingIfNeeded: value)
    }

    /// An element as an integer, signed or not.
    @inline(__always) static func integer(_ element: UInt64, bits: Int, unsigned: Bool) -> Int128 {
        unsigned ? Int128(element) : Int128(SIMDLanes.signExtend(element, bits: bits))
    }

    /// The shift of SSHL, USHL, SRSHL, URSHL, SQSHL, UQSHL, SQRSHL and UQRSHL: `element` shifted
    /// by the signed low byte of `shiftElement` (left if positive, right if negative), rounded
    /// and saturated as asked (DDI0487 C7.2, SRSHL etc.).
    mutating func shiftByRegister(_ element: Int128, by shiftElement: UInt64, bits: Int, rounding: Bool,
                                  saturating: Bool, unsigned: Bool) -> UInt64 {
        let shift = Int(Int8(truncatingIfNeeded: shiftElement))
        let result: Int128
        if shift >= 0 {
            if shift >= bits {
                // Every bit leaves the element: zero, or saturation for any non-zero value.
                guard saturating, element != 0 else { return 0 }
                return saturate(element > 0 ? Int128(1) << 100 : -(Int128(1) << 100), bits: bits, unsigned: unsigned)
            }
            result = element << Int128(shift)
        } else {
            // Beyond 65 the result no longer changes (|element| < 2^64).
            let right = min(-shift, 65)
            let roundConstant: Int128 = rounding ? Int128(1) << Int128(right - 1) : 0
            result = (element + roundConstant) >> Int128(right)
        }
        return saturating ? saturate(result, bits: bits, unsigned: unsigned) : UInt64(truncatingIfNeeded: result)
    }

    /// `value` shifted right by `amount` (0-128), rounded to nearest with ties up when asked.
    @inline(__always) static func shiftRight(_ value: Int128, _ amount: Int, rounding: Bool) -> Int128 {
        guard amount > 0 else { return value }
        let right = min(amount, 100)
        let roundConstant: Int128 = rounding ? Int128(1) << Int128(right - 1) : 0
        return (value + roundConstant) >> Int128(right)
    }

    /// Polynomial multiplication over GF(2) of two `bits`-wide elements (PolynomialMult).
    static func polynomialMultiply(_ a: UInt64, _ b: UInt64, bits: Int) -> UInt128 {
        var result: UInt128 = 0
        for i in 0..<bits where (b >> UInt64(i)) & 1 != 0 {
            result ^= UInt128(a) << UInt128(i)
        }
        return result
    }

    // MARK: Floating-point helpers

    /// The format of an FP scalar instruction's `ftype`: single (00) and double (01); half (11)
    /// is FEAT_FP16, which the CPU does not have, and 10 is reserved.
    @inline(__always) static func format(ftype: Int) -> FPFormat? {
        switch ftype {
        case 0: return .single
        case 1: return .double
        default: return nil
        }
    }

    /// The format of an Advanced SIMD floating-point instruction's `sz`.
    @inline(__always) static func format(sz: Int) -> FPFormat { sz == 0 ? .single : .double }

    /// The all-ones result of a true comparison.
    @inline(__always) static func mask(_ condition: Bool, bits: Int) -> UInt64 { condition ? SIMDLanes.mask(bits: bits) : 0 }
}

/// The fields the Advanced SIMD and FP encodings share, at the positions all their groups
/// use (DDI0487 C4.1.95).
struct SIMDFields {
    let word: UInt32

    @inline(__always) init(_ word: UInt32) { self.word = word }

    @inline(__always) func bits(_ high: Int, _ low: Int) -> Int { Int((word >> UInt32(low)) & ((1 << UInt32(high - low + 1)) - 1)) }
    @inline(__always) func bit(_ index: Int) -> Bool { (word >> UInt32(index)) & 1 != 0 }

    var rd: Int { bits(4, 0) }
    var rn: Int { bits(9, 5) }
    var rm: Int { bits(20, 16) }
    var ra: Int { bits(14, 10) }
    /// Q: 128-bit (true) or 64-bit vector.
    var q: Bool { bit(30) }
    var size: Int { bits(23, 22) }
    /// The FP element size of the vector forms: single (0) or double (1).
    var sz: Int { bits(22, 22) }
    /// The FP scalar forms' type.
    var ftype: Int { bits(23, 22) }
    var sf: Bool { bit(31) }
    var cond: UInt8 { UInt8(bits(15, 12)) }
}

extension Interpreter {
    /// A SIMD&FP data-processing instruction: `imm` holds the table's pattern above the word.
    @inline(never)
    func simdFloatingPoint(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        guard let pattern = A64.Pattern(rawValue: Int(op.imm >> 32)) else {
            cpu.takeUndefined(at: pc)
            return false
        }
        let word = UInt32(truncatingIfNeeded: op.imm)
        guard block.fp else {
            // An UNDEFINED encoding (a reserved field value) takes priority over the trap: the
            // instruction is tried on scratch registers only to find out which it is.
            if SIMDFPUnit.isUndefined(pattern, word, x: x, v: v) {
                cpu.takeUndefined(at: pc)
            } else {
                trapFloatingPoint(at: pc)
            }
            return false
        }
        var unit = SIMDFPUnit(x: x, v: v)
        guard unit.execute(pattern, word) else {
            cpu.takeUndefined(at: pc)
            return false
        }
        let raised = unit.env.flags | (unit.saturated ? FloatingPointStatus.saturation : 0)
        if raised != 0 { x[AArch64CPU.fpsrSlot] |= raised }
        return true
    }
}
