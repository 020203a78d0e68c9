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
