/// Loads and stores of SIMD&FP registers (DDI0487 C4.1.88 with V = 1, and C7.2): one register in
/// every addressing mode, pairs, literals, and the Advanced SIMD structure loads and stores
/// (LD1-LD4, ST1-ST4, LD1R-LD4R). A load of B, H, S or D writes the low bits of Vt and zeroes the
/// rest; every one of them needs FP/SIMD access (CPACR_EL1.FPEN).
extension A64Lowering {
    /// size:opc<1> as the register's size in bytes, or nil when reserved.
    static func fpSize(size: UInt32, opc1: UInt32) -> Int? {
        if opc1 == 1 { return size == 0 ? 16 : nil }
        return 1 << Int(size)
    }

    static let loads: [OpKind] = [.ldrFP8, .ldrFP16, .ldrFP32, .ldrFP64, .ldrFP128]
    static let stores: [OpKind] = [.strFP8, .strFP16, .strFP32, .strFP64, .strFP128]

    func fpSingle(_ word: UInt32, load: Bool, mode: AddressingMode, unsigned: Bool = false) -> DecodedInstruction {
        guard let bytes = Self.fpSize(size: word >> 30, opc1: (word >> 23) & 1) else { return undefined }
        let log2 = bytes.trailingZeroBitCount
        let kind = (load ? Self.loads : Self.stores)[log2]
        let rt = UInt8(word & 31), rn = UInt8((word >> 5) & 31)
        if mode == .register {
            let option = (word >> 13) & 7
            guard option & 0b010 != 0 else { return undefined }
            let amount = (word >> 12) & 1 == 1 ? UInt8(log2) : 0
            return DecodedInstruction(kind, a: rt, b: rn, c: Self.source((word >> 16) & 31), d: amount, e: mode.rawValue, f: UInt8(option))
        }
        let offset = unsigned ? UInt64((word >> 10) & 0xFFF) << UInt64(log2) : Self.signExtend((word >> 12) & 0x1FF, bits: 9)
        return DecodedInstruction(kind, a: rt, b: rn, e: mode.rawValue, imm: offset)
    }

    func STUR_fp(_ i: A64.STUR_fp) -> DecodedInstruction { fpSingle(i.word, load: false, mode: .offset) }
    func LDUR_fp(_ i: A64.LDUR_fp) -> DecodedInstruction { fpSingle(i.word, load: true, mode: .offset) }
    func STR_fp_post(_ i: A64.STR_fp_post) -> DecodedInstruction { fpSingle(i.word, load: false, mode: .postIndex) }
    func LDR_fp_post(_ i: A64.LDR_fp_post) -> DecodedInstruction { fpSingle(i.word, load: true, mode: .postIndex) }
    func STR_fp_pre(_ i: A64.STR_fp_pre) -> DecodedInstruction { fpSingle(i.word, load: false, mode: .preIndex) }
    func LDR_fp_pre(_ i: A64.LDR_fp_pre) -> DecodedInstruction { fpSingle(i.word, load: true, mode: .preIndex) }
    func STR_fp_reg(_ i: A64.STR_fp_reg) -> DecodedInstruction { fpSingle(i.word, load: false, mode: .register) }
    func LDR_fp_reg(_ i: A64.LDR_fp_reg) -> DecodedInstruction { fpSingle(i.word, load: true, mode: .register) }
    func STR_fp_uimm(_ i: A64.STR_fp_uimm) -> DecodedInstruction { fpSingle(i.word, load: false, mode: .offset, unsigned: true) }
    func LDR_fp_uimm(_ i: A64.LDR_fp_uimm) -> DecodedInstruction { fpSingle(i.word, load: true, mode: .offset, unsigned: true) }

