/// Loads and stores of one general register (DDI0487 C4.1.88): literal, unscaled, pre- and
/// post-indexed, unprivileged, register offset and unsigned immediate forms.
extension A64Lowering {
    /// The operations one (size, opc) pair of the ARM ARM's class tables selects: the kind for
    /// any addressing mode, and the one specialised to [Xn, #imm].
    enum Access {
        case store(OpKind, OpKind)
        case load(OpKind, OpKind)
        case prefetch
    }

    static func access(size: UInt32, opc: UInt32) -> Access? {
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

    /// [Xn|SP, #offset] in `mode`: unscaled, pre- or post-indexed, unprivileged or unsigned.
    func immediate(size: UInt32, opc: UInt32, mode: AddressingMode, offset: UInt64, rn: UInt32, rt: UInt32) -> DecodedInstruction {
        switch Self.access(size: size, opc: opc) {
        case .store(let generic, let fast)?:
            if mode == .offset { return DecodedInstruction(fast, a: Self.source(rt), b: UInt8(rn), imm: offset) }
            return DecodedInstruction(generic, a: Self.source(rt), b: UInt8(rn), e: mode.rawValue, imm: offset)
        case .load(let generic, let fast)?:
            if mode == .offset { return DecodedInstruction(fast, a: Self.destination(rt), b: UInt8(rn), imm: offset) }
            return DecodedInstruction(generic, a: Self.destination(rt), b: UInt8(rn), e: mode.rawValue, imm: offset)
        case .prefetch?:
            // PRFM and PRFUM only: a prefetch has no pre/post-index or unprivileged form.
            return mode == .offset ? DecodedInstruction(.prfm, b: UInt8(rn), e: mode.rawValue, imm: offset) : undefined
        case nil:
            return undefined
        }
    }

    /// [Xn|SP, Rm{, extend {#amount}}]: only UXTW, LSL/UXTX, SXTW and SXTX extend the index.
    func registerOffset(size: UInt32, opc: UInt32, rm: UInt32, option: UInt32, s: UInt32, rn: UInt32, rt: UInt32) -> DecodedInstruction {
        guard option & 0b010 != 0 else { return undefined }
        let amount = s == 1 ? UInt8(size) : 0
        let mode = AddressingMode.register.rawValue
        switch Self.access(size: size, opc: opc) {
        case .store(let generic, _)?:
            return DecodedInstruction(generic, a: Self.source(rt), b: UInt8(rn), c: Self.source(rm), d: amount, e: mode, f: UInt8(option))
        case .load(let generic, _)?:
            return DecodedInstruction(generic, a: Self.destination(rt), b: UInt8(rn), c: Self.source(rm), d: amount, e: mode, f: UInt8(option))
        case .prefetch?:
            return DecodedInstruction(.prfm, b: UInt8(rn), c: Self.source(rm), d: amount, e: mode, f: UInt8(option))
        case nil:
            return undefined
        }
    }

    @inline(__always) func unscaled(_ word: UInt32, _ mode: AddressingMode) -> DecodedInstruction {
        immediate(size: word >> 30, opc: (word >> 22) & 3, mode: mode, offset: Self.signExtend((word >> 12) & 0x1FF, bits: 9),
                  rn: (word >> 5) & 31, rt: word & 31)
    }

    @inline(__always) func unsigned(_ word: UInt32) -> DecodedInstruction {
        let size = word >> 30
        return immediate(size: size, opc: (word >> 22) & 3, mode: .offset, offset: UInt64((word >> 10) & 0xFFF) << UInt64(size),
                         rn: (word >> 5) & 31, rt: word & 31)
    }

    @inline(__always) func register(_ word: UInt32) -> DecodedInstruction {
        registerOffset(size: word >> 30, opc: (word >> 22) & 3, rm: (word >> 16) & 31, option: (word >> 13) & 7,
                       s: (word >> 12) & 1, rn: (word >> 5) & 31, rt: word & 31)
    }

    // Each row's size and opc are fixed or fields of the word; the shared forms above read them.

    func STURB(_ i: A64.STURB) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDURB(_ i: A64.LDURB) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDURSB(_ i: A64.LDURSB) -> DecodedInstruction { unscaled(i.word, .offset) }
    func STURH(_ i: A64.STURH) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDURH(_ i: A64.LDURH) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDURSH(_ i: A64.LDURSH) -> DecodedInstruction { unscaled(i.word, .offset) }
    func STUR(_ i: A64.STUR) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDUR(_ i: A64.LDUR) -> DecodedInstruction { unscaled(i.word, .offset) }
    func LDURSW(_ i: A64.LDURSW) -> DecodedInstruction { unscaled(i.word, .offset) }
    func PRFUM(_ i: A64.PRFUM) -> DecodedInstruction { unscaled(i.word, .offset) }

    func STRB_post(_ i: A64.STRB_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDRB_post(_ i: A64.LDRB_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDRSB_post(_ i: A64.LDRSB_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func STRH_post(_ i: A64.STRH_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDRH_post(_ i: A64.LDRH_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDRSH_post(_ i: A64.LDRSH_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func STR_post(_ i: A64.STR_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDR_post(_ i: A64.LDR_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }
    func LDRSW_post(_ i: A64.LDRSW_post) -> DecodedInstruction { unscaled(i.word, .postIndex) }

    func STTRB(_ i: A64.STTRB) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTRB(_ i: A64.LDTRB) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTRSB(_ i: A64.LDTRSB) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func STTRH(_ i: A64.STTRH) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTRH(_ i: A64.LDTRH) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTRSH(_ i: A64.LDTRSH) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func STTR(_ i: A64.STTR) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTR(_ i: A64.LDTR) -> DecodedInstruction { unscaled(i.word, .unprivileged) }
    func LDTRSW(_ i: A64.LDTRSW) -> DecodedInstruction { unscaled(i.word, .unprivileged) }

    func STRB_pre(_ i: A64.STRB_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDRB_pre(_ i: A64.LDRB_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDRSB_pre(_ i: A64.LDRSB_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func STRH_pre(_ i: A64.STRH_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDRH_pre(_ i: A64.LDRH_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDRSH_pre(_ i: A64.LDRSH_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func STR_pre(_ i: A64.STR_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDR_pre(_ i: A64.LDR_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }
    func LDRSW_pre(_ i: A64.LDRSW_pre) -> DecodedInstruction { unscaled(i.word, .preIndex) }

    func STRB_reg(_ i: A64.STRB_reg) -> DecodedInstruction { register(i.word) }
    func LDRB_reg(_ i: A64.LDRB_reg) -> DecodedInstruction { register(i.word) }
    func LDRSB_reg(_ i: A64.LDRSB_reg) -> DecodedInstruction { register(i.word) }
    func STRH_reg(_ i: A64.STRH_reg) -> DecodedInstruction { register(i.word) }
    func LDRH_reg(_ i: A64.LDRH_reg) -> DecodedInstruction { register(i.word) }
    func LDRSH_reg(_ i: A64.LDRSH_reg) -> DecodedInstruction { register(i.word) }
    func STR_reg(_ i: A64.STR_reg) -> DecodedInstruction { register(i.word) }
    func LDR_reg(_ i: A64.LDR_reg) -> DecodedInstruction { register(i.word) }
    func LDRSW_reg(_ i: A64.LDRSW_reg) -> DecodedInstruction { register(i.word) }
    func PRFM_reg(_ i: A64.PRFM_reg) -> DecodedInstruction { register(i.word) }

    func STRB_uimm(_ i: A64.STRB_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDRB_uimm(_ i: A64.LDRB_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDRSB_uimm(_ i: A64.LDRSB_uimm) -> DecodedInstruction { unsigned(i.word) }
    func STRH_uimm(_ i: A64.STRH_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDRH_uimm(_ i: A64.LDRH_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDRSH_uimm(_ i: A64.LDRSH_uimm) -> DecodedInstruction { unsigned(i.word) }
    func STR_uimm(_ i: A64.STR_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDR_uimm(_ i: A64.LDR_uimm) -> DecodedInstruction { unsigned(i.word) }
    func LDRSW_uimm(_ i: A64.LDRSW_uimm) -> DecodedInstruction { unsigned(i.word) }
    func PRFM_uimm(_ i: A64.PRFM_uimm) -> DecodedInstruction { unsigned(i.word) }

    // MARK: Load register (literal)

    func LDR_lit(_ i: A64.LDR_lit) -> DecodedInstruction {
        DecodedInstruction(i.sf == 1 ? .ldrLiteral64 : .ldrLiteral32, a: Self.destination(i.Rt), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func LDRSW_lit(_ i: A64.LDRSW_lit) -> DecodedInstruction {
        DecodedInstruction(.ldrswLiteral, a: Self.destination(i.Rt), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func PRFM_lit(_ i: A64.PRFM_lit) -> DecodedInstruction {
        DecodedInstruction(.prfmLiteral, imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }
}
