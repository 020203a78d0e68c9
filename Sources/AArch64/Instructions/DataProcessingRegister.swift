/// Data Processing -- Register (DDI0487 C4.1.89): logical and add/subtract with shifted or
/// extended registers, with carry, conditional compare and select, and the 1-, 2- and 3-source
/// operations.
extension A64Lowering {
    // MARK: Logical (shifted register): a 32-bit shift amount is below 32.

    func logicalShifted(_ word: UInt32, _ x: OpKind, _ w: OpKind) -> DecodedInstruction {
        let sf = word >> 31
        let amount = (word >> 10) & 0x3F
        if sf == 0 && amount >= 32 { return undefined }
        let rd = word & 31, rn = (word >> 5) & 31, rm = (word >> 16) & 31
        return DecodedInstruction(Self.width(sf, x, w), a: Self.destination(rd), b: Self.source(rn), c: Self.source(rm),
                                  d: UInt8(amount), e: UInt8((word >> 22) & 3))
    }

    func AND_reg(_ i: A64.AND_reg) -> DecodedInstruction { logicalShifted(i.word, .andReg64, .andReg32) }
    func BIC_reg(_ i: A64.BIC_reg) -> DecodedInstruction { logicalShifted(i.word, .bicReg64, .bicReg32) }

    func ORR_reg(_ i: A64.ORR_reg) -> DecodedInstruction {
        if i.Rn == 31 && i.imm6 == 0 {
            // MOV (register): the form compilers emit for every register copy.
            return DecodedInstruction(Self.width(i.sf, .movReg64, .movReg32), a: Self.destination(i.Rd), b: Self.source(i.Rm))
        }
        return logicalShifted(i.word, .orrReg64, .orrReg32)
    }

    func ORN_reg(_ i: A64.ORN_reg) -> DecodedInstruction { logicalShifted(i.word, .ornReg64, .ornReg32) }
    func EOR_reg(_ i: A64.EOR_reg) -> DecodedInstruction { logicalShifted(i.word, .eorReg64, .eorReg32) }
    func EON_reg(_ i: A64.EON_reg) -> DecodedInstruction { logicalShifted(i.word, .eonReg64, .eonReg32) }
    func ANDS_reg(_ i: A64.ANDS_reg) -> DecodedInstruction { logicalShifted(i.word, .andsReg64, .andsReg32) }
    func BICS_reg(_ i: A64.BICS_reg) -> DecodedInstruction { logicalShifted(i.word, .bicsReg64, .bicsReg32) }

    // MARK: Add/subtract (shifted register): ROR (shift 11) is reserved.

    func addSubtractShifted(_ word: UInt32, _ x: OpKind, _ w: OpKind) -> DecodedInstruction {
        let sf = word >> 31
        let shift = (word >> 22) & 3
        let amount = (word >> 10) & 0x3F
        if shift == 3 || (sf == 0 && amount >= 32) { return undefined }
        return DecodedInstruction(Self.width(sf, x, w), a: Self.destination(word & 31), b: Self.source((word >> 5) & 31),
                                  c: Self.source((word >> 16) & 31), d: UInt8(amount), e: UInt8(shift))
    }

    func ADD_sreg(_ i: A64.ADD_sreg) -> DecodedInstruction { addSubtractShifted(i.word, .addReg64, .addReg32) }
    func ADDS_sreg(_ i: A64.ADDS_sreg) -> DecodedInstruction { addSubtractShifted(i.word, .addsReg64, .addsReg32) }
    func SUB_sreg(_ i: A64.SUB_sreg) -> DecodedInstruction { addSubtractShifted(i.word, .subReg64, .subReg32) }
    func SUBS_sreg(_ i: A64.SUBS_sreg) -> DecodedInstruction { addSubtractShifted(i.word, .subsReg64, .subsReg32) }

    // MARK: Add/subtract (extended register): opt must be 00 and the shift at most 4; Rn is
    // SP-capable, and so is Rd unless the flags are set.

