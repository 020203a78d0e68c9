/// Data Processing -- Immediate (DDI0487 C4.1.86): PC-relative addressing, add/subtract,
/// logical, move wide, bitfield and extract, with immediates.
extension A64Lowering {
    // MARK: PC-rel. addressing

    func ADR(_ i: A64.ADR) -> DecodedInstruction {
        DecodedInstruction(.adr, a: Self.destination(i.Rd), imm: Self.signExtend(i.immhi << 2 | i.immlo, bits: 21))
    }

    func ADRP(_ i: A64.ADRP) -> DecodedInstruction {
        DecodedInstruction(.adrp, a: Self.destination(i.Rd), imm: Self.signExtend(i.immhi << 2 | i.immlo, bits: 21) << 12)
    }

    // MARK: Add/subtract (immediate): Rn is SP-capable, and so is Rd unless the flags are set.

    func ADD_imm(_ i: A64.ADD_imm) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .addImm64, .addImm32), a: Self.spOrRegister(i.Rd), b: Self.spOrRegister(i.Rn),
                           imm: UInt64(i.imm12) << (i.sh == 1 ? 12 : 0))
    }

    func ADDS_imm(_ i: A64.ADDS_imm) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .addsImm64, .addsImm32), a: Self.destination(i.Rd), b: Self.spOrRegister(i.Rn),
                           imm: UInt64(i.imm12) << (i.sh == 1 ? 12 : 0))
    }

    func SUB_imm(_ i: A64.SUB_imm) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .subImm64, .subImm32), a: Self.spOrRegister(i.Rd), b: Self.spOrRegister(i.Rn),
                           imm: UInt64(i.imm12) << (i.sh == 1 ? 12 : 0))
    }

    func SUBS_imm(_ i: A64.SUBS_imm) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .subsImm64, .subsImm32), a: Self.destination(i.Rd), b: Self.spOrRegister(i.Rn),
                           imm: UInt64(i.imm12) << (i.sh == 1 ? 12 : 0))
    }

    // MARK: Logical (immediate): N = 1 is reserved for 32 bits, as are masks DecodeBitMasks refuses.

    func logicalImmediate(_ kind: OpKind, sf: UInt32, n: UInt32, immr: UInt32, imms: UInt32, rn: UInt32, rd: UInt32, setsFlags: Bool) -> DecodedInstruction {
        if sf == 0 && n == 1 { return undefined }
        guard let mask = Self.logicalImmediate(n: n, imms: imms, immr: immr, dataSize: sf == 1 ? 64 : 32) else { return undefined }
        return DecodedInstruction(kind, a: setsFlags ? Self.destination(rd) : Self.spOrRegister(rd), b: Self.source(rn), imm: mask)
    }

    func AND_imm(_ i: A64.AND_imm) -> DecodedInstruction {
        logicalImmediate(.andImm, sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd, setsFlags: false)
    }

    func ORR_imm(_ i: A64.ORR_imm) -> DecodedInstruction {
        logicalImmediate(Self.width(i.sf, .orrImm64, .orrImm32), sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd, setsFlags: false)
    }

    func EOR_imm(_ i: A64.EOR_imm) -> DecodedInstruction {
        logicalImmediate(Self.width(i.sf, .eorImm64, .eorImm32), sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd, setsFlags: false)
    }

    func ANDS_imm(_ i: A64.ANDS_imm) -> DecodedInstruction {
        logicalImmediate(Self.width(i.sf, .andsImm64, .andsImm32), sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd, setsFlags: true)
    }

    // MARK: Move wide (immediate): hw 1x is reserved for 32 bits.

    func MOVN(_ i: A64.MOVN) -> DecodedInstruction {
        if i.sf == 0 && i.hw >= 2 { return undefined }
        let value = UInt64(i.imm16) << UInt64(i.hw * 16)
        return DecodedInstruction(.movImm, a: Self.destination(i.Rd), imm: i.sf == 1 ? ~value : ~value & 0xFFFF_FFFF)
    }

    func MOVZ(_ i: A64.MOVZ) -> DecodedInstruction {
        if i.sf == 0 && i.hw >= 2 { return undefined }
        return DecodedInstruction(.movImm, a: Self.destination(i.Rd), imm: UInt64(i.imm16) << UInt64(i.hw * 16))
    }

    func MOVK(_ i: A64.MOVK) -> DecodedInstruction {
        if i.sf == 0 && i.hw >= 2 { return undefined }
        let shift = UInt64(i.hw * 16)
        return DecodedInstruction(Self.width(i.sf, .movk64, .movk32), a: Self.destination(i.Rd), d: UInt8(shift),
                                  imm: UInt64(i.imm16) << shift)
    }

    // MARK: Bitfield: SBFM, BFM, UBFM as their extract (imms >= immr) or insert forms.

    func bitfield(opc: UInt32, sf: UInt32, n: UInt32, immr: UInt32, imms: UInt32, rn: UInt32, rd: UInt32) -> DecodedInstruction {
        let r = Int(immr)
        let s = Int(imms)
        if n != sf || (sf == 0 && (r >= 32 || s >= 32)) { return undefined }
        let size = sf == 1 ? 64 : 32
        let extract = s >= r
        let width = extract ? s - r + 1 : s + 1
        let position = extract ? r : size - r
        let kind: OpKind
        switch (opc, extract, sf == 1) {
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
        return DecodedInstruction(kind, a: Self.destination(rd), b: Self.source(rn), d: UInt8(position), e: UInt8(width),
                                  imm: Self.ones(width))
    }

    func SBFM(_ i: A64.SBFM) -> DecodedInstruction { bitfield(opc: 0, sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd) }
    func BFM(_ i: A64.BFM) -> DecodedInstruction { bitfield(opc: 1, sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd) }
    func UBFM(_ i: A64.UBFM) -> DecodedInstruction { bitfield(opc: 2, sf: i.sf, n: i.N, immr: i.immr, imms: i.imms, rn: i.Rn, rd: i.Rd) }

    // MARK: Extract: N must equal sf, and a 32-bit lsb is below 32.

    func EXTR(_ i: A64.EXTR) -> DecodedInstruction {
        if i.N != i.sf || (i.sf == 0 && i.imms >= 32) { return undefined }
        return DecodedInstruction(Self.width(i.sf, .extr64, .extr32), a: Self.destination(i.Rd), b: Self.source(i.Rn),
                                  c: Self.source(i.Rm), d: UInt8(i.imms))
    }

    // MARK: Reserved

    func UDF(_ i: A64.UDF) -> DecodedInstruction { undefined }
}

