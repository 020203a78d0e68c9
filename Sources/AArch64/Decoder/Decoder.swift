/// The optional instruction-set features a CPU model advertises; encodings of features it does not
/// advertise are UNDEFINED, as on hardware without them.
public struct CPUFeatures: Sendable, Equatable {
    /// CRC32 instructions (optional in ARMv8.0; ID_AA64ISAR0_EL1.CRC32).
    public var crc32: Bool
    /// Large System Extensions: CAS, CASP, SWP and the LD<op> atomics (ARMv8.1; ID_AA64ISAR0_EL1.Atomic).
    public var lse: Bool

    public init(crc32: Bool = true, lse: Bool = false) {
        self.crc32 = crc32
        self.lse = lse
    }

    /// A Cortex-A57: ARMv8.0 with CRC32.
    public static let cortexA57 = CPUFeatures(crc32: true, lse: false)
    /// Everything this interpreter implements.
    public static let all = CPUFeatures(crc32: true, lse: true)
}

/// The A64 decoder: one 32-bit word in, one ``DecodedInstruction`` out. It follows the ARM ARM's
/// encoding index (DDI0487, C4.1 "A64 instruction set encoding"): a top-level switch on
/// op1 (bits 28:25), then one function per encoding group, each checking the fields the ARM ARM
/// marks unallocated so that every unallocated encoding decodes to ``OpKind/undefined``.
public enum A64Decoder {
    public static func decode(_ word: UInt32, features: CPUFeatures) -> DecodedInstruction {
        switch (word >> 25) & 0xF {
        case 0b1000, 0b1001: return dataProcessingImmediate(word)
        case 0b1010, 0b1011: return branchesExceptionsSystem(word)
        case 0b0100, 0b0110, 0b1100, 0b1110: return loadsAndStores(word, features)
        case 0b0101, 0b1101: return dataProcessingRegister(word, features)
        default:
            // 0000 reserved (UDF), 0001/0011 unallocated, 0010 SVE, x111 FP and Advanced SIMD:
            // none is implemented.
            return undefined
        }
    }

    static let undefined = DecodedInstruction(.undefined)

    // MARK: - Field helpers

    @inline(__always) static func field(_ w: UInt32, _ high: Int, _ low: Int) -> UInt32 {
        (w >> UInt32(low)) & ((1 << UInt32(high - low + 1)) - 1)
    }

    @inline(__always) static func bit(_ w: UInt32, _ n: Int) -> Bool { (w >> UInt32(n)) & 1 != 0 }

    @inline(__always) static func register(_ w: UInt32, _ low: Int) -> UInt8 { UInt8((w >> UInt32(low)) & 31) }

    /// Register 31 as a source means XZR/WZR.
    @inline(__always) static func source(_ r: UInt8) -> UInt8 { r == 31 ? DecodedInstruction.zeroRegister : r }

    /// Register 31 as a destination means XZR/WZR: the write is discarded.
    @inline(__always) static func destination(_ r: UInt8) -> UInt8 { r == 31 ? DecodedInstruction.discardRegister : r }

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

    // MARK: - Data processing (immediate)