    func addSubtractExtended(_ word: UInt32, _ x: OpKind, _ w: OpKind, setsFlags: Bool) -> DecodedInstruction {
        let amount = (word >> 10) & 7
        if (word >> 22) & 3 != 0 || amount > 4 { return undefined }
        let rd = word & 31
        return DecodedInstruction(Self.width(word >> 31, x, w), a: setsFlags ? Self.destination(rd) : Self.spOrRegister(rd),
                                  b: Self.spOrRegister((word >> 5) & 31), c: Self.source((word >> 16) & 31),
                                  d: UInt8(amount), e: UInt8((word >> 13) & 7))
    }

    func ADD_ereg(_ i: A64.ADD_ereg) -> DecodedInstruction { addSubtractExtended(i.word, .addExt64, .addExt32, setsFlags: false) }
    func ADDS_ereg(_ i: A64.ADDS_ereg) -> DecodedInstruction { addSubtractExtended(i.word, .addsExt64, .addsExt32, setsFlags: true) }
    func SUB_ereg(_ i: A64.SUB_ereg) -> DecodedInstruction { addSubtractExtended(i.word, .subExt64, .subExt32, setsFlags: false) }
    func SUBS_ereg(_ i: A64.SUBS_ereg) -> DecodedInstruction { addSubtractExtended(i.word, .subsExt64, .subsExt32, setsFlags: true) }

    // MARK: Three registers: with carry, 2-source, 3-source.

    func threeRegisters(_ word: UInt32, _ kind: OpKind, ra: UInt8 = 0) -> DecodedInstruction {
        DecodedInstruction(kind, a: Self.destination(word & 31), b: Self.source((word >> 5) & 31), c: Self.source((word >> 16) & 31), d: ra)
    }

