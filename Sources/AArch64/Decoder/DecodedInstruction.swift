/// An instruction decoded once into the form the interpreter executes: what to do (`kind`) and
/// its operands, already extracted and, where possible, precomputed (logical immediates expanded,
/// bitfield masks built, branch offsets sign-extended).
///
/// Register operands are indices into the register file, where 0-30 are X0-X30, 31 is the
/// current stack pointer, ``zeroRegister`` reads as zero and ``discardRegister`` swallows writes:
/// the decoder resolves "register 31" to SP or XZR by the encoding's rules, so the interpreter
/// never has to.
///
/// Sixteen bytes, so a decoded 4 KiB page of 1024 instructions is 16 KiB.
@frozen
public struct DecodedInstruction: Sendable {
    public var kind: OpKind
    /// Destination or transfer register (Rd, Rt).
    public var a: UInt8
    /// First source or base register (Rn).
    public var b: UInt8
    /// Second source (Rm), second transfer register (Rt2), or status register (Rs).
    public var c: UInt8
    /// A small operand: condition, shift amount, bit number, size, register Ra.
    public var d: UInt8
    /// Another small operand: shift type, extend option, addressing mode.
    public var e: UInt8
    /// A third small operand.
    public var f: UInt8
    /// An immediate, offset, mask or precomputed value.
    public var imm: UInt64

    @inline(__always)
    public init(_ kind: OpKind, a: UInt8 = 0, b: UInt8 = 0, c: UInt8 = 0, d: UInt8 = 0, e: UInt8 = 0, f: UInt8 = 0, imm: UInt64 = 0) {
        self.kind = kind
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.e = e
        self.f = f
        self.imm = imm
    }

    /// The register file index that always reads as zero (XZR/WZR as a source).
    public static let zeroRegister: UInt8 = 33
    /// The register file index whose writes are discarded (XZR/WZR as a destination).
    public static let discardRegister: UInt8 = 32
    /// The register file index of the current stack pointer.
    public static let stackPointer: UInt8 = 31
}

/// Addressing modes of loads and stores (DDI0487 C1.3.3).
public enum AddressingMode: UInt8, Sendable {
    /// [Xn, #imm]: no writeback (also the unscaled LDUR/STUR forms).
    case offset = 0
    /// [Xn, #imm]!: the address is Xn + imm, written back.
    case preIndex = 1
    /// [Xn], #imm: the address is Xn; Xn + imm is written back.
    case postIndex = 2
    /// [Xn, Xm{, extend #amount}].
    case register = 3
    /// LDTR/STTR: [Xn, #imm] checked with EL0 permissions.
    case unprivileged = 4
}

/// What a decoded instruction does. Each case names the A64 instruction (or the specialised
/// form of one) it executes; `32`/`64` is the register width.
public enum OpKind: UInt16, Sendable {
    // Bookkeeping.
    /// Not decoded yet: decode the word at this address, then execute it.
    case undecoded
    /// Past the last instruction of a page: continue at the next page.
    case endOfPage
    /// After the one instruction of a debug step block: continue at the next instruction
    /// (see `SelfHostedDebug.swift`).
    case stepEnd
    /// A branch (the kind in `f` indexes `AArch64CPU.countedBranchKinds`) decoded while the PMU
    /// counts BR_RETIRED: counted, then executed as that kind.
    case countedBranch
    /// An unallocated or unimplemented encoding: undefined-instruction exception.
    case undefined

    // Data processing, immediate.
    case adr, adrp
    case addImm64, addImm32, addsImm64, addsImm32, subImm64, subImm32, subsImm64, subsImm32
    case andImm, orrImm64, orrImm32, eorImm64, eorImm32, andsImm64, andsImm32
    case movImm, movk64, movk32
    case ubfx64, ubfx32, ubfiz64, ubfiz32, sbfx64, sbfx32, sbfiz64, sbfiz32, bfxil64, bfxil32, bfi64, bfi32
    case extr64, extr32

