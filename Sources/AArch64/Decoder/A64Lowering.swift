/// Turns a decoded encoding (a row of `ISA/A64.isa`, with its fields) into the
/// ``DecodedInstruction`` the interpreter executes: the operation it specialises to, registers
/// resolved (register 31 as SP, XZR or a discarded write, as each encoding says), immediates
/// expanded. Field values the ARM ARM marks reserved, and encodings of features the CPU does not
/// have, lower to ``OpKind/undefined``.
///
/// One method per row, in the files of `Instructions/` named after the ARM ARM's encoding
/// classes; this file holds what they share.
struct A64Lowering: A64.Visitor {
    let features: CPUFeatures

    func unallocated(_ word: UInt32) -> DecodedInstruction { undefined }

    var undefined: DecodedInstruction { DecodedInstruction(.undefined) }

    // MARK: - Operands

    /// Register 31 as a source means XZR/WZR.
    @inline(__always) static func source(_ r: UInt32) -> UInt8 { r == 31 ? DecodedInstruction.zeroRegister : UInt8(r) }

    /// Register 31 as a destination means XZR/WZR: the write is discarded.
    @inline(__always) static func destination(_ r: UInt32) -> UInt8 { r == 31 ? DecodedInstruction.discardRegister : UInt8(r) }

    /// Register 31 as the stack pointer (it is SP in the register file).
    @inline(__always) static func spOrRegister(_ r: UInt32) -> UInt8 { UInt8(r) }

    /// `value`'s low `bits` bits, sign-extended to 64.
    @inline(__always) static func signExtend(_ value: UInt32, bits: Int) -> UInt64 {
        UInt64(bitPattern: Int64(Int32(bitPattern: value << UInt32(32 - bits)) >> Int32(32 - bits)))
    }

    @inline(__always) static func ones(_ count: Int) -> UInt64 { count >= 64 ? ~0 : (1 << UInt64(count)) - 1 }

    /// DecodeBitMasks (DDI0487, J1 "shared/functions/bitmasks"): the mask a logical immediate
    /// encodes, or nil when the encoding is reserved.
    static func logicalImmediate(n: UInt32, imms: UInt32, immr: UInt32, dataSize: Int) -> UInt64? {
        let combined = n << 6 | (~imms & 0x3F)
        guard combined != 0 else { return nil }
        let length = 31 - combined.leadingZeroBitCount
        guard length >= 1 else { return nil }
        let levels = UInt32(1 << length) - 1
        guard imms & levels != levels else { return nil }
        let s = Int(imms & levels)
        let r = Int(immr & levels)
        let elementSize = 1 << length
        guard elementSize <= dataSize else { return nil }
        var element = ones(s + 1)
        if r != 0 {
            element = ((element >> UInt64(r)) | (element << UInt64(elementSize - r))) & ones(elementSize)
        }
        var mask: UInt64 = 0
        var position = 0
        while position < dataSize {
            mask |= element << UInt64(position)
            position += elementSize
        }
        return mask
    }

    /// The 64- or 32-bit kind, by `sf`.
    @inline(__always) static func width(_ sf: UInt32, _ x: OpKind, _ w: OpKind) -> OpKind { sf == 1 ? x : w }
}

extension CPUFeatures {
    /// The table's features this CPU has.
    var isa: A64.Features {
        var set: A64.Features = []
        if crc32 { set.insert(.crc32) }
        if lse { set.insert(.lse) }
        if floatingPoint { set.formUnion([.fp, .asimd]) }
        if floatingPoint && cryptography { set.formUnion([.aes, .pmull, .sha1, .sha256]) }
        return set
    }
}

extension A64Lowering {
    /// The instruction `word` is, through the encoding table.
    static func decode(_ word: UInt32, features: CPUFeatures) -> DecodedInstruction {
        A64.decode(word, features: features.isa, A64Lowering(features: features))
    }
}

// MARK: - SIMD&FP data processing

/// The SIMD&FP data-processing groups execute out of line in ``SIMDFPUnit``, which reads its
/// operands from the word: the lowering records the encoding (above the word in `imm`).
extension A64Lowering {
    @inline(__always) func simdFloatingPoint(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction {
        DecodedInstruction(.simdFloatingPoint, imm: UInt64(pattern.rawValue) << 32 | UInt64(word))
    }

    func cryptoAES(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func cryptoThreeRegisterSHA(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func cryptoTwoRegisterSHA(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarCopy(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarTwoRegisterMisc(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarPairwise(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarThreeDifferent(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarThreeSame(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarShiftByImmediate(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdScalarIndexedElement(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdTableLookup(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdPermute(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdExtract(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdCopy(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdTwoRegisterMisc(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdAcrossLanes(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdThreeDifferent(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdThreeSame(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdModifiedImmediate(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdShiftByImmediate(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func simdIndexedElement(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpFixedConversion(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpIntegerConversion(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpDataProcessing1Source(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpCompare(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpImmediate(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpConditionalCompare(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpDataProcessing2Source(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpConditionalSelect(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
    func fpDataProcessing3Source(_ pattern: A64.Pattern, _ word: UInt32) -> DecodedInstruction { simdFloatingPoint(pattern, word) }
}