    func ADC(_ i: A64.ADC) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .adc64, .adc32)) }
    func ADCS(_ i: A64.ADCS) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .adcs64, .adcs32)) }
    func SBC(_ i: A64.SBC) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .sbc64, .sbc32)) }
    func SBCS(_ i: A64.SBCS) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .sbcs64, .sbcs32)) }

    func UDIV(_ i: A64.UDIV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .udiv64, .udiv32)) }
    func SDIV(_ i: A64.SDIV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .sdiv64, .sdiv32)) }
    func LSLV(_ i: A64.LSLV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .lslv64, .lslv32)) }
    func LSRV(_ i: A64.LSRV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .lsrv64, .lsrv32)) }
    func ASRV(_ i: A64.ASRV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .asrv64, .asrv32)) }
    func RORV(_ i: A64.RORV) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .rorv64, .rorv32)) }

    /// CRC32X/CRC32CX (sz 11) take an X register; the others W registers (sf must match).
    func crc(_ word: UInt32, sf: UInt32, sz: UInt32, _ kinds: [OpKind]) -> DecodedInstruction {
        guard (sz == 3) == (sf == 1) else { return undefined }
        return threeRegisters(word, kinds[Int(sz)])
    }

    func CRC32(_ i: A64.CRC32) -> DecodedInstruction { crc(i.word, sf: i.sf, sz: i.sz, [.crc32b, .crc32h, .crc32w, .crc32x]) }
    func CRC32C(_ i: A64.CRC32C) -> DecodedInstruction { crc(i.word, sf: i.sf, sz: i.sz, [.crc32cb, .crc32ch, .crc32cw, .crc32cx]) }

    func MADD(_ i: A64.MADD) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .madd64, .madd32), ra: Self.source(i.Ra)) }
    func MSUB(_ i: A64.MSUB) -> DecodedInstruction { threeRegisters(i.word, Self.width(i.sf, .msub64, .msub32), ra: Self.source(i.Ra)) }
    func SMADDL(_ i: A64.SMADDL) -> DecodedInstruction { threeRegisters(i.word, .smaddl, ra: Self.source(i.Ra)) }
    func SMSUBL(_ i: A64.SMSUBL) -> DecodedInstruction { threeRegisters(i.word, .smsubl, ra: Self.source(i.Ra)) }
    func SMULH(_ i: A64.SMULH) -> DecodedInstruction { threeRegisters(i.word, .smulh, ra: Self.source(i.Ra)) }
    func UMADDL(_ i: A64.UMADDL) -> DecodedInstruction { threeRegisters(i.word, .umaddl, ra: Self.source(i.Ra)) }
    func UMSUBL(_ i: A64.UMSUBL) -> DecodedInstruction { threeRegisters(i.word, .umsubl, ra: Self.source(i.Ra)) }
    func UMULH(_ i: A64.UMULH) -> DecodedInstruction { threeRegisters(i.word, .umulh, ra: Self.source(i.Ra)) }

    // MARK: Conditional compare and select

    /// `c` is Rm (0 for the immediate forms), `d` the condition, `e` the NZCV to set when it
    /// fails, `imm` the immediate (the Rm field of the immediate forms).
    func conditionalCompare(_ kind: OpKind, rn: UInt32, rm: UInt32, immediate: Bool, cond: UInt32, nzcv: UInt32) -> DecodedInstruction {
        DecodedInstruction(kind, b: Self.source(rn), c: immediate ? 0 : Self.source(rm), d: UInt8(cond), e: UInt8(nzcv), imm: UInt64(rm))
    }

    func CCMN_reg(_ i: A64.CCMN_reg) -> DecodedInstruction {
        conditionalCompare(Self.width(i.sf, .ccmnReg64, .ccmnReg32), rn: i.Rn, rm: i.Rm, immediate: false, cond: i.cond, nzcv: i.nzcv)
    }

    func CCMP_reg(_ i: A64.CCMP_reg) -> DecodedInstruction {
        conditionalCompare(Self.width(i.sf, .ccmpReg64, .ccmpReg32), rn: i.Rn, rm: i.Rm, immediate: false, cond: i.cond, nzcv: i.nzcv)
    }

    func CCMN_imm(_ i: A64.CCMN_imm) -> DecodedInstruction {
        conditionalCompare(Self.width(i.sf, .ccmnImm64, .ccmnImm32), rn: i.Rn, rm: i.imm5, immediate: true, cond: i.cond, nzcv: i.nzcv)
    }

    func CCMP_imm(_ i: A64.CCMP_imm) -> DecodedInstruction {
        conditionalCompare(Self.width(i.sf, .ccmpImm64, .ccmpImm32), rn: i.Rn, rm: i.imm5, immediate: true, cond: i.cond, nzcv: i.nzcv)
    }

    func conditionalSelect(_ word: UInt32, _ x: OpKind, _ w: OpKind) -> DecodedInstruction {
        DecodedInstruction(Self.width(word >> 31, x, w), a: Self.destination(word & 31), b: Self.source((word >> 5) & 31),
                           c: Self.source((word >> 16) & 31), d: UInt8((word >> 12) & 15))
    }

    func CSEL(_ i: A64.CSEL) -> DecodedInstruction { conditionalSelect(i.word, .csel64, .csel32) }
    func CSINC(_ i: A64.CSINC) -> DecodedInstruction { conditionalSelect(i.word, .csinc64, .csinc32) }
    func CSINV(_ i: A64.CSINV) -> DecodedInstruction { conditionalSelect(i.word, .csinv64, .csinv32) }
    func CSNEG(_ i: A64.CSNEG) -> DecodedInstruction { conditionalSelect(i.word, .csneg64, .csneg32) }

    // MARK: Data-processing (1 source)

    func oneSource(_ word: UInt32, _ kind: OpKind) -> DecodedInstruction {
        DecodedInstruction(kind, a: Self.destination(word & 31), b: Self.source((word >> 5) & 31))
    }

    func RBIT(_ i: A64.RBIT) -> DecodedInstruction { oneSource(i.word, Self.width(i.sf, .rbit64, .rbit32)) }
    func REV16(_ i: A64.REV16) -> DecodedInstruction { oneSource(i.word, Self.width(i.sf, .rev16_64, .rev16_32)) }
    func REV32(_ i: A64.REV32) -> DecodedInstruction { oneSource(i.word, .rev32_64) }

    /// REV of a W register has opc 10, of an X register 11 (and REV32 takes sf = 1, opc = 10).
    func REV(_ i: A64.REV) -> DecodedInstruction {
        switch (i.sf, i.opc0) {
        case (0, 0): return oneSource(i.word, .rev32)
        case (1, 1): return oneSource(i.word, .rev64)
        default: return undefined
        }
    }

    func CLZ(_ i: A64.CLZ) -> DecodedInstruction { oneSource(i.word, Self.width(i.sf, .clz64, .clz32)) }
    func CLS(_ i: A64.CLS) -> DecodedInstruction { oneSource(i.word, Self.width(i.sf, .cls64, .cls32)) }
}