    // Branches, exception generation and system.
    case b, bl, bCond, cbz64, cbz32, cbnz64, cbnz32, tbz, tbnz, br, blr, ret
    case svc, hvc, smc, brk, hlt, eret
    case nop, yield, wfe, wfi, sev, sevl
    case clrex, dsb, dmb, isb
    case msrImmediate, sys, msr, mrs

    // Data processing, register.
    case andReg64, andReg32, bicReg64, bicReg32, orrReg64, orrReg32, ornReg64, ornReg32
    case eorReg64, eorReg32, eonReg64, eonReg32, andsReg64, andsReg32, bicsReg64, bicsReg32
    case movReg64, movReg32
    case addReg64, addReg32, addsReg64, addsReg32, subReg64, subReg32, subsReg64, subsReg32
    case addExt64, addExt32, addsExt64, addsExt32, subExt64, subExt32, subsExt64, subsExt32
    case adc64, adc32, adcs64, adcs32, sbc64, sbc32, sbcs64, sbcs32
    case ccmnReg64, ccmnReg32, ccmpReg64, ccmpReg32, ccmnImm64, ccmnImm32, ccmpImm64, ccmpImm32
    case csel64, csel32, csinc64, csinc32, csinv64, csinv32, csneg64, csneg32
    case rbit64, rbit32, rev16_64, rev16_32, rev32_64, rev64, rev32, clz64, clz32, cls64, cls32
    case udiv64, udiv32, sdiv64, sdiv32, lslv64, lslv32, lsrv64, lsrv32, asrv64, asrv32, rorv64, rorv32
    case crc32b, crc32h, crc32w, crc32x, crc32cb, crc32ch, crc32cw, crc32cx
    case madd64, madd32, msub64, msub32, smaddl, smsubl, umaddl, umsubl, smulh, umulh

    // Loads and stores, [Xn, #imm] (the common case, kept fast).
    case ldrbImm, ldrhImm, ldrwImm, ldrxImm, ldrsbxImm, ldrsbwImm, ldrshxImm, ldrshwImm, ldrswImm
    case strbImm, strhImm, strwImm, strxImm
    // Loads and stores, any other addressing mode (`e` holds the ``AddressingMode``).
    case ldrb, ldrh, ldrw, ldrx, ldrsbx, ldrsbw, ldrshx, ldrshw, ldrsw
    case strb, strh, strw, strx
    case prfm
    // PC-relative loads.
    case ldrLiteral32, ldrLiteral64, ldrswLiteral, prfmLiteral
    // Pairs (`e` holds offset, pre- or post-index).
    case ldp32, ldp64, ldpsw, stp32, stp64
    // Exclusives and ordered accesses (`d` holds log2 of the access size).
    case ldxr, ldaxr, stxr, stlxr, ldxp, ldaxp, stxp, stlxp, ldar, stlr
    // Large System Extensions (ARMv8.1 atomics), when advertised.
    case cas, casp, atomicAdd, atomicClear, atomicEor, atomicSet, atomicSmax, atomicSmin, atomicUmax, atomicUmin, swp

    // Loads and stores of SIMD&FP registers, by access size in bits (any addressing mode in `e`;
    // `a` is Vt). Pairs and literals have log2 of the size in bytes in `d`.
    case ldrFP8, ldrFP16, ldrFP32, ldrFP64, ldrFP128, strFP8, strFP16, strFP32, strFP64, strFP128
    case ldrFPLiteral, ldpFP, stpFP
    // Advanced SIMD structure loads and stores (`imm` holds a ``StructureTransfer``).
    case ldStructures, stStructures

    // SIMD&FP data processing, executed by ``SIMDFPUnit`` (`imm` holds the encoding table's
    // pattern in bits 47:32 and the instruction word in bits 31:0).
    case simdFloatingPoint
}
