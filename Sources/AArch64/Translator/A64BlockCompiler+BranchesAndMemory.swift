// Branches and the integer loads and stores as x86-64 templates.
//
// A taken branch returns its target; a conditional branch not taken falls through, so a block
// runs on past it. Loads and stores look the address up in the fast TLB inline, as the
// interpreter's fast paths do (Instructions/LoadStore*.swift): the same tag test (the page and
// the alignment bits), the same SP alignment check, the same host address. Anything else
// returns to the interpreter before the instruction, which then takes the slow path.

extension A64BlockCompiler {
    /// Branches, loads and stores; `.unsupported` for the rest.
    mutating func translateBranchOrMemory(_ op: DecodedInstruction, at here: UInt64, retiredBefore: Int) -> Step {
        let retired = retiredBefore + 1
        switch op.kind {
        case .b:
            directExit(to: here &+ op.imm, retired: retired)
            return .ended
        case .bl:
            storeConstant(30, here &+ 4)
            directExit(to: here &+ op.imm, retired: retired)
            return .ended
        case .br, .ret:
            load(.rax, op.b)
            indirectExit(retired: retired)
            return .ended
        case .blr:
            // The target first: BLR X30 branches to the old X30.
            load(.rcx, op.b)
            storeConstant(30, here &+ 4)
            assembler.move(.qword, .rax, .rcx)
            indirectExit(retired: retired)
            return .ended
        case .cbz64, .cbz32, .cbnz64, .cbnz32:
            load(.rax, op.a)
            assembler.test(op.kind == .cbz64 || op.kind == .cbnz64 ? .qword : .dword, .rax, .rax)
            sideExit(if: op.kind == .cbz64 || op.kind == .cbz32 ? .equal : .notEqual, to: here &+ op.imm, retired: retired, chained: true)
        case .tbz, .tbnz:
            load(.rax, op.a)
            assembler.bitTest(.qword, .rax, bit: op.d & 63)
            sideExit(if: op.kind == .tbz ? .aboveOrEqual : .below, to: here &+ op.imm, retired: retired, chained: true)
        case .ldrbImm, .ldrhImm, .ldrwImm, .ldrxImm, .ldrsbxImm, .ldrsbwImm, .ldrshxImm, .ldrshwImm, .ldrswImm:
            single(op, load: true, mode: .offset, at: here, retiredBefore: retiredBefore)
        case .strbImm, .strhImm, .strwImm, .strxImm:
            single(op, load: false, mode: .offset, at: here, retiredBefore: retiredBefore)
        case .ldrb, .ldrh, .ldrw, .ldrx, .ldrsbx, .ldrsbw, .ldrshx, .ldrshw, .ldrsw, .strb, .strh, .strw, .strx:
            // Unprivileged (LDTR/STTR) accesses check EL0's permissions: never this EL's fast TLB.
            guard let mode = AddressingMode(rawValue: op.e), mode != .unprivileged else { return .unsupported }
            single(op, load: !Self.isStore(op.kind), mode: mode, at: here, retiredBefore: retiredBefore)
        case .ldp64, .ldp32, .ldpsw, .stp64, .stp32:
            guard let mode = AddressingMode(rawValue: op.e), mode != .register, mode != .unprivileged else { return .unsupported }
            pair(op, mode: mode, at: here, retiredBefore: retiredBefore)
        default:
            return .unsupported
        }
        return .next
    }

    /// b.cond: on the flags of the instruction before when it set them (``holds(_:flags:scratch:)``).
    mutating func conditionalBranch(_ op: DecodedInstruction, at here: UInt64, retired: Int, flags: LiveFlags?) -> Step {
        if Self.always(op.d) {
            directExit(to: here &+ op.imm, retired: retired)
            return .ended
        }
        sideExit(if: holds(op.d, flags: flags), to: here &+ op.imm, retired: retired, chained: true)
        return .next
    }

    private static func isStore(_ kind: OpKind) -> Bool { [.strb, .strh, .strw, .strx].contains(kind) }

    // MARK: Addressing

    /// RAX = the access's virtual address; R9 = the value written back to Rn, if the mode writes
    /// one (pre-index: the address; post-index: Rn + offset).
    private mutating func address(_ op: DecodedInstruction, mode: AddressingMode, at here: UInt64, retiredBefore: Int) {
        load(.rax, op.b)
        if op.b == DecodedInstruction.stackPointer && context.spCheck {
            // The interpreter's stackAligned: SP itself, before the offset.
            assembler.test(.dword, .rax, immediate: 15)
            sideExit(if: .notEqual, to: here, retired: retiredBefore)
        }
        let offset = Int32(truncatingIfNeeded: Int64(bitPattern: op.imm))
        switch mode {
        case .postIndex:
            assembler.loadAddress(.r9, .rax, offset)
        case .register:
            extendedOperand(.r8, index: op.c, option: op.f, shift: op.d)
            assembler.arithmetic(.add, .qword, .rax, .r8)
        default:
            if offset != 0 { assembler.loadAddress(.rax, .rax, offset) }
            if mode == .preIndex { assembler.move(.qword, .r9, .rax) }
        }
    }