// MARK: - Execution (the instruction pages of C6.2): `a` is Rd, `b` Rn, `c` Rm; shifted forms
// have the amount in `d` and the shift type in `e`, extended forms the shift in `d` and the
// extend option in `e`.

extension Interpreter {
    // Logical (shifted register)
    @_transparent func andReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) & ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func andReg32(_ op: DecodedInstruction) { w(op.a, r(op.b) & ALU.shift32(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func bicReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) & ~ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func bicReg32(_ op: DecodedInstruction) { w(op.a, r(op.b) & ~ALU.shift32(r(op.c), type: op.e, amount: op.d) & 0xFFFF_FFFF) }
    @_transparent func orrReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) | ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func orrReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) | ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }
    @_transparent func ornReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) | ~ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func ornReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) | ~ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }
    @_transparent func eorReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) ^ ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func eorReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) ^ ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }
    @_transparent func eonReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) ^ ~ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func eonReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) ^ ~ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }

    @_transparent func andsReg64(_ op: DecodedInstruction) {
        let result = r(op.b) & ALU.shift64(r(op.c), type: op.e, amount: op.d)
        w(op.a, result)
        nzcv = ALU.logicFlags64(result)
    }

    @_transparent func andsReg32(_ op: DecodedInstruction) {
        let result = r(op.b) & ALU.shift32(r(op.c), type: op.e, amount: op.d)
        w(op.a, result)
        nzcv = ALU.logicFlags32(result)
    }

    @_transparent func bicsReg64(_ op: DecodedInstruction) {
        let result = r(op.b) & ~ALU.shift64(r(op.c), type: op.e, amount: op.d)
        w(op.a, result)
        nzcv = ALU.logicFlags64(result)
    }

    @_transparent func bicsReg32(_ op: DecodedInstruction) {
        let result = r(op.b) & ~ALU.shift32(r(op.c), type: op.e, amount: op.d) & 0xFFFF_FFFF
        w(op.a, result)
        nzcv = ALU.logicFlags32(result)
    }

    @_transparent func movReg64(_ op: DecodedInstruction) { w(op.a, r(op.b)) }
    @_transparent func movReg32(_ op: DecodedInstruction) { w(op.a, r(op.b) & 0xFFFF_FFFF) }

    // Add/subtract (shifted and extended register)
    @_transparent func addReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) &+ ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func addReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &+ ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }
    @_transparent func subReg64(_ op: DecodedInstruction) { w(op.a, r(op.b) &- ALU.shift64(r(op.c), type: op.e, amount: op.d)) }
    @_transparent func subReg32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &- ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF) }

    @_transparent func addsReg64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ALU.shift64(r(op.c), type: op.e, amount: op.d), carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func addsReg32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ALU.shift32(r(op.c), type: op.e, amount: op.d), carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsReg64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ~ALU.shift64(r(op.c), type: op.e, amount: op.d), carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsReg32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ~ALU.shift32(r(op.c), type: op.e, amount: op.d), carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func addExt64(_ op: DecodedInstruction) { w(op.a, r(op.b) &+ ALU.extend(r(op.c), option: op.e, shift: op.d)) }
    @_transparent func addExt32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &+ ALU.extend(r(op.c), option: op.e, shift: op.d)) & 0xFFFF_FFFF) }
    @_transparent func subExt64(_ op: DecodedInstruction) { w(op.a, r(op.b) &- ALU.extend(r(op.c), option: op.e, shift: op.d)) }
    @_transparent func subExt32(_ op: DecodedInstruction) { w(op.a, (r(op.b) &- ALU.extend(r(op.c), option: op.e, shift: op.d)) & 0xFFFF_FFFF) }

    @_transparent func addsExt64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func addsExt32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 0)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsExt64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ~ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func subsExt32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ~ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 1)
        w(op.a, result)
        nzcv = flags
    }

    // Add/subtract (with carry): C is NZCV bit 1.
    @_transparent var carryFlag: UInt64 { UInt64((nzcv >> 1) & 1) }
    @_transparent func adc64(_ op: DecodedInstruction) { w(op.a, ALU.add64(r(op.b), r(op.c), carry: carryFlag).0) }
    @_transparent func adc32(_ op: DecodedInstruction) { w(op.a, ALU.add32(r(op.b), r(op.c), carry: carryFlag).0) }
    @_transparent func sbc64(_ op: DecodedInstruction) { w(op.a, ALU.add64(r(op.b), ~r(op.c), carry: carryFlag).0) }
    @_transparent func sbc32(_ op: DecodedInstruction) { w(op.a, ALU.add32(r(op.b), ~r(op.c), carry: carryFlag).0) }

    @_transparent func adcs64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), r(op.c), carry: carryFlag)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func adcs32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), r(op.c), carry: carryFlag)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func sbcs64(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add64(r(op.b), ~r(op.c), carry: carryFlag)
        w(op.a, result)
        nzcv = flags
    }

    @_transparent func sbcs32(_ op: DecodedInstruction) {
        let (result, flags) = ALU.add32(r(op.b), ~r(op.c), carry: carryFlag)
        w(op.a, result)
        nzcv = flags
    }

    // Conditional compare: `d` is the condition, `e` the NZCV when it fails, `imm` the immediate.
    @_transparent func ccmnReg64(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add64(r(op.b), r(op.c), carry: 0).1 : UInt32(op.e) }
    @_transparent func ccmnReg32(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add32(r(op.b), r(op.c), carry: 0).1 : UInt32(op.e) }
    @_transparent func ccmpReg64(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add64(r(op.b), ~r(op.c), carry: 1).1 : UInt32(op.e) }
    @_transparent func ccmpReg32(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add32(r(op.b), ~r(op.c), carry: 1).1 : UInt32(op.e) }
    @_transparent func ccmnImm64(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add64(r(op.b), op.imm, carry: 0).1 : UInt32(op.e) }
    @_transparent func ccmnImm32(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add32(r(op.b), op.imm, carry: 0).1 : UInt32(op.e) }
    @_transparent func ccmpImm64(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add64(r(op.b), ~op.imm, carry: 1).1 : UInt32(op.e) }
    @_transparent func ccmpImm32(_ op: DecodedInstruction) { nzcv = holds(op.d) ? ALU.add32(r(op.b), ~op.imm, carry: 1).1 : UInt32(op.e) }

    // Conditional select: `d` is the condition.
    @_transparent func csel64(_ op: DecodedInstruction) { w(op.a, holds(op.d) ? r(op.b) : r(op.c)) }
    @_transparent func csel32(_ op: DecodedInstruction) { w(op.a, (holds(op.d) ? r(op.b) : r(op.c)) & 0xFFFF_FFFF) }
    @_transparent func csinc64(_ op: DecodedInstruction) { w(op.a, holds(op.d) ? r(op.b) : r(op.c) &+ 1) }
    @_transparent func csinc32(_ op: DecodedInstruction) { w(op.a, (holds(op.d) ? r(op.b) : r(op.c) &+ 1) & 0xFFFF_FFFF) }
    @_transparent func csinv64(_ op: DecodedInstruction) { w(op.a, holds(op.d) ? r(op.b) : ~r(op.c)) }
    @_transparent func csinv32(_ op: DecodedInstruction) { w(op.a, (holds(op.d) ? r(op.b) : ~r(op.c)) & 0xFFFF_FFFF) }
    @_transparent func csneg64(_ op: DecodedInstruction) { w(op.a, holds(op.d) ? r(op.b) : 0 &- r(op.c)) }
    @_transparent func csneg32(_ op: DecodedInstruction) { w(op.a, (holds(op.d) ? r(op.b) : 0 &- r(op.c)) & 0xFFFF_FFFF) }

    // Data-processing (1 source)
    @_transparent func rbit64(_ op: DecodedInstruction) { w(op.a, BitOperations.reverse64(r(op.b))) }
    @_transparent func rbit32(_ op: DecodedInstruction) { w(op.a, BitOperations.reverse64(r(op.b)) >> 32) }
    @_transparent func rev16_64(_ op: DecodedInstruction) { w(op.a, BitOperations.reverseBytesInHalfwords(r(op.b))) }
    @_transparent func rev16_32(_ op: DecodedInstruction) { w(op.a, BitOperations.reverseBytesInHalfwords(r(op.b)) & 0xFFFF_FFFF) }

    @_transparent func rev32_64(_ op: DecodedInstruction) {
        let value = r(op.b)
        w(op.a, UInt64(UInt32(truncatingIfNeeded: value).byteSwapped) | UInt64(UInt32(truncatingIfNeeded: value >> 32).byteSwapped) << 32)
    }

    @_transparent func rev64(_ op: DecodedInstruction) { w(op.a, r(op.b).byteSwapped) }
    @_transparent func rev32(_ op: DecodedInstruction) { w(op.a, UInt64(UInt32(truncatingIfNeeded: r(op.b)).byteSwapped)) }
    @_transparent func clz64(_ op: DecodedInstruction) { w(op.a, UInt64(r(op.b).leadingZeroBitCount)) }
    @_transparent func clz32(_ op: DecodedInstruction) { w(op.a, UInt64(UInt32(truncatingIfNeeded: r(op.b)).leadingZeroBitCount)) }
    @_transparent func cls64(_ op: DecodedInstruction) { w(op.a, ALU.cls64(r(op.b))) }
    @_transparent func cls32(_ op: DecodedInstruction) { w(op.a, ALU.cls32(r(op.b))) }

    // Data-processing (2 source): division by zero is 0 (no trap in AArch64).
    @_transparent func udiv64(_ op: DecodedInstruction) {
        let divisor = r(op.c)
        w(op.a, divisor == 0 ? 0 : r(op.b) / divisor)
    }

    @_transparent func udiv32(_ op: DecodedInstruction) {
        let divisor = r(op.c) & 0xFFFF_FFFF
        w(op.a, divisor == 0 ? 0 : (r(op.b) & 0xFFFF_FFFF) / divisor)
    }

    @_transparent func sdiv64(_ op: DecodedInstruction) {
        let divisor = Int64(bitPattern: r(op.c))
        w(op.a, divisor == 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: r(op.b)).dividedReportingOverflow(by: divisor).partialValue))
    }

    @_transparent func sdiv32(_ op: DecodedInstruction) {
        let divisor = Int32(truncatingIfNeeded: r(op.c))
        let quotient = divisor == 0 ? 0 : Int32(truncatingIfNeeded: r(op.b)).dividedReportingOverflow(by: divisor).partialValue
        w(op.a, UInt64(UInt32(bitPattern: quotient)))
    }

    @_transparent func lslv64(_ op: DecodedInstruction) { w(op.a, r(op.b) << (r(op.c) & 63)) }
    @_transparent func lslv32(_ op: DecodedInstruction) { w(op.a, ALU.shift32(r(op.b), type: 0, amount: UInt8(r(op.c) & 31))) }
    @_transparent func lsrv64(_ op: DecodedInstruction) { w(op.a, r(op.b) >> (r(op.c) & 63)) }
    @_transparent func lsrv32(_ op: DecodedInstruction) { w(op.a, ALU.shift32(r(op.b), type: 1, amount: UInt8(r(op.c) & 31))) }
    @_transparent func asrv64(_ op: DecodedInstruction) { w(op.a, ALU.shift64(r(op.b), type: 2, amount: UInt8(r(op.c) & 63))) }
    @_transparent func asrv32(_ op: DecodedInstruction) { w(op.a, ALU.shift32(r(op.b), type: 2, amount: UInt8(r(op.c) & 31))) }
    @_transparent func rorv64(_ op: DecodedInstruction) { w(op.a, ALU.shift64(r(op.b), type: 3, amount: UInt8(r(op.c) & 63))) }
    @_transparent func rorv32(_ op: DecodedInstruction) { w(op.a, ALU.shift32(r(op.b), type: 3, amount: UInt8(r(op.c) & 31))) }

    @_transparent func crc(_ op: DecodedInstruction, bytes: Int, castagnoli: Bool) {
        w(op.a, ALU.crc(r(op.b), r(op.c), bytes: bytes, castagnoli: castagnoli))
    }

    // Data-processing (3 source): `d` is Ra.
    @_transparent func madd64(_ op: DecodedInstruction) { w(op.a, r(op.d) &+ r(op.b) &* r(op.c)) }
    @_transparent func madd32(_ op: DecodedInstruction) { w(op.a, (r(op.d) &+ r(op.b) &* r(op.c)) & 0xFFFF_FFFF) }
    @_transparent func msub64(_ op: DecodedInstruction) { w(op.a, r(op.d) &- r(op.b) &* r(op.c)) }
    @_transparent func msub32(_ op: DecodedInstruction) { w(op.a, (r(op.d) &- r(op.b) &* r(op.c)) & 0xFFFF_FFFF) }

    @_transparent func smaddl(_ op: DecodedInstruction) {
        let product = Int64(Int32(truncatingIfNeeded: r(op.b))) &* Int64(Int32(truncatingIfNeeded: r(op.c)))
        w(op.a, r(op.d) &+ UInt64(bitPattern: product))
    }

    @_transparent func smsubl(_ op: DecodedInstruction) {
        let product = Int64(Int32(truncatingIfNeeded: r(op.b))) &* Int64(Int32(truncatingIfNeeded: r(op.c)))
        w(op.a, r(op.d) &- UInt64(bitPattern: product))
    }

    @_transparent func umaddl(_ op: DecodedInstruction) { w(op.a, r(op.d) &+ (r(op.b) & 0xFFFF_FFFF) &* (r(op.c) & 0xFFFF_FFFF)) }
    @_transparent func umsubl(_ op: DecodedInstruction) { w(op.a, r(op.d) &- (r(op.b) & 0xFFFF_FFFF) &* (r(op.c) & 0xFFFF_FFFF)) }

    @_transparent func smulh(_ op: DecodedInstruction) {
        w(op.a, UInt64(bitPattern: Int64(bitPattern: r(op.b)).multipliedFullWidth(by: Int64(bitPattern: r(op.c))).high))
    }

    @_transparent func umulh(_ op: DecodedInstruction) { w(op.a, r(op.b).multipliedFullWidth(by: r(op.c)).high) }
}
