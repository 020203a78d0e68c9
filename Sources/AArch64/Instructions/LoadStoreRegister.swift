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

// MARK: - Execution. Each access tries the fast TLB inline and falls back to the slow path
// (translation, permissions, MMIO, faults); false means an exception was taken. `a` is Rt,
// `b` Rn (31 is SP, whose alignment SCTLR_EL1.SA/SA0 may check), `imm` the offset.

extension Interpreter {
    /// Whether an access based on Rn passes the SP alignment check (it only applies to SP).
    @_transparent func stackAligned(_ op: DecodedInstruction, _ block: BlockState) -> Bool { op.b != 31 || !block.spCheck || x[31] & 15 == 0 }

    @_transparent func ldrxImm(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        if let host = fast(block.readTLB, va, 7), stackAligned(op, block) {
            w(op.a, host.load(as: UInt64.self))
            return true
        }
        guard let value = slowLoad(op, va, size: 8, pc: pc, el: block.el, block) else { return false }
        w(op.a, value)
        return true
    }

    @_transparent func ldrwImm(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        if let host = fast(block.readTLB, va, 3), stackAligned(op, block) {
            w(op.a, UInt64(host.load(as: UInt32.self)))
            return true
        }
        guard let value = slowLoad(op, va, size: 4, pc: pc, el: block.el, block) else { return false }
        w(op.a, value)
        return true
    }

    /// LDRB, LDRH, LDRSB, LDRSH, LDRSW at [Xn, #imm].
    @_transparent func loadImmediate(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        let size = op.kind.accessSize
        let value: UInt64
        if let host = fast(block.readTLB, va, UInt64(size - 1)), stackAligned(op, block) {
            value = cpu.loadHost(host, size: size)
        } else {
            guard let loaded = slowLoad(op, va, size: size, pc: pc, el: block.el, block) else { return false }
            value = loaded
        }
        w(op.a, op.kind.extendLoaded(value))
        return true
    }

    @_transparent func strxImm(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        if let host = fast(block.writeTLB, va, 7), stackAligned(op, block) {
            host.storeBytes(of: r(op.a), as: UInt64.self)
            return true
        }
        return slowStore(op, va, size: 8, value: r(op.a), pc: pc, el: block.el, block)
    }

    @_transparent func strwImm(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        if let host = fast(block.writeTLB, va, 3), stackAligned(op, block) {
            host.storeBytes(of: UInt32(truncatingIfNeeded: r(op.a)), as: UInt32.self)
            return true
        }
        return slowStore(op, va, size: 4, value: r(op.a), pc: pc, el: block.el, block)
    }

    /// STRB, STRH at [Xn, #imm].
    @_transparent func storeImmediate(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let va = r(op.b) &+ op.imm
        let size = op.kind.accessSize
        if let host = fast(block.writeTLB, va, UInt64(size - 1)), stackAligned(op, block) {
            cpu.storeHost(host, size: size, value: r(op.a))
            return true
        }
        return slowStore(op, va, size: size, value: r(op.a), pc: pc, el: block.el, block)
    }

    /// Every load in the other addressing modes (`e`): pre- and post-index, register offset,
    /// unprivileged (checked with EL0's permissions, so never through this EL's fast TLB).
    @_transparent func load(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let (va, writeback) = address(op)
        let size = op.kind.accessSize
        let unprivileged = op.e == AddressingMode.unprivileged.rawValue
        let value: UInt64
        if !unprivileged, let host = fast(block.readTLB, va, UInt64(size - 1)), stackAligned(op, block) {
            value = cpu.loadHost(host, size: size)
        } else {
            guard let loaded = slowLoad(op, va, size: size, pc: pc, el: unprivileged ? 0 : block.el, block) else { return false }
            value = loaded
        }
        w(op.a, op.kind.extendLoaded(value))
        if let writeback { w(op.b, writeback) }
        return true
    }

    /// Every store in the other addressing modes.
    @_transparent func store(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let (va, writeback) = address(op)
        let size = op.kind.accessSize
        let unprivileged = op.e == AddressingMode.unprivileged.rawValue
        if !unprivileged, let host = fast(block.writeTLB, va, UInt64(size - 1)), stackAligned(op, block) {
            cpu.storeHost(host, size: size, value: r(op.a))
        } else if !slowStore(op, va, size: size, value: r(op.a), pc: pc, el: unprivileged ? 0 : block.el, block) {
            return false
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    /// LDR (literal), LDRSW (literal): PC-relative, always through the slow path.
    @_transparent func loadLiteral(_ op: DecodedInstruction, at pc: UInt64, size: Int, signed: Bool = false, _ block: BlockState) -> Bool {
        guard let value = literal(pc &+ op.imm, size: size, pc: pc, el: block.el) else { return false }
        w(op.a, signed ? ALU.signExtend(value, width: 32) : value)
        return true
    }

    /// The address of a single-register load or store in a non-[Xn, #imm] mode, and the value
    /// to write back to Xn, if any.
    @_transparent
    func address(_ op: DecodedInstruction) -> (UInt64, UInt64?) {
        let base = r(op.b)
        switch op.e {
        case AddressingMode.preIndex.rawValue:
            let va = base &+ op.imm
            return (va, va)
        case AddressingMode.postIndex.rawValue:
            return (base, base &+ op.imm)
        case AddressingMode.register.rawValue:
            return (base &+ ALU.extend(r(op.c), option: op.f, shift: op.d), nil)
        default:
            return (base &+ op.imm, nil)
        }
    }

    // MARK: Slow paths

    @inline(never)
    func slowLoad(_ op: DecodedInstruction, _ va: UInt64, size: Int, pc: UInt64, el: UInt8, _ block: BlockState) -> UInt64? {
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return nil
        }
        return cpu.loadSlow(va, size: size, el: el, pc: pc)
    }

    @inline(never)
    func slowStore(_ op: DecodedInstruction, _ va: UInt64, size: Int, value: UInt64, pc: UInt64, el: UInt8, _ block: BlockState) -> Bool {
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        return cpu.storeSlow(va, size: size, value: value, el: el, pc: pc)
    }

    @inline(never)
    func literal(_ va: UInt64, size: Int, pc: UInt64, el: UInt8) -> UInt64? {
        cpu.loadSlow(va, size: size, el: el, pc: pc)
    }
}

extension OpKind {
    /// The access size in bytes of a single-register load or store.
    @inline(__always)
    var accessSize: Int {
        switch self {
        case .ldrbImm, .ldrsbxImm, .ldrsbwImm, .strbImm, .ldrb, .ldrsbx, .ldrsbw, .strb: return 1
        case .ldrhImm, .ldrshxImm, .ldrshwImm, .strhImm, .ldrh, .ldrshx, .ldrshw, .strh: return 2
        case .ldrwImm, .ldrswImm, .strwImm, .ldrw, .ldrsw, .strw: return 4
        default: return 8
        }
    }

    /// A loaded value extended as the load's kind says.
    @_transparent
    func extendLoaded(_ value: UInt64) -> UInt64 {
        switch self {
        case .ldrsbxImm, .ldrsbx: return ALU.signExtend(value, width: 8)
        case .ldrsbwImm, .ldrsbw: return ALU.signExtend(value, width: 8) & 0xFFFF_FFFF
        case .ldrshxImm, .ldrshx: return ALU.signExtend(value, width: 16)
        case .ldrshwImm, .ldrshw: return ALU.signExtend(value, width: 16) & 0xFFFF_FFFF
        case .ldrswImm, .ldrsw: return ALU.signExtend(value, width: 32)
        default: return value
        }
    }
}