    /// The fast-TLB lookup of RAX for an access of `size` bytes (aligned, as the interpreter's
    /// fast path requires) and, for a pair, the second half in the same page; RAX becomes the
    /// host address. On a miss, returns to the interpreter before the instruction.
    private mutating func lookUp(size: Int, pairBytes: Int?, write: Bool, at here: UInt64, retiredBefore: Int) {
        fastTLBEntry(of: .rax, in: write ? context.writeTLB : context.readTLB, stride: MemoryLayout<DataTLBEntry>.stride,
                     tag: MemoryLayout<DataTLBEntry>.offset(of: \.tag)!, alignment: size, entry: .r11, scratch: .r10)
        sideExit(if: .notEqual, to: here, retired: retiredBefore)
        if let pairBytes {
            assembler.move(.dword, .r10, .rax)
            assembler.arithmetic(.and, .dword, .r10, immediate: 0xFFF)
            assembler.arithmetic(.cmp, .dword, .r10, immediate: Int32(0x1000 - pairBytes))
            sideExit(if: .above, to: here, retired: retiredBefore)
        }
        assembler.arithmetic(.add, .qword, .rax, .r11, Int32(MemoryLayout<DataTLBEntry>.offset(of: \.addend)!))
    }

    private mutating func writeBack(_ op: DecodedInstruction, mode: AddressingMode) {
        if mode == .preIndex || mode == .postIndex { store(op.b, .r9) }
    }

    // MARK: Accesses

    /// LDR*/STR* of one register: `a` is Rt, `b` Rn.
    private mutating func single(_ op: DecodedInstruction, load isLoad: Bool, mode: AddressingMode, at here: UInt64, retiredBefore: Int) {
        let size = op.kind.accessSize
        address(op, mode: mode, at: here, retiredBefore: retiredBefore)
        lookUp(size: size, pairBytes: nil, write: !isLoad, at: here, retiredBefore: retiredBefore)
        if isLoad {
            loadValue(op.kind, size: size, into: .rcx, from: 0)
            store(op.a, .rcx)
        } else {
            load(.rcx, op.a)
            assembler.store(bytes: size, .rax, 0, .rcx)
        }
        writeBack(op, mode: mode)
    }

    /// LDP/LDPSW/STP: `a` is Rt, `c` Rt2, `b` Rn; both halves in one page.
    private mutating func pair(_ op: DecodedInstruction, mode: AddressingMode, at here: UInt64, retiredBefore: Int) {
        let size = op.kind == .ldp64 || op.kind == .stp64 ? 8 : 4
        let isLoad = op.kind == .ldp64 || op.kind == .ldp32 || op.kind == .ldpsw
        address(op, mode: mode, at: here, retiredBefore: retiredBefore)
        lookUp(size: size, pairBytes: 2 * size, write: !isLoad, at: here, retiredBefore: retiredBefore)
        if isLoad {
            loadValue(op.kind, size: size, into: .rcx, from: 0)
            loadValue(op.kind, size: size, into: .rdx, from: Int32(size))
            store(op.a, .rcx)
            store(op.c, .rdx)
        } else {
            load(.rcx, op.a)
            load(.rdx, op.c)
            assembler.store(bytes: size, .rax, 0, .rcx)
            assembler.store(bytes: size, .rax, Int32(size), .rdx)
        }
        writeBack(op, mode: mode)
    }

    /// Loads `size` bytes at RAX + `offset`, extended as `kind` says (OpKind.extendLoaded).
    private mutating func loadValue(_ kind: OpKind, size: Int, into register: X86Register, from offset: Int32) {
        switch kind {
        case .ldrsbxImm, .ldrsbx, .ldrshxImm, .ldrshx, .ldrswImm, .ldrsw, .ldpsw:
            assembler.loadSignExtended(bytes: size, to: .qword, register, .rax, offset)
        case .ldrsbwImm, .ldrsbw, .ldrshwImm, .ldrshw:
            assembler.loadSignExtended(bytes: size, to: .dword, register, .rax, offset)
        default:
            switch size {
            case 1, 2: assembler.loadZeroExtended(bytes: size, register, .rax, offset)
            case 4: assembler.load(.dword, register, .rax, offset)
            default: assembler.load(.qword, register, .rax, offset)
            }
        }
    }
}