    static func dataProcessingImmediate(_ w: UInt32) -> DecodedInstruction {
        let rd = register(w, 0)
        let rn = register(w, 5)
        let sf = bit(w, 31)
        switch field(w, 25, 23) {
        case 0b000, 0b001:
            // PC-relative addressing: ADR, ADRP.
            let offset = signExtend(field(w, 23, 5) << 2 | field(w, 30, 29), bits: 21)
            return sf
                ? DecodedInstruction(.adrp, a: destination(rd), imm: offset << 12)
                : DecodedInstruction(.adr, a: destination(rd), imm: offset)
        case 0b010:
            // Add/subtract (immediate). Rn is SP-capable; Rd is SP unless flags are set.
            let immediate = UInt64(field(w, 21, 10)) << (bit(w, 22) ? 12 : 0)
            let setFlags = bit(w, 29)
            let kinds: [OpKind] = bit(w, 30)
                ? (setFlags ? [.subsImm32, .subsImm64] : [.subImm32, .subImm64])
                : (setFlags ? [.addsImm32, .addsImm64] : [.addImm32, .addImm64])
            return DecodedInstruction(kinds[sf ? 1 : 0], a: setFlags ? destination(rd) : rd, b: rn, imm: immediate)
        case 0b100:
            // Logical (immediate).
            let n = field(w, 22, 22)
            if !sf && n == 1 { return undefined }
            guard let mask = logicalImmediate(n: n, imms: field(w, 15, 10), immr: field(w, 21, 16), dataSize: sf ? 64 : 32) else {
                return undefined
            }
            let kind: OpKind
            switch field(w, 30, 29) {
            case 0: kind = .andImm
            case 1: kind = sf ? .orrImm64 : .orrImm32
            case 2: kind = sf ? .eorImm64 : .eorImm32
            default: kind = sf ? .andsImm64 : .andsImm32
            }
            let d = kind == .andsImm64 || kind == .andsImm32 ? destination(rd) : rd
            return DecodedInstruction(kind, a: d, b: source(rn), imm: mask)
        case 0b101:
            // Move wide (immediate).
            let opc = field(w, 30, 29)
            let hw = field(w, 22, 21)
            if opc == 1 || (!sf && hw >= 2) { return undefined }
            let shift = UInt64(hw * 16)
            let value = UInt64(field(w, 20, 5)) << shift
            switch opc {
            case 0:
                return DecodedInstruction(.movImm, a: destination(rd), imm: sf ? ~value : ~value & 0xFFFF_FFFF)
            case 2:
                return DecodedInstruction(.movImm, a: destination(rd), imm: value)
            default:
                return DecodedInstruction(sf ? .movk64 : .movk32, a: destination(rd), d: UInt8(shift), imm: value)
            }
        case 0b110:
            return bitfield(w, sf: sf, rd: rd, rn: rn)
        case 0b111:
            // Extract.
            let imms = field(w, 15, 10)
            if field(w, 30, 29) != 0 || bit(w, 21) || bit(w, 22) != sf || (!sf && imms >= 32) { return undefined }
            return DecodedInstruction(sf ? .extr64 : .extr32, a: destination(rd), b: source(rn),
                                      c: source(register(w, 16)), d: UInt8(imms))
        default:
            // 011: add/subtract immediate with tags (MTE), not implemented.
            return undefined
        }
    }

    /// SBFM, BFM, UBFM, decoded into the extract (`imms >= immr`) or insert (`imms < immr`) form.
    static func bitfield(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8) -> DecodedInstruction {
        let opc = field(w, 30, 29)
        let n = bit(w, 22)
        let r = Int(field(w, 21, 16))
        let s = Int(field(w, 15, 10))
        if opc == 3 || n != sf || (!sf && (r >= 32 || s >= 32)) { return undefined }
        let size = sf ? 64 : 32
        let d = destination(rd)
        let src = source(rn)
        let extract = s >= r
        let width = extract ? s - r + 1 : s + 1
        let position = extract ? r : size - r
        let kind: OpKind
        switch (opc, extract, sf) {
        case (0, true, true): kind = .sbfx64
        case (0, true, false): kind = .sbfx32
        case (0, false, true): kind = .sbfiz64
        case (0, false, false): kind = .sbfiz32
        case (1, true, true): kind = .bfxil64
        case (1, true, false): kind = .bfxil32
        case (1, false, true): kind = .bfi64
        case (1, false, false): kind = .bfi32
        case (_, true, true): kind = .ubfx64
        case (_, true, false): kind = .ubfx32
        case (_, false, true): kind = .ubfiz64
        default: kind = .ubfiz32
        }
        // d: bit position (shift), e: field width, imm: mask of the field's width.
        return DecodedInstruction(kind, a: d, b: src, d: UInt8(position), e: UInt8(width), imm: ones(width))
    }

    // MARK: - Branches, exception generating and system instructions

