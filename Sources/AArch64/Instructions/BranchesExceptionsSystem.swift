/// Branches, Exception Generating and System instructions (DDI0487 C4.1.87).
extension A64Lowering {
    // MARK: Branches

    func B(_ i: A64.B) -> DecodedInstruction { DecodedInstruction(.b, imm: Self.signExtend(i.imm26, bits: 26) << 2) }
    func BL(_ i: A64.BL) -> DecodedInstruction { DecodedInstruction(.bl, imm: Self.signExtend(i.imm26, bits: 26) << 2) }

    func CBZ(_ i: A64.CBZ) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .cbz64, .cbz32), a: Self.source(i.Rt), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func CBNZ(_ i: A64.CBNZ) -> DecodedInstruction {
        DecodedInstruction(Self.width(i.sf, .cbnz64, .cbnz32), a: Self.source(i.Rt), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func TBZ(_ i: A64.TBZ) -> DecodedInstruction {
        DecodedInstruction(.tbz, a: Self.source(i.Rt), d: UInt8(i.b5 << 5 | i.b40), imm: Self.signExtend(i.imm14, bits: 14) << 2)
    }

    func TBNZ(_ i: A64.TBNZ) -> DecodedInstruction {
        DecodedInstruction(.tbnz, a: Self.source(i.Rt), d: UInt8(i.b5 << 5 | i.b40), imm: Self.signExtend(i.imm14, bits: 14) << 2)
    }

    func B_cond(_ i: A64.B_cond) -> DecodedInstruction {
        DecodedInstruction(.bCond, d: UInt8(i.cond), imm: Self.signExtend(i.imm19, bits: 19) << 2)
    }

    func BR(_ i: A64.BR) -> DecodedInstruction { DecodedInstruction(.br, b: Self.source(i.Rn)) }
    func BLR(_ i: A64.BLR) -> DecodedInstruction { DecodedInstruction(.blr, b: Self.source(i.Rn)) }
    func RET(_ i: A64.RET) -> DecodedInstruction { DecodedInstruction(.ret, b: Self.source(i.Rn)) }
    func ERET(_ i: A64.ERET) -> DecodedInstruction { DecodedInstruction(.eret) }

    // MARK: Exception generation

    func SVC(_ i: A64.SVC) -> DecodedInstruction { DecodedInstruction(.svc, imm: UInt64(i.imm16)) }
    func HVC(_ i: A64.HVC) -> DecodedInstruction { DecodedInstruction(.hvc, imm: UInt64(i.imm16)) }
    func SMC(_ i: A64.SMC) -> DecodedInstruction { DecodedInstruction(.smc, imm: UInt64(i.imm16)) }
    func BRK(_ i: A64.BRK) -> DecodedInstruction { DecodedInstruction(.brk, imm: UInt64(i.imm16)) }
    func HLT(_ i: A64.HLT) -> DecodedInstruction { DecodedInstruction(.hlt, imm: UInt64(i.imm16)) }

    // MARK: Hints: unallocated ones, and those of features this CPU lacks (PAC, BTI, ESB, CSDB...), are NOPs.

    func HINT(_ i: A64.HINT) -> DecodedInstruction { DecodedInstruction(.nop) }
    func NOP(_ i: A64.NOP) -> DecodedInstruction { DecodedInstruction(.nop) }
    func YIELD(_ i: A64.YIELD) -> DecodedInstruction { DecodedInstruction(.yield) }
    func WFE(_ i: A64.WFE) -> DecodedInstruction { DecodedInstruction(.wfe) }
    func WFI(_ i: A64.WFI) -> DecodedInstruction { DecodedInstruction(.wfi) }
    func SEV(_ i: A64.SEV) -> DecodedInstruction { DecodedInstruction(.sev) }
    func SEVL(_ i: A64.SEVL) -> DecodedInstruction { DecodedInstruction(.sevl) }

    // MARK: Barriers

    func CLREX(_ i: A64.CLREX) -> DecodedInstruction { DecodedInstruction(.clrex) }
    func DSB(_ i: A64.DSB) -> DecodedInstruction { DecodedInstruction(.dsb) }
    func DMB(_ i: A64.DMB) -> DecodedInstruction { DecodedInstruction(.dmb) }
    func ISB(_ i: A64.ISB) -> DecodedInstruction { DecodedInstruction(.isb) }

    // MARK: PSTATE and system registers; the field or register is checked when it executes.

    func MSR_imm(_ i: A64.MSR_imm) -> DecodedInstruction {
        DecodedInstruction(.msrImmediate, d: UInt8(i.op1 << 3 | i.op2), e: UInt8(i.CRm))
    }

    func SYS(_ i: A64.SYS) -> DecodedInstruction {
        DecodedInstruction(.sys, a: Self.source(i.Rt),
                           imm: UInt64(A64Decoder.systemRegisterEncoding(op0: 1, op1: i.op1, crn: i.CRn, crm: i.CRm, op2: i.op2)))
    }

    /// No SYSL instruction is implemented.
    func SYSL(_ i: A64.SYSL) -> DecodedInstruction { undefined }

    func MSR_reg(_ i: A64.MSR_reg) -> DecodedInstruction {
        DecodedInstruction(.msr, a: Self.source(i.Rt),
                           imm: UInt64(A64Decoder.systemRegisterEncoding(op0: 2 | i.o0, op1: i.op1, crn: i.CRn, crm: i.CRm, op2: i.op2)))
    }

    func MRS(_ i: A64.MRS) -> DecodedInstruction {
        DecodedInstruction(.mrs, a: Self.destination(i.Rt),
                           imm: UInt64(A64Decoder.systemRegisterEncoding(op0: 2 | i.o0, op1: i.op1, crn: i.CRn, crm: i.CRm, op2: i.op2)))
    }
}

// MARK: - Execution

/// How an instruction that may end the block continues.
enum Continuation {
    /// With the next instruction.
    case next
    /// At a new PC, at a block boundary (a context change the block must not run past).
    case jump(UInt64)
    /// An exception was taken: the CPU's PC is the vector.
    case exception
    /// The run stops, the PC at the given address.
    case exit(CPUExit, UInt64)
}

extension Interpreter {
    // Branches return their target when taken. `imm` is the offset from the branch.
    @_transparent func bCond(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { holds(op.d) ? pc &+ op.imm : nil }
    @_transparent func cbz64(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { r(op.a) == 0 ? pc &+ op.imm : nil }
    @_transparent func cbz32(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { r(op.a) & 0xFFFF_FFFF == 0 ? pc &+ op.imm : nil }
    @_transparent func cbnz64(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { r(op.a) != 0 ? pc &+ op.imm : nil }
    @_transparent func cbnz32(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { r(op.a) & 0xFFFF_FFFF != 0 ? pc &+ op.imm : nil }
    @_transparent func tbz(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { (r(op.a) >> UInt64(op.d)) & 1 == 0 ? pc &+ op.imm : nil }
    @_transparent func tbnz(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? { (r(op.a) >> UInt64(op.d)) & 1 != 0 ? pc &+ op.imm : nil }

    @_transparent func bl(_ op: DecodedInstruction, at pc: UInt64) -> UInt64 {
        x[30] = pc &+ 4
        return pc &+ op.imm
    }

    /// BLR reads Xn before it writes X30 (BLR X30 branches to the old X30).
    @_transparent func blr(_ op: DecodedInstruction, at pc: UInt64) -> UInt64 {
        let target = r(op.b)
        x[30] = pc &+ 4
        return target
    }

    /// A branch decoded as ``OpKind/countedBranch`` (the PMU counts BR_RETIRED), executed as the
    /// kind it was: the target if it is taken, nil if not.
    @inline(never) func countedBranch(_ op: DecodedInstruction, at pc: UInt64) -> UInt64? {
        switch AArch64CPU.countedBranchKinds[Int(op.f)] {
        case .b: return pc &+ op.imm
        case .bl: return bl(op, at: pc)
        case .bCond: return bCond(op, at: pc)
        case .cbz64: return cbz64(op, at: pc)
        case .cbz32: return cbz32(op, at: pc)
        case .cbnz64: return cbnz64(op, at: pc)
        case .cbnz32: return cbnz32(op, at: pc)
        case .tbz: return tbz(op, at: pc)
        case .tbnz: return tbnz(op, at: pc)
        case .blr: return blr(op, at: pc)
        default: return r(op.b)  // BR, RET
        }
    }

    // Exception generating instructions and the ones that change PSTATE, cold paths.

    @inline(never) func svc(_ op: DecodedInstruction, at pc: UInt64) {
        cpu.takeSynchronous(.svc64, iss: UInt32(op.imm), returnAddress: pc &+ 4)
    }

    @inline(never) func brk(_ op: DecodedInstruction, at pc: UInt64) {
        cpu.takeSynchronous(.breakpointInstruction, iss: UInt32(op.imm), returnAddress: pc)
    }

    /// ERET at EL0 is UNDEFINED.
    @inline(never) func eret(at pc: UInt64, _ block: BlockState) {
        if block.el == 0 { cpu.takeUndefined(at: pc) } else { cpu.exceptionReturn() }
    }

    /// WFI: trapped at EL0 unless SCTLR_EL1.nTWI; otherwise the vCPU may sleep unless an
    /// interrupt is already pending.
    @inline(never) func wfi(at pc: UInt64, _ block: BlockState) -> Continuation {
        if block.el == 0 && cpu.sys.sctlr & (1 << 16) == 0 {
            // Trapped to EL1: ESR.ISS CV = 1, COND = 0b1110, TI = 0 (WFI).
            cpu.takeSynchronous(.wfxTrap, iss: 1 << 24 | 0xE << 20, returnAddress: pc)
            return .exception
        }
        return cpu.interruptPending ? .next : .exit(.waitForInterrupt, pc &+ 4)
    }

    /// WFE: trapped at EL0 unless SCTLR_EL1.nTWE; completes at once when the event register is set.
    @inline(never) func wfe(at pc: UInt64, _ block: BlockState) -> Continuation {
        if block.el == 0 && cpu.sys.sctlr & (1 << 18) == 0 {
            cpu.takeSynchronous(.wfxTrap, iss: 1 << 24 | 0xE << 20 | 1, returnAddress: pc)
            return .exception
        }
        if cpu.eventRegister {
            cpu.eventRegister = false
            return .next
        }
        return .exit(.waitForEvent, pc &+ 4)
    }

    @inline(never) func sev(at pc: UInt64) -> Continuation {
        cpu.eventRegister = true
        return .exit(.sendEvent, pc &+ 4)
    }

    @inline(never) func sevl() { cpu.eventRegister = true }
    @inline(never) func clrex() { cpu.exclusive.valid = false }

    /// The instructions that may end the block or the run in more than one way.
    @_transparent func system(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Continuation {
        switch op.kind {
        case .wfi: return wfi(at: pc, block)
        case .wfe: return wfe(at: pc, block)
        case .sev: return sev(at: pc)
        case .msrImmediate: return msrImmediate(op, at: pc)
        case .mrs: return mrs(op, at: pc)
        case .msr: return msr(op, at: pc)
        default: return sys(op, at: pc)
        }
    }

    /// A system-register or system instruction's outcome as the run loop continues.
    @_transparent func continuation(_ outcome: SystemOutcome, at pc: UInt64) -> Continuation {
        switch outcome {
        case .next: return .next
        case .endBlock: return .jump(pc &+ 4)
        case .exception: return .exception
        }
    }

    @_transparent func msrImmediate(_ op: DecodedInstruction, at pc: UInt64) -> Continuation {
        continuation(cpu.writePSTATEField(op.d, crm: op.e, pc: pc), at: pc)
    }

    @_transparent func mrs(_ op: DecodedInstruction, at pc: UInt64) -> Continuation {
        continuation(cpu.readSystemRegister(UInt16(op.imm), into: op.a, pc: pc), at: pc)
    }

    @_transparent func msr(_ op: DecodedInstruction, at pc: UInt64) -> Continuation {
        continuation(cpu.writeSystemRegister(UInt16(op.imm), value: r(op.a), rt: op.a, pc: pc), at: pc)
    }

    @_transparent func sys(_ op: DecodedInstruction, at pc: UInt64) -> Continuation {
        continuation(cpu.systemInstruction(UInt16(op.imm), operand: r(op.a), rt: op.a, pc: pc), at: pc)
    }
}
