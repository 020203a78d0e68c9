/// Load/store register pair (DDI0487 C4.1.88): LDP, STP, LDPSW, LDNP and STNP, with signed
/// offset, pre- and post-index. opc 00 is a pair of W registers, 10 of X registers; 01 is LDPSW
/// (or, for stores, STGP of MTE) and 11 is reserved.
extension A64Lowering {
    func pair(_ word: UInt32, load: Bool, mode: AddressingMode, signedWords: Bool = false) -> DecodedInstruction {
        let kind: OpKind
        let scale: UInt64
        switch (word >> 30, load) {
        case (0, false): (kind, scale) = (.stp32, 2)
        case (0, true): (kind, scale) = (.ldp32, 2)
        case (1, true) where signedWords: (kind, scale) = (.ldpsw, 2)
        case (2, false): (kind, scale) = (.stp64, 3)
        case (2, true): (kind, scale) = (.ldp64, 3)
        default: return undefined
        }
        let offset = Self.signExtend((word >> 15) & 0x7F, bits: 7) << scale
        let rt = word & 31
        let rt2 = (word >> 10) & 31
        return DecodedInstruction(kind, a: load ? Self.destination(rt) : Self.source(rt), b: UInt8((word >> 5) & 31),
                                  c: load ? Self.destination(rt2) : Self.source(rt2), e: mode.rawValue, imm: offset)
    }

    // The non-temporal forms are signed-offset pairs: Conduit models no caches to hint.
    func STNP(_ i: A64.STNP) -> DecodedInstruction { pair(i.word, load: false, mode: .offset) }
    func LDNP(_ i: A64.LDNP) -> DecodedInstruction { pair(i.word, load: true, mode: .offset) }
    func STP_post(_ i: A64.STP_post) -> DecodedInstruction { pair(i.word, load: false, mode: .postIndex) }
    func LDP_post(_ i: A64.LDP_post) -> DecodedInstruction { pair(i.word, load: true, mode: .postIndex) }
    func STP_offset(_ i: A64.STP_offset) -> DecodedInstruction { pair(i.word, load: false, mode: .offset) }
    func LDP_offset(_ i: A64.LDP_offset) -> DecodedInstruction { pair(i.word, load: true, mode: .offset) }
    func STP_pre(_ i: A64.STP_pre) -> DecodedInstruction { pair(i.word, load: false, mode: .preIndex) }
    func LDP_pre(_ i: A64.LDP_pre) -> DecodedInstruction { pair(i.word, load: true, mode: .preIndex) }
    func LDPSW_post(_ i: A64.LDPSW_post) -> DecodedInstruction { pair(i.word, load: true, mode: .postIndex, signedWords: true) }
    func LDPSW_offset(_ i: A64.LDPSW_offset) -> DecodedInstruction { pair(i.word, load: true, mode: .offset, signedWords: true) }
    func LDPSW_pre(_ i: A64.LDPSW_pre) -> DecodedInstruction { pair(i.word, load: true, mode: .preIndex, signedWords: true) }
}

// MARK: - Execution: `a` is Rt, `c` Rt2, `b` Rn, `e` the addressing mode, `imm` the scaled offset.

extension Interpreter {
    @_transparent
    func pairAddress(_ op: DecodedInstruction) -> (UInt64, UInt64?) {
        let base = r(op.b)
        switch op.e {
        case AddressingMode.preIndex.rawValue:
            let va = base &+ op.imm
            return (va, va)
        case AddressingMode.postIndex.rawValue:
            return (base, base &+ op.imm)
        default:
            return (base &+ op.imm, nil)
        }
    }

    /// LDP, LDPSW: both halves from the fast TLB when the pair stays in one page.
    @_transparent func loadPair(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let (va, writeback) = pairAddress(op)
        let size = op.kind == .ldp64 ? 8 : 4
        let first: UInt64
        let second: UInt64
        if let host = fast(block.readTLB, va, UInt64(size - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * size), stackAligned(op, block) {
            first = cpu.loadHost(host, size: size)
            second = cpu.loadHost(host + size, size: size)
        } else {
            guard let a = slowLoad(op, va, size: size, pc: pc, el: block.el, block),
                let b = cpu.loadSlow(va &+ UInt64(size), size: size, el: block.el, pc: pc)
            else { return false }
            first = a
            second = b
        }
        if op.kind == .ldpsw {
            w(op.a, ALU.signExtend(first, width: 32))
            w(op.c, ALU.signExtend(second, width: 32))
        } else {
            w(op.a, first)
            w(op.c, second)
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    /// STP.
    @_transparent func storePair(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        let (va, writeback) = pairAddress(op)
        let size = op.kind == .stp64 ? 8 : 4
        if let host = fast(block.writeTLB, va, UInt64(size - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * size), stackAligned(op, block) {
            cpu.storeHost(host, size: size, value: r(op.a))
            cpu.storeHost(host + size, size: size, value: r(op.c))
        } else if !slowStorePair(op, va, size: size, pc: pc, block) {
            return false
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    @inline(never)
    func slowStorePair(_ op: DecodedInstruction, _ va: UInt64, size: Int, pc: UInt64, _ block: BlockState) -> Bool {
        let el = block.el
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        // Alignment faults come before translation faults (DDI0487 J1, Mem[] checks alignment
        // before translating); then both halves must be writable before either is written.
        if va & UInt64(size - 1) != 0 && cpu.alignmentChecks {
            cpu.takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
            return false
        }
        for part in [va, va &+ UInt64(size)] {
            if case .fault(let fault) = cpu.translate(part, kind: .write, el: el) {
                cpu.takeDataAbort(fault, address: part, isWrite: true, pc: pc)
                return false
            }
        }
        return cpu.storeSlow(va, size: size, value: r(op.a), el: el, pc: pc)
            && cpu.storeSlow(va &+ UInt64(size), size: size, value: r(op.c), el: el, pc: pc)
    }
}