    static func branchesExceptionsSystem(_ w: UInt32) -> DecodedInstruction {
        switch field(w, 31, 29) {
        case 0b000, 0b100:
            let offset = signExtend(field(w, 25, 0), bits: 26) << 2
            return DecodedInstruction(bit(w, 31) ? .bl : .b, imm: offset)
        case 0b001, 0b101:
            let rt = source(register(w, 0))
            if !bit(w, 25) {
                // Compare and branch (immediate).
                let offset = signExtend(field(w, 23, 5), bits: 19) << 2
                let kind: OpKind = bit(w, 24) ? (bit(w, 31) ? .cbnz64 : .cbnz32) : (bit(w, 31) ? .cbz64 : .cbz32)
                return DecodedInstruction(kind, a: rt, imm: offset)
            }
            // Test and branch (immediate).
            let offset = signExtend(field(w, 18, 5), bits: 14) << 2
            let bitNumber = field(w, 31, 31) << 5 | field(w, 23, 19)
            return DecodedInstruction(bit(w, 24) ? .tbnz : .tbz, a: rt, d: UInt8(bitNumber), imm: offset)
        case 0b010:
            // Conditional branch (immediate); o1 (bit 24) and o0 (bit 4, BC.cond) must be 0.
            if bit(w, 25) || bit(w, 24) || bit(w, 4) { return undefined }
            return DecodedInstruction(.bCond, d: UInt8(field(w, 3, 0)), imm: signExtend(field(w, 23, 5), bits: 19) << 2)
        case 0b110:
            if bit(w, 25) { return branchRegister(w) }
            if !bit(w, 24) { return exceptionGeneration(w) }
            if field(w, 23, 22) == 0 { return system(w) }
            return undefined
        default:
            return undefined
        }
    }

    static func exceptionGeneration(_ w: UInt32) -> DecodedInstruction {
        let imm16 = UInt64(field(w, 20, 5))
        guard field(w, 4, 2) == 0 else { return undefined }
        switch (field(w, 23, 21), field(w, 1, 0)) {
        case (0, 1): return DecodedInstruction(.svc, imm: imm16)
        case (0, 2): return DecodedInstruction(.hvc, imm: imm16)
        case (0, 3): return DecodedInstruction(.smc, imm: imm16)
        case (1, 0): return DecodedInstruction(.brk, imm: imm16)
        case (2, 0): return DecodedInstruction(.hlt, imm: imm16)
        default: return undefined  // DCPS1-3 (debug state only), TSTART and unallocated.
        }
    }

    static func branchRegister(_ w: UInt32) -> DecodedInstruction {
        let rn = register(w, 5)
        guard field(w, 20, 16) == 0b11111, field(w, 15, 10) == 0, field(w, 4, 0) == 0 else {
            return undefined  // includes every pointer-authentication form
        }
        switch field(w, 24, 21) {
        case 0b0000: return DecodedInstruction(.br, b: source(rn))
        case 0b0001: return DecodedInstruction(.blr, b: source(rn))
        case 0b0010: return DecodedInstruction(.ret, b: source(rn))
        case 0b0100: return rn == 31 ? DecodedInstruction(.eret) : undefined
        default: return undefined  // DRPS is undefined outside debug state
        }
    }

    /// A 16-bit system-register encoding: op0, op1, CRn, CRm, op2.
    @inline(__always) public static func systemRegisterEncoding(op0: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32) -> UInt16 {
        UInt16(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2)
    }

    static func system(_ w: UInt32) -> DecodedInstruction {
        let l = bit(w, 21)
        let op0 = field(w, 20, 19)
        let op1 = field(w, 18, 16)
        let crn = field(w, 15, 12)
        let crm = field(w, 11, 8)
        let op2 = field(w, 7, 5)
        let rt = register(w, 0)
        switch op0 {
        case 0:
            guard !l, rt == 31 else { return undefined }
            switch crn {
            case 0b0010 where op1 == 0b011:
                // Hints. Unallocated hints, and those of unimplemented features (PAC, BTI,
                // ESB, CSDB...), execute as NOP.
                switch crm << 3 | op2 {
                case 1: return DecodedInstruction(.yield)
                case 2: return DecodedInstruction(.wfe)
                case 3: return DecodedInstruction(.wfi)
                case 4: return DecodedInstruction(.sev)
                case 5: return DecodedInstruction(.sevl)
                default: return DecodedInstruction(.nop)
                }
            case 0b0011 where op1 == 0b011:
                switch op2 {
                case 0b010: return DecodedInstruction(.clrex)
                case 0b100: return DecodedInstruction(.dsb)
                case 0b101: return DecodedInstruction(.dmb)
                case 0b110: return DecodedInstruction(.isb)
                default: return undefined  // SB, DSB nXS, TCOMMIT: not implemented
                }
            case 0b0100:
                // MSR (immediate): the PSTATE field is checked when it executes.
                return DecodedInstruction(.msrImmediate, d: UInt8(op1 << 3 | op2), e: UInt8(crm))
            default:
                return undefined
            }
        case 1:
            guard !l else { return undefined }  // no SYSL instruction is implemented
            return DecodedInstruction(.sys, a: source(rt),
                                      imm: UInt64(systemRegisterEncoding(op0: 1, op1: op1, crn: crn, crm: crm, op2: op2)))
        default:
            let encoding = UInt64(systemRegisterEncoding(op0: op0, op1: op1, crn: crn, crm: crm, op2: op2))
            return l ? DecodedInstruction(.mrs, a: destination(rt), imm: encoding)
                : DecodedInstruction(.msr, a: source(rt), imm: encoding)
        }
    }