// MARK: - Execution (the instruction pages of C6.2): `a` is Rd, `b` Rn, `imm` the expanded immediate.

extension Interpreter {
    @_transparent func adr(_ op: DecodedInstruction, at pc: UInt64) { w(op.a, pc &+ op.imm) }
    @_transparent func adrp(_ op: DecodedInstruction, at pc: UInt64) { w(op.a, (pc & ~0xFFF) &+ op.imm) }

    @_transparent func addImm64(_ op: DecodedInstruction) { w(op.a, r(op.b) &+ op.imm) }
    @_transparent func addImm32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &+ op.imm) & 0xFFFF_FFFF) }
    @_transparent func subImm64(_ op: DecodedInstruction) { w(op.a, r(op.b) &- op.imm) }
    @_transparent func subImm32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &- op.imm) & 0xFFFF_FFFF) }

    @_transparent func addsImm64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), op.imm, carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func addsImm32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), op.imm, carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsImm64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ~op.imm, carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsImm32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ~op.imm, carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func andImm(_ op: DecodedInstruction) { w(op.a, r(op.b) & op.imm) }
    @_transparent func orrImm64(_ op: DecodedInstruction) { w(op.a, r(op.b) | op.imm) }
    @_transparent func orrImm32(_ op: DecodedInstruction) { w(op.a, (r(op.b) | op.imm) & 0xFFFF_FFFF) }
    @_transparent func eorImm64(_ op: DecodedInstruction) { w(op.a, r(op.b) ^ op.imm) }
    @_transparent func eorImm32(_ op: DecodedInstruction) { w(op.a, (r(op.b) ^ op.imm) & 0xFFFF_FFFF) }

    @_transparent func andsImm64(_ op: DecodedInstruction) {
        let result = r(op.b) & op.imm
        w(op.a, result)
        nzcv = ALU.logicFlags64(result)
    }

    @_transparent func andsImm32(_ op: DecodedInstruction) {
        let result = r(op.b) & op.imm
        w(op.a, result)
        nzcv = ALU.logicFlags32(result)
    }

    // Move wide: `d` is the shift of MOVK's 16 bits.
    @_transparent func movImm(_ op: DecodedInstruction) { w(op.a, op.imm) }
    @_transparent func movk64(_ op: DecodedInstruction) { w(op.a, (r(op.a) & ~(0xFFFF << UInt64(op.d))) | op.imm) }
    @_transparent func movk32(_ op: DecodedInstruction) { w(op.a, ((r(op.a) & ~(0xFFFF << UInt64(op.d))) | op.imm) & 0xFFFF_FFFF) }

    // Bitfield: `d` is the field's position, `e` its width, `imm` the mask of its width.
    @_transparent func ubfx64(_ op: DecodedInstruction) { w(op.a, (r(op.b) >> UInt64(op.d)) & op.imm) }
    @_transparent func ubfx32(_ op: DecodedInstruction) { w(op.a, ((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d)) & op.imm) }
    @_transparent func ubfiz64(_ op: DecodedInstruction) { w(op.a, (r(op.b) & op.imm) << UInt64(op.d)) }
    @_transparent func ubfiz32(_ op: DecodedInstruction) { w(op.a, ((r(op.b) & op.imm) << UInt64(op.d)) & 0xFFFF_FFFF) }
    @_transparent func sbfx64(_ op: DecodedInstruction) { w(op.a, ALU.signExtend(r(op.b) >> UInt64(op.d), width: op.e)) }

    @_transparent func sbfx32(_ op: DecodedInstruction) {
        w(op.a, ALU.signExtend((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d), width: op.e) & 0xFFFF_FFFF)
    }

    @_transparent func sbfiz64(_ op: DecodedInstruction) { w(op.a, ALU.signExtend(r(op.b) & op.imm, width: op.e) << UInt64(op.d)) }

    @_transparent func sbfiz32(_ op: DecodedInstruction) {
        w(op.a, (ALU.signExtend(r(op.b) & op.imm, width: op.e) << UInt64(op.d)) & 0xFFFF_FFFF)
    }

    @_transparent func bfxil64(_ op: DecodedInstruction) { w(op.a, (r(op.a) & ~op.imm) | ((r(op.b) >> UInt64(op.d)) & op.imm)) }

    @_transparent func bfxil32(_ op: DecodedInstruction) {
        w(op.a, ((r(op.a) & ~op.imm) | (((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d)) & op.imm)) & 0xFFFF_FFFF)
    }

    @_transparent func bfi64(_ op: DecodedInstruction) {
        w(op.a, (r(op.a) & ~(op.imm << UInt64(op.d))) | ((r(op.b) & op.imm) << UInt64(op.d)))
    }

    @_transparent func bfi32(_ op: DecodedInstruction) {
        w(op.a, ((r(op.a) & ~(op.imm << UInt64(op.d))) | ((r(op.b) & op.imm) << UInt64(op.d))) & 0xFFFF_FFFF)
    }

    // Extract: `c` is Rm, `d` the lsb.
    @_transparent func extr64(_ op: DecodedInstruction) {
        let lsb = UInt64(op.d)
        w(op.a, lsb == 0 ? r(op.c) : (r(op.c) >> lsb) | (r(op.b) << (64 - lsb)))
    }

    @_transparent func extr32(_ op: DecodedInstruction) {
        let lsb = UInt32(op.d)
        let low = UInt32(truncatingIfNeeded: r(op.c))
        let high = UInt32(truncatingIfNeeded: r(op.b))
        w(op.a, UInt64(lsb == 0 ? low : (low >> lsb) | (high << (32 - lsb))))
    }
}