    /// opc 00: S (4 bytes), 01: D, 10: Q; 11 reserved.
    func LDR_fp_lit(_ i: A64.LDR_fp_lit) -> DecodedInstruction {
        guard i.opc < 3 else { return undefined }
        return DecodedInstruction(.ldrFPLiteral, a: UInt8(i.Rt), d: UInt8(i.opc + 2), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func fpPair(_ word: UInt32, load: Bool, mode: AddressingMode) -> DecodedInstruction {
        let opc = word >> 30
        guard opc < 3 else { return undefined }
        let log2 = UInt64(opc + 2)
        return DecodedInstruction(load ? .ldpFP : .stpFP, a: UInt8(word & 31), b: UInt8((word >> 5) & 31), c: UInt8((word >> 10) & 31),
                                  d: UInt8(log2), e: mode.rawValue, imm: Self.signExtend((word >> 15) & 0x7F, bits: 7) << log2)
    }

    func STNP_fp(_ i: A64.STNP_fp) -> DecodedInstruction { fpPair(i.word, load: false, mode: .offset) }
    func LDNP_fp(_ i: A64.LDNP_fp) -> DecodedInstruction { fpPair(i.word, load: true, mode: .offset) }
    func STP_fp_post(_ i: A64.STP_fp_post) -> DecodedInstruction { fpPair(i.word, load: false, mode: .postIndex) }
    func LDP_fp_post(_ i: A64.LDP_fp_post) -> DecodedInstruction { fpPair(i.word, load: true, mode: .postIndex) }
    func STP_fp_offset(_ i: A64.STP_fp_offset) -> DecodedInstruction { fpPair(i.word, load: false, mode: .offset) }
    func LDP_fp_offset(_ i: A64.LDP_fp_offset) -> DecodedInstruction { fpPair(i.word, load: true, mode: .offset) }
    func STP_fp_pre(_ i: A64.STP_fp_pre) -> DecodedInstruction { fpPair(i.word, load: false, mode: .preIndex) }
    func LDP_fp_pre(_ i: A64.LDP_fp_pre) -> DecodedInstruction { fpPair(i.word, load: true, mode: .preIndex) }

    // MARK: Structures

    /// LD1-LD4/ST1-ST4 (multiple structures): `opcode` gives the repeat count and structure size.
    func multiple(_ word: UInt32, load: Bool, postIndexed: Bool) -> DecodedInstruction {
        let (repeats, elements): (UInt32, UInt32)
        switch (word >> 12) & 0xF {
        case 0b0000: (repeats, elements) = (1, 4)
        case 0b0010: (repeats, elements) = (4, 1)
        case 0b0100: (repeats, elements) = (1, 3)
        case 0b0110: (repeats, elements) = (3, 1)
        case 0b0111: (repeats, elements) = (1, 1)
        case 0b1000: (repeats, elements) = (1, 2)
        case 0b1010: (repeats, elements) = (2, 1)
        default: return undefined
        }
        let size = (word >> 10) & 3
        let q = (word >> 30) & 1
        // 64-bit elements in 64-bit registers only for LD1/ST1.
        if size == 3 && q == 0 && elements > 1 { return undefined }
        let transfer = StructureTransfer(registers: repeats, elements: elements, index: 0, replicate: false, single: false,
                                         postIndexed: postIndexed)
        return DecodedInstruction(load ? .ldStructures : .stStructures, a: UInt8(word & 31), b: UInt8((word >> 5) & 31),
                                  c: UInt8((word >> 16) & 31), d: UInt8(size), e: UInt8(q), imm: transfer.rawValue)
    }

    func ST_multiple(_ i: A64.ST_multiple) -> DecodedInstruction { multiple(i.word, load: false, postIndexed: false) }
    func LD_multiple(_ i: A64.LD_multiple) -> DecodedInstruction { multiple(i.word, load: true, postIndexed: false) }
    func ST_multiple_post(_ i: A64.ST_multiple_post) -> DecodedInstruction { multiple(i.word, load: false, postIndexed: true) }
    func LD_multiple_post(_ i: A64.LD_multiple_post) -> DecodedInstruction { multiple(i.word, load: true, postIndexed: true) }

    /// LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: one lane of each register, or all lanes.
    func single(_ word: UInt32, load: Bool, postIndexed: Bool) -> DecodedInstruction {
        let opcode = (word >> 13) & 7
        let q = (word >> 30) & 1
        let s = (word >> 12) & 1
        let size = (word >> 10) & 3
        let r = (word >> 21) & 1
        let elements = (opcode & 1) << 1 | r + 1
        var scale = opcode >> 1
        var index: UInt32 = 0
        var replicate = false
        switch scale {
        case 3:
            guard load, s == 0 else { return undefined }
            scale = size
            replicate = true
        case 0:
            index = q << 3 | s << 2 | size
        case 1:
            guard size & 1 == 0 else { return undefined }
            index = q << 2 | s << 1 | size >> 1
        default:
            guard size & 2 == 0 else { return undefined }
            if size & 1 == 0 {
                index = q << 1 | s
            } else {
                guard s == 0 else { return undefined }
                index = q
                scale = 3
            }
        }
        let transfer = StructureTransfer(registers: 1, elements: elements, index: index, replicate: replicate, single: true,
                                         postIndexed: postIndexed)
        return DecodedInstruction(load ? .ldStructures : .stStructures, a: UInt8(word & 31), b: UInt8((word >> 5) & 31),
                                  c: UInt8((word >> 16) & 31), d: UInt8(scale), e: UInt8(q), imm: transfer.rawValue)
    }

    func ST_single(_ i: A64.ST_single) -> DecodedInstruction { single(i.word, load: false, postIndexed: false) }
    func LD_single(_ i: A64.LD_single) -> DecodedInstruction { single(i.word, load: true, postIndexed: false) }
    func ST_single_post(_ i: A64.ST_single_post) -> DecodedInstruction { single(i.word, load: false, postIndexed: true) }
    func LD_single_post(_ i: A64.LD_single_post) -> DecodedInstruction { single(i.word, load: true, postIndexed: true) }
}

/// How an Advanced SIMD structure load or store is shaped, packed into a decoded instruction's
/// `imm`: `registers` repeats of `elements`-register structures (LD1 {v0-v3} is 4 x 1, LD4 is 1 x 4),
/// or one lane (`single`, at `index`) or every lane (`replicate`) of each register.
struct StructureTransfer: Equatable {
    var registers: UInt32
    var elements: UInt32
    var index: UInt32
    var replicate: Bool
    var single: Bool
    var postIndexed: Bool

    init(registers: UInt32, elements: UInt32, index: UInt32, replicate: Bool, single: Bool, postIndexed: Bool) {
        self.registers = registers
        self.elements = elements
        self.index = index
        self.replicate = replicate
        self.single = single
        self.postIndexed = postIndexed
    }

    init(rawValue: UInt64) {
        registers = UInt32(rawValue & 7)
        elements = UInt32((rawValue >> 4) & 7)
        index = UInt32((rawValue >> 8) & 0xF)
        replicate = rawValue & (1 << 12) != 0
        single = rawValue & (1 << 13) != 0
        postIndexed = rawValue & (1 << 14) != 0
    }

    var rawValue: UInt64 {
        UInt64(registers) | UInt64(elements) << 4 | UInt64(index) << 8 | (replicate ? 1 << 12 : 0) | (single ? 1 << 13 : 0)
            | (postIndexed ? 1 << 14 : 0)
    }
}

// MARK: - Execution

extension Interpreter {
    /// The exception for a SIMD&FP instruction while CPACR_EL1.FPEN denies access.
    @inline(never) func trapFloatingPoint(at pc: UInt64) {
        _ = cpu.trapFloatingPointAccess(pc: pc)
    }

    /// The element of Vn at `v + 2n`: low half, then high half.
    @_transparent func vLow(_ n: UInt8) -> UInt64 { v[Int(n) &* 2] }
    @_transparent func vHigh(_ n: UInt8) -> UInt64 { v[Int(n) &* 2 &+ 1] }
    @_transparent func setV(_ n: UInt8, _ low: UInt64, _ high: UInt64) {
        v[Int(n) &* 2] = low
        v[Int(n) &* 2 &+ 1] = high
    }

    /// LDR of B, H, S, D (zero-extended into Vt) or Q, in any addressing mode.
    @_transparent func loadFP(_ op: DecodedInstruction, bytes: Int, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        let (va, writeback) = address(op)
        if bytes == 16 {
            if let host = fast(block.readTLB, va, 15), stackAligned(op, block) {
                setV(op.a, host.load(as: UInt64.self), host.load(fromByteOffset: 8, as: UInt64.self))
            } else {
                guard let (low, high) = slowLoad128(op, va, pc: pc, block) else { return false }
                setV(op.a, low, high)
            }
        } else {
            let value: UInt64
            if let host = fast(block.readTLB, va, UInt64(bytes - 1)), stackAligned(op, block) {
                value = cpu.loadHost(host, size: bytes)
            } else {
                guard let loaded = slowLoad(op, va, size: bytes, pc: pc, el: block.el, block) else { return false }
                value = loaded
            }
            setV(op.a, value, 0)
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    /// STR of the low B, H, S, D or all Q bytes of Vt.
    @_transparent func storeFP(_ op: DecodedInstruction, bytes: Int, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        let (va, writeback) = address(op)
        if bytes == 16 {
            if let host = fast(block.writeTLB, va, 15), stackAligned(op, block) {
                host.storeBytes(of: vLow(op.a), as: UInt64.self)
                host.storeBytes(of: vHigh(op.a), toByteOffset: 8, as: UInt64.self)
            } else if !slowStore128(op, va, low: vLow(op.a), high: vHigh(op.a), pc: pc, block) {
                return false
            }
        } else if let host = fast(block.writeTLB, va, UInt64(bytes - 1)), stackAligned(op, block) {
            cpu.storeHost(host, size: bytes, value: vLow(op.a))
        } else if !slowStore(op, va, size: bytes, value: vLow(op.a), pc: pc, el: block.el, block) {
            return false
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    @inline(never) func loadFPLiteral(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        let va = pc &+ op.imm
        if op.d == 4 {
            guard let (low, high) = cpu.loadSlow128(va, el: block.el, pc: pc) else { return false }
            setV(op.a, low, high)
        } else {
            guard let value = cpu.loadSlow(va, size: 1 << Int(op.d), el: block.el, pc: pc) else { return false }
            setV(op.a, value, 0)
        }
        return true
    }

    /// LDP/LDNP of S, D or Q registers.
    @inline(never) func loadPairFP(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        let (va, writeback) = pairAddress(op)
        let bytes = 1 << Int(op.d)
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        var first = (low: UInt64(0), high: UInt64(0))
        var second = (low: UInt64(0), high: UInt64(0))
        if let host = fast(block.readTLB, va, UInt64(bytes - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * bytes) {
            if bytes == 16 {
                first = (host.load(as: UInt64.self), host.load(fromByteOffset: 8, as: UInt64.self))
                second = (host.load(fromByteOffset: 16, as: UInt64.self), host.load(fromByteOffset: 24, as: UInt64.self))
            } else {
                first.low = cpu.loadHost(host, size: bytes)
                second.low = cpu.loadHost(host + bytes, size: bytes)
            }
        } else if bytes == 16 {
            guard let a = cpu.loadSlow128(va, el: block.el, pc: pc), let b = cpu.loadSlow128(va &+ 16, el: block.el, pc: pc) else { return false }
            first = (a.0, a.1)
            second = (b.0, b.1)
        } else {
            guard let a = cpu.loadSlow(va, size: bytes, el: block.el, pc: pc),
                let b = cpu.loadSlow(va &+ UInt64(bytes), size: bytes, el: block.el, pc: pc)
            else { return false }
            first.low = a
            second.low = b
        }
        setV(op.a, first.low, first.high)
        setV(op.c, second.low, second.high)
        if let writeback { w(op.b, writeback) }
        return true
    }

    /// STP/STNP of S, D or Q registers.
    @inline(never) func storePairFP(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        let (va, writeback) = pairAddress(op)
        let bytes = 1 << Int(op.d)
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        if let host = fast(block.writeTLB, va, UInt64(bytes - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * bytes) {
            if bytes == 16 {
                host.storeBytes(of: vLow(op.a), as: UInt64.self)
                host.storeBytes(of: vHigh(op.a), toByteOffset: 8, as: UInt64.self)
                host.storeBytes(of: vLow(op.c), toByteOffset: 16, as: UInt64.self)
                host.storeBytes(of: vHigh(op.c), toByteOffset: 24, as: UInt64.self)
            } else {
                cpu.storeHost(host, size: bytes, value: vLow(op.a))
                cpu.storeHost(host + bytes, size: bytes, value: vLow(op.c))
            }
        } else {
            // Both halves' pages must be writable before either is written.
            if va & UInt64(bytes - 1) != 0 && cpu.alignmentChecks {
                cpu.takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
                return false
            }
            for address in [va, va &+ UInt64(2 * bytes - 1)] {
                if case .fault(let fault) = cpu.translate(address, kind: .write, el: block.el) {
                    cpu.takeDataAbort(fault, address: address, isWrite: true, pc: pc)
                    return false
                }
            }
            let stored = bytes == 16
                ? cpu.storeSlow128(va, low: vLow(op.a), high: vHigh(op.a), el: block.el, pc: pc)
                    && cpu.storeSlow128(va &+ 16, low: vLow(op.c), high: vHigh(op.c), el: block.el, pc: pc)
                : cpu.storeSlow(va, size: bytes, value: vLow(op.a), el: block.el, pc: pc)
                    && cpu.storeSlow(va &+ UInt64(bytes), size: bytes, value: vLow(op.c), el: block.el, pc: pc)
            if !stored { return false }
        }
        if let writeback { w(op.b, writeback) }
        return true
    }

    @inline(never)
    func slowLoad128(_ op: DecodedInstruction, _ va: UInt64, pc: UInt64, _ block: BlockState) -> (UInt64, UInt64)? {
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return nil
        }
        return cpu.loadSlow128(va, el: block.el, pc: pc)
    }

    @inline(never)
    func slowStore128(_ op: DecodedInstruction, _ va: UInt64, low: UInt64, high: UInt64, pc: UInt64, _ block: BlockState) -> Bool {
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        return cpu.storeSlow128(va, low: low, high: high, el: block.el, pc: pc)
    }

    // MARK: Structures

    /// LD1-LD4, LD1R-LD4R, ST1-ST4 (DDI0487 C7.2, the shared LDn/STn pseudocode): element by
    /// element in memory order. Loads commit to the registers only when every element arrived,
    /// and stores check every page they touch first, so a fault leaves both unchanged.
    @inline(never) func structures(_ op: DecodedInstruction, load: Bool, at pc: UInt64, _ block: BlockState) -> Bool {
        guard block.fp else { trapFloatingPoint(at: pc); return false }
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        let transfer = StructureTransfer(rawValue: op.imm)
        let ebytes = 1 << Int(op.d)
        let lanes = (op.e == 1 ? 16 : 8) / ebytes
        let base = r(op.b)
        // The registers, as bytes: Vt, Vt+1, ... (modulo 32).
        let count = Int(transfer.registers * transfer.elements)
        var registers = [UInt8](repeating: 0, count: count * 16)
        for index in 0..<count {
            let n = (Int(op.a) + index) & 31
            withUnsafeBytes(of: v[2 * n]) { registers.replaceSubrange(index * 16..<index * 16 + 8, with: $0) }
            withUnsafeBytes(of: v[2 * n + 1]) { registers.replaceSubrange(index * 16 + 8..<index * 16 + 16, with: $0) }
        }
        // The (register, lane) of each element in memory order.
        var order: [(register: Int, lane: Int)] = []
        if transfer.single {
            for element in 0..<Int(transfer.elements) { order.append((element, transfer.replicate ? 0 : Int(transfer.index))) }
        } else {
            for repeatIndex in 0..<Int(transfer.registers) {
                for lane in 0..<lanes {
                    for element in 0..<Int(transfer.elements) {
                        order.append((repeatIndex * Int(transfer.elements) + element, lane))
                    }
                }
            }
        }
        let total = order.count * ebytes
        if !load {
            if cpu.alignmentChecks && base & UInt64(ebytes - 1) != 0 {
                cpu.takeDataAbort(.alignment, address: base, isWrite: true, pc: pc)
                return false
            }
            var page = base & ~0xFFF
            while page <= (base &+ UInt64(total - 1)) & ~0xFFF {
                let address = max(page, base)
                if case .fault(let fault) = cpu.translate(address, kind: .write, el: block.el) {
                    cpu.takeDataAbort(fault, address: address, isWrite: true, pc: pc)
                    return false
                }
                page &+= 0x1000
            }
        }
        for (position, (register, lane)) in order.enumerated() {
            let address = base &+ UInt64(position * ebytes)
            let offset = register * 16 + lane * ebytes
            if load {
                guard let value = cpu.loadSlow(address, size: ebytes, el: block.el, pc: pc) else { return false }
                withUnsafeBytes(of: value) { registers.replaceSubrange(offset..<offset + ebytes, with: $0.prefix(ebytes)) }
            } else {
                var value: UInt64 = 0
                for byte in 0..<ebytes { value |= UInt64(registers[offset + byte]) << UInt64(8 * byte) }
                guard cpu.storeSlow(address, size: ebytes, value: value, el: block.el, pc: pc) else { return false }
            }
        }
        if load {
            for index in 0..<count {
                let n = (Int(op.a) + index) & 31
                var low: UInt64 = 0
                var high: UInt64 = 0
                for byte in 0..<8 {
                    low |= UInt64(registers[index * 16 + byte]) << UInt64(8 * byte)
                    high |= UInt64(registers[index * 16 + 8 + byte]) << UInt64(8 * byte)
                }
                if transfer.replicate {
                    // Every lane holds the element; a 64-bit register clears the upper half.
                    var element: UInt64 = 0
                    for byte in 0..<ebytes { element |= UInt64(registers[index * 16 + byte]) << UInt64(8 * byte) }
                    low = SIMDLanes.replicate(element, bytes: ebytes)
                    high = op.e == 1 ? low : 0
                } else if !transfer.single && op.e == 0 {
                    high = 0
                }
                v[2 * n] = low
                v[2 * n + 1] = high
            }
        }
        if transfer.postIndexed {
            w(op.b, base &+ (op.c == 31 ? UInt64(total) : r(op.c)))
        }
        return true
    }
}