    // MARK: - Data processing (register)

    static func dataProcessingRegister(_ w: UInt32, _ features: CPUFeatures) -> DecodedInstruction {
        let sf = bit(w, 31)
        let rd = register(w, 0)
        let rn = register(w, 5)
        let rm = register(w, 16)
        if !bit(w, 28) {
            if !bit(w, 24) { return logicalShifted(w, sf: sf, rd: rd, rn: rn, rm: rm) }
            return bit(w, 21) ? addSubtractExtended(w, sf: sf, rd: rd, rn: rn, rm: rm)
                : addSubtractShifted(w, sf: sf, rd: rd, rn: rn, rm: rm)
        }
        let op2 = field(w, 24, 21)
        switch op2 {
        case 0b0000:
            // Add/subtract with carry (RMIF and SETF8/16 share this space: not implemented).
            guard field(w, 15, 10) == 0 else { return undefined }
            let kinds: [OpKind] = bit(w, 30)
                ? (bit(w, 29) ? [.sbcs32, .sbcs64] : [.sbc32, .sbc64])
                : (bit(w, 29) ? [.adcs32, .adcs64] : [.adc32, .adc64])
            return DecodedInstruction(kinds[sf ? 1 : 0], a: destination(rd), b: source(rn), c: source(rm))
        case 0b0010:
            // Conditional compare (register or immediate).
            guard bit(w, 29), !bit(w, 10), !bit(w, 4) else { return undefined }
            let immediate = bit(w, 11)
            let compare = bit(w, 30)
            let kind: OpKind
            switch (compare, immediate, sf) {
            case (false, false, true): kind = .ccmnReg64
            case (false, false, false): kind = .ccmnReg32
            case (false, true, true): kind = .ccmnImm64
            case (false, true, false): kind = .ccmnImm32
            case (true, false, true): kind = .ccmpReg64
            case (true, false, false): kind = .ccmpReg32
            case (true, true, true): kind = .ccmpImm64
            case (true, true, false): kind = .ccmpImm32
            }
            return DecodedInstruction(kind, b: source(rn), c: immediate ? 0 : source(rm),
                                      d: UInt8(field(w, 15, 12)), e: UInt8(field(w, 3, 0)), imm: UInt64(rm))
        case 0b0100:
            // Conditional select.
            guard !bit(w, 29), !bit(w, 11) else { return undefined }
            let kind: OpKind
            switch (bit(w, 30), bit(w, 10), sf) {
            case (false, false, true): kind = .csel64
            case (false, false, false): kind = .csel32
            case (false, true, true): kind = .csinc64
            case (false, true, false): kind = .csinc32
            case (true, false, true): kind = .csinv64
            case (true, false, false): kind = .csinv32
            case (true, true, true): kind = .csneg64
            case (true, true, false): kind = .csneg32
            }
            return DecodedInstruction(kind, a: destination(rd), b: source(rn), c: source(rm), d: UInt8(field(w, 15, 12)))
        case 0b0110:
            return bit(w, 30) ? dataProcessing1Source(w, sf: sf, rd: rd, rn: rn)
                : dataProcessing2Source(w, features, sf: sf, rd: rd, rn: rn, rm: rm)
        case 0b1000...0b1111:
            return dataProcessing3Source(w, sf: sf, rd: rd, rn: rn, rm: rm)
        default:
            return undefined
        }
    }

    static func logicalShifted(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8, rm: UInt8) -> DecodedInstruction {
        let amount = field(w, 15, 10)
        if !sf && amount >= 32 { return undefined }
        let shift = UInt8(field(w, 23, 22))
        let n = bit(w, 21)
        let kind: OpKind
        switch (field(w, 30, 29), n, sf) {
        case (0, false, true): kind = .andReg64
        case (0, false, false): kind = .andReg32
        case (0, true, true): kind = .bicReg64
        case (0, true, false): kind = .bicReg32
        case (1, false, true): kind = .orrReg64
        case (1, false, false): kind = .orrReg32
        case (1, true, true): kind = .ornReg64
        case (1, true, false): kind = .ornReg32
        case (2, false, true): kind = .eorReg64
        case (2, false, false): kind = .eorReg32
        case (2, true, true): kind = .eonReg64
        case (2, true, false): kind = .eonReg32
        case (_, false, true): kind = .andsReg64
        case (_, false, false): kind = .andsReg32
        case (_, true, true): kind = .bicsReg64
        default: kind = .bicsReg32
        }
        if (kind == .orrReg64 || kind == .orrReg32), rn == 31, amount == 0 {
            // MOV (register): the form compilers emit for every register copy.
            return DecodedInstruction(sf ? .movReg64 : .movReg32, a: destination(rd), b: source(rm))
        }
        return DecodedInstruction(kind, a: destination(rd), b: source(rn), c: source(rm), d: UInt8(amount), e: shift)
    }

    static func addSubtractShifted(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8, rm: UInt8) -> DecodedInstruction {
        let shift = field(w, 23, 22)
        let amount = field(w, 15, 10)
        if shift == 3 || (!sf && amount >= 32) { return undefined }
        let kinds: [OpKind] = bit(w, 30)
            ? (bit(w, 29) ? [.subsReg32, .subsReg64] : [.subReg32, .subReg64])
            : (bit(w, 29) ? [.addsReg32, .addsReg64] : [.addReg32, .addReg64])
        return DecodedInstruction(kinds[sf ? 1 : 0], a: destination(rd), b: source(rn), c: source(rm),
                                  d: UInt8(amount), e: UInt8(shift))
    }

    static func addSubtractExtended(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8, rm: UInt8) -> DecodedInstruction {
        let amount = field(w, 12, 10)
        if field(w, 23, 22) != 0 || amount > 4 { return undefined }
        let setFlags = bit(w, 29)
        let kinds: [OpKind] = bit(w, 30)
            ? (setFlags ? [.subsExt32, .subsExt64] : [.subExt32, .subExt64])
            : (setFlags ? [.addsExt32, .addsExt64] : [.addExt32, .addExt64])
        return DecodedInstruction(kinds[sf ? 1 : 0], a: setFlags ? destination(rd) : rd, b: rn, c: source(rm),
                                  d: UInt8(amount), e: UInt8(field(w, 15, 13)))
    }

    static func dataProcessing1Source(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8) -> DecodedInstruction {
        guard !bit(w, 29), field(w, 20, 16) == 0 else { return undefined }
        let kind: OpKind
        switch (field(w, 15, 10), sf) {
        case (0, true): kind = .rbit64
        case (0, false): kind = .rbit32
        case (1, true): kind = .rev16_64
        case (1, false): kind = .rev16_32
        case (2, true): kind = .rev32_64
        case (2, false): kind = .rev32
        case (3, true): kind = .rev64
        case (4, true): kind = .clz64
        case (4, false): kind = .clz32
        case (5, true): kind = .cls64
        case (5, false): kind = .cls32
        default: return undefined
        }
        return DecodedInstruction(kind, a: destination(rd), b: source(rn))
    }

    static func dataProcessing2Source(_ w: UInt32, _ features: CPUFeatures, sf: Bool, rd: UInt8, rn: UInt8, rm: UInt8) -> DecodedInstruction {
        guard !bit(w, 29) else { return undefined }
        let opcode = field(w, 15, 10)
        let kind: OpKind
        switch (opcode, sf) {
        case (2, true): kind = .udiv64
        case (2, false): kind = .udiv32
        case (3, true): kind = .sdiv64
        case (3, false): kind = .sdiv32
        case (8, true): kind = .lslv64
        case (8, false): kind = .lslv32
        case (9, true): kind = .lsrv64
        case (9, false): kind = .lsrv32
        case (10, true): kind = .asrv64
        case (10, false): kind = .asrv32
        case (11, true): kind = .rorv64
        case (11, false): kind = .rorv32
        case (16, false): kind = .crc32b
        case (17, false): kind = .crc32h
        case (18, false): kind = .crc32w
        case (19, true): kind = .crc32x
        case (20, false): kind = .crc32cb
        case (21, false): kind = .crc32ch
        case (22, false): kind = .crc32cw
        case (23, true): kind = .crc32cx
        default: return undefined
        }
        if opcode >= 16, !features.crc32 { return undefined }
        return DecodedInstruction(kind, a: destination(rd), b: source(rn), c: source(rm))
    }

    static func dataProcessing3Source(_ w: UInt32, sf: Bool, rd: UInt8, rn: UInt8, rm: UInt8) -> DecodedInstruction {
        guard field(w, 30, 29) == 0 else { return undefined }
        let ra = source(register(w, 10))
        let kind: OpKind
        switch (field(w, 23, 21), bit(w, 15), sf) {
        case (0, false, true): kind = .madd64
        case (0, false, false): kind = .madd32
        case (0, true, true): kind = .msub64
        case (0, true, false): kind = .msub32
        case (1, false, true): kind = .smaddl
        case (1, true, true): kind = .smsubl
        case (2, false, true): kind = .smulh
        case (5, false, true): kind = .umaddl
        case (5, true, true): kind = .umsubl
        case (6, false, true): kind = .umulh
        default: return undefined
        }
        return DecodedInstruction(kind, a: destination(rd), b: source(rn), c: source(rm), d: ra)
    }

    // MARK: - Loads and stores

    static func loadsAndStores(_ w: UInt32, _ features: CPUFeatures) -> DecodedInstruction {
        // Bit 26 (V) selects FP/SIMD registers: not implemented.
        guard !bit(w, 26) else { return undefined }
        switch field(w, 29, 27) {
        case 0b001:
            return bit(w, 24) ? undefined : exclusiveAndOrdered(w, features)
        case 0b011:
            guard field(w, 25, 24) == 0 else { return undefined }  // LDAPR/STLUR (RCpc) not implemented
            let rt = destination(register(w, 0))
            let offset = signExtend(field(w, 23, 5), bits: 19) << 2
            switch field(w, 31, 30) {
            case 0: return DecodedInstruction(.ldrLiteral32, a: rt, imm: offset)
            case 1: return DecodedInstruction(.ldrLiteral64, a: rt, imm: offset)
            case 2: return DecodedInstruction(.ldrswLiteral, a: rt, imm: offset)
            default: return DecodedInstruction(.prfmLiteral, imm: offset)
            }
        case 0b101:
            return pair(w)
        default:
            if field(w, 25, 24) == 0b01 { return unsignedImmediate(w) }
            if field(w, 25, 24) != 0 { return undefined }
            if !bit(w, 21) { return immediateForms(w) }
            switch field(w, 11, 10) {
            case 0b10: return registerOffset(w)
            case 0b00: return features.lse ? atomic(w) : undefined
            default: return undefined  // LDRAA/LDRAB: pointer authentication
            }
        }
    }

    /// What a (size, opc) pair of a single-register load or store does.
    enum Transfer {
        case store(OpKind, OpKind)  // (generic kind, [Xn, #imm] kind)
        case load(OpKind, OpKind)
        case prefetch
    }

    static func transfer(size: UInt32, opc: UInt32) -> Transfer? {
        switch (size, opc) {
        case (0, 0): return .store(.strb, .strbImm)
        case (1, 0): return .store(.strh, .strhImm)
        case (2, 0): return .store(.strw, .strwImm)
        case (3, 0): return .store(.strx, .strxImm)
        case (0, 1): return .load(.ldrb, .ldrbImm)
        case (1, 1): return .load(.ldrh, .ldrhImm)
        case (2, 1): return .load(.ldrw, .ldrwImm)
        case (3, 1): return .load(.ldrx, .ldrxImm)
        case (0, 2): return .load(.ldrsbx, .ldrsbxImm)
        case (1, 2): return .load(.ldrshx, .ldrshxImm)
        case (2, 2): return .load(.ldrsw, .ldrswImm)
        case (3, 2): return .prefetch
        case (0, 3): return .load(.ldrsbw, .ldrsbwImm)
        case (1, 3): return .load(.ldrshw, .ldrshwImm)
        default: return nil
        }
    }

    /// LDR/STR (unsigned immediate): [Xn|SP, #imm12 << size].
    static func unsignedImmediate(_ w: UInt32) -> DecodedInstruction {
        let size = field(w, 31, 30)
        let offset = UInt64(field(w, 21, 10)) << UInt64(size)
        let rn = register(w, 5)
        let rt = register(w, 0)
        switch transfer(size: size, opc: field(w, 23, 22)) {
        case .store(_, let fast)?: return DecodedInstruction(fast, a: source(rt), b: rn, imm: offset)
        case .load(_, let fast)?: return DecodedInstruction(fast, a: destination(rt), b: rn, imm: offset)
        case .prefetch?: return DecodedInstruction(.prfm, b: rn, e: AddressingMode.offset.rawValue, imm: offset)
        case nil: return undefined
        }
    }

    /// LDUR/STUR, post-index, LDTR/STTR, pre-index: [Xn|SP, #simm9].
    static func immediateForms(_ w: UInt32) -> DecodedInstruction {
        let size = field(w, 31, 30)
        let offset = signExtend(field(w, 20, 12), bits: 9)
        let rn = register(w, 5)
        let rt = register(w, 0)
        let mode: AddressingMode
        switch field(w, 11, 10) {
        case 0b00: mode = .offset
        case 0b01: mode = .postIndex
        case 0b10: mode = .unprivileged
        default: mode = .preIndex
        }
        switch transfer(size: size, opc: field(w, 23, 22)) {
        case .store(let generic, let fast)?:
            if mode == .offset { return DecodedInstruction(fast, a: source(rt), b: rn, imm: offset) }
            return DecodedInstruction(generic, a: source(rt), b: rn, e: mode.rawValue, imm: offset)
        case .load(let generic, let fast)?:
            if mode == .offset { return DecodedInstruction(fast, a: destination(rt), b: rn, imm: offset) }
            return DecodedInstruction(generic, a: destination(rt), b: rn, e: mode.rawValue, imm: offset)
        case .prefetch?:
            // PRFUM only; prefetch has no pre/post-index or unprivileged form.
            return mode == .offset ? DecodedInstruction(.prfm, b: rn, e: mode.rawValue, imm: offset) : undefined
        case nil:
            return undefined
        }
    }

    /// LDR/STR (register): [Xn|SP, Rm{, extend {#amount}}].
    static func registerOffset(_ w: UInt32) -> DecodedInstruction {
        let size = field(w, 31, 30)
        let option = field(w, 15, 13)
        guard option & 0b010 != 0 else { return undefined }  // only UXTW, LSL/UXTX, SXTW, SXTX
        let amount = bit(w, 12) ? UInt8(size) : 0
        let rn = register(w, 5)
        let rm = source(register(w, 16))
        let rt = register(w, 0)
        let mode = AddressingMode.register.rawValue
        switch transfer(size: size, opc: field(w, 23, 22)) {
        case .store(let generic, _)?:
            return DecodedInstruction(generic, a: source(rt), b: rn, c: rm, d: amount, e: mode, f: UInt8(option))
        case .load(let generic, _)?:
            return DecodedInstruction(generic, a: destination(rt), b: rn, c: rm, d: amount, e: mode, f: UInt8(option))
        case .prefetch?:
            return DecodedInstruction(.prfm, b: rn, c: rm, d: amount, e: mode, f: UInt8(option))
        case nil:
            return undefined
        }
    }

    /// LDP/STP/LDNP/STNP/LDPSW.
    static func pair(_ w: UInt32) -> DecodedInstruction {
        let opc = field(w, 31, 30)
        let load = bit(w, 22)
        let mode: AddressingMode
        switch field(w, 25, 23) {
        case 0b000, 0b010: mode = .offset  // 000 is the non-temporal LDNP/STNP
        case 0b001: mode = .postIndex
        case 0b011: mode = .preIndex
        default: return undefined
        }
        let kind: OpKind
        let scale: UInt64
        switch (opc, load) {
        case (0, false): (kind, scale) = (.stp32, 2)
        case (0, true): (kind, scale) = (.ldp32, 2)
        case (1, true) where field(w, 25, 23) != 0: (kind, scale) = (.ldpsw, 2)
        case (2, false): (kind, scale) = (.stp64, 3)
        case (2, true): (kind, scale) = (.ldp64, 3)
        default: return undefined  // STGP (MTE), LDNP with opc 01, opc 11
        }
        let offset = signExtend(field(w, 21, 15), bits: 7) << scale
        let rt = register(w, 0)
        let rt2 = register(w, 10)
        return DecodedInstruction(kind, a: load ? destination(rt) : source(rt), b: register(w, 5),
                                  c: load ? destination(rt2) : source(rt2), e: mode.rawValue, imm: offset)
    }

    /// Load/store exclusive, load-acquire/store-release, and the LSE compare-and-swap forms.
    static func exclusiveAndOrdered(_ w: UInt32, _ features: CPUFeatures) -> DecodedInstruction {
        let size = UInt8(field(w, 31, 30))
        let o2 = bit(w, 23)
        let load = bit(w, 22)
        let o1 = bit(w, 21)
        let o0 = bit(w, 15)
        let rs = register(w, 16)
        let rt = register(w, 0)
        let rt2 = register(w, 10)
        let rn = register(w, 5)
        switch (o2, o1) {
        case (false, false):
            if load {
                return DecodedInstruction(o0 ? .ldaxr : .ldxr, a: destination(rt), b: rn, d: size)
            }
            return DecodedInstruction(o0 ? .stlxr : .stxr, a: source(rt), b: rn, c: destination(rs), d: size)
        case (false, true):
            if size >= 2 {
                let width = size  // size 10: a pair of 32-bit registers; 11: of 64-bit registers
                if load {
                    return DecodedInstruction(o0 ? .ldaxp : .ldxp, a: destination(rt), b: rn, c: destination(rt2), d: width)
                }
                return DecodedInstruction(o0 ? .stlxp : .stxp, a: source(rt), b: rn, c: source(rt2), d: width,
                                          f: destination(rs))
            }
            // CASP: consecutive even/odd register pairs.
            guard features.lse, rt2 == 31, rs % 2 == 0, rt % 2 == 0 else { return undefined }
            return DecodedInstruction(.casp, a: rt, b: rn, c: rs, d: size + 2, e: orderingFlags(acquire: load, release: o0))
        case (true, false):
            guard o0 else { return undefined }  // LDLAR/STLLR (LORegions) not implemented
            return load ? DecodedInstruction(.ldar, a: destination(rt), b: rn, d: size)
                : DecodedInstruction(.stlr, a: source(rt), b: rn, d: size)
        case (true, true):
            guard features.lse, rt2 == 31 else { return undefined }
            return DecodedInstruction(.cas, a: rt, b: rn, c: rs, d: size, e: orderingFlags(acquire: load, release: o0))
        }
    }

    /// LD<op>, SWP (ARMv8.1 LSE).
    static func atomic(_ w: UInt32) -> DecodedInstruction {
        let size = UInt8(field(w, 31, 30))
        let ordering = orderingFlags(acquire: bit(w, 23), release: bit(w, 22))
        let rs = source(register(w, 16))
        let rt = destination(register(w, 0))
        let rn = register(w, 5)
        let kind: OpKind
        switch (bit(w, 15), field(w, 14, 12)) {
        case (false, 0): kind = .atomicAdd
        case (false, 1): kind = .atomicClear
        case (false, 2): kind = .atomicEor
        case (false, 3): kind = .atomicSet
        case (false, 4): kind = .atomicSmax
        case (false, 5): kind = .atomicSmin
        case (false, 6): kind = .atomicUmax
        case (false, 7): kind = .atomicUmin
        case (true, 0): kind = .swp
        default: return undefined  // LDAPR (RCpc) and unallocated
        }
        return DecodedInstruction(kind, a: rt, b: rn, c: rs, d: size, e: ordering)
    }

    static func orderingFlags(acquire: Bool, release: Bool) -> UInt8 { (acquire ? 1 : 0) | (release ? 2 : 0) }
}
