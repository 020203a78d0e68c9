/// Load/store exclusive, load-acquire/store-release, compare-and-swap and the atomic memory
/// operations (DDI0487 C4.1.88; the LSE rows when ID_AA64ISAR0_EL1.Atomic says so). `d` holds
/// log2 of the access size; `e` the acquire (1) and release (2) semantics.
extension A64Lowering {
    static func ordering(acquire: UInt32, release: UInt32) -> UInt8 { UInt8(acquire | release << 1) }

    func STXR(_ i: A64.STXR) -> DecodedInstruction {
        DecodedInstruction(.stxr, a: Self.source(i.Rt), b: UInt8(i.Rn), c: Self.destination(i.Rs), d: UInt8(i.size))
    }

    func STLXR(_ i: A64.STLXR) -> DecodedInstruction {
        DecodedInstruction(.stlxr, a: Self.source(i.Rt), b: UInt8(i.Rn), c: Self.destination(i.Rs), d: UInt8(i.size))
    }

    func LDXR(_ i: A64.LDXR) -> DecodedInstruction { DecodedInstruction(.ldxr, a: Self.destination(i.Rt), b: UInt8(i.Rn), d: UInt8(i.size)) }
    func LDAXR(_ i: A64.LDAXR) -> DecodedInstruction { DecodedInstruction(.ldaxr, a: Self.destination(i.Rt), b: UInt8(i.Rn), d: UInt8(i.size)) }

    // Pairs: sz 0 is two W registers (d = 2), 1 two X registers (d = 3).

    func STXP(_ i: A64.STXP) -> DecodedInstruction {
        DecodedInstruction(.stxp, a: Self.source(i.Rt), b: UInt8(i.Rn), c: Self.source(i.Rt2), d: UInt8(2 + i.sz), f: Self.destination(i.Rs))
    }

    func STLXP(_ i: A64.STLXP) -> DecodedInstruction {
        DecodedInstruction(.stlxp, a: Self.source(i.Rt), b: UInt8(i.Rn), c: Self.source(i.Rt2), d: UInt8(2 + i.sz), f: Self.destination(i.Rs))
    }

    func LDXP(_ i: A64.LDXP) -> DecodedInstruction {
        DecodedInstruction(.ldxp, a: Self.destination(i.Rt), b: UInt8(i.Rn), c: Self.destination(i.Rt2), d: UInt8(2 + i.sz))
    }

    func LDAXP(_ i: A64.LDAXP) -> DecodedInstruction {
        DecodedInstruction(.ldaxp, a: Self.destination(i.Rt), b: UInt8(i.Rn), c: Self.destination(i.Rt2), d: UInt8(2 + i.sz))
    }

    func STLR(_ i: A64.STLR) -> DecodedInstruction { DecodedInstruction(.stlr, a: Self.source(i.Rt), b: UInt8(i.Rn), d: UInt8(i.size)) }
    func LDAR(_ i: A64.LDAR) -> DecodedInstruction { DecodedInstruction(.ldar, a: Self.destination(i.Rt), b: UInt8(i.Rn), d: UInt8(i.size)) }

    /// CASP works on consecutive even/odd register pairs.
    func CASP(_ i: A64.CASP) -> DecodedInstruction {
        guard i.Rs % 2 == 0, i.Rt % 2 == 0 else { return undefined }
        return DecodedInstruction(.casp, a: UInt8(i.Rt), b: UInt8(i.Rn), c: UInt8(i.Rs), d: UInt8(i.sz + 2),
                                  e: Self.ordering(acquire: i.L, release: i.o0))
    }

    func CAS(_ i: A64.CAS) -> DecodedInstruction {
        DecodedInstruction(.cas, a: UInt8(i.Rt), b: UInt8(i.Rn), c: UInt8(i.Rs), d: UInt8(i.size), e: Self.ordering(acquire: i.L, release: i.o0))
    }

    // MARK: Atomic memory operations

    func atomic(_ kind: OpKind, _ word: UInt32) -> DecodedInstruction {
        DecodedInstruction(kind, a: Self.destination(word & 31), b: UInt8((word >> 5) & 31), c: Self.source((word >> 16) & 31),
                           d: UInt8(word >> 30), e: Self.ordering(acquire: (word >> 23) & 1, release: (word >> 22) & 1))
    }

    func LDADD(_ i: A64.LDADD) -> DecodedInstruction { atomic(.atomicAdd, i.word) }
    func LDCLR(_ i: A64.LDCLR) -> DecodedInstruction { atomic(.atomicClear, i.word) }
    func LDEOR(_ i: A64.LDEOR) -> DecodedInstruction { atomic(.atomicEor, i.word) }
    func LDSET(_ i: A64.LDSET) -> DecodedInstruction { atomic(.atomicSet, i.word) }
    func LDSMAX(_ i: A64.LDSMAX) -> DecodedInstruction { atomic(.atomicSmax, i.word) }
    func LDSMIN(_ i: A64.LDSMIN) -> DecodedInstruction { atomic(.atomicSmin, i.word) }
    func LDUMAX(_ i: A64.LDUMAX) -> DecodedInstruction { atomic(.atomicUmax, i.word) }
    func LDUMIN(_ i: A64.LDUMIN) -> DecodedInstruction { atomic(.atomicUmin, i.word) }
    func SWP(_ i: A64.SWP) -> DecodedInstruction { atomic(.swp, i.word) }
}

// MARK: - Execution (the access itself is in Execute/SynchronizingAccesses.swift)

extension Interpreter {
    /// Exclusives, ordered accesses, compare-and-swap and atomics: always the slow path, which
    /// holds the global monitor. SP must be aligned when SCTLR_EL1 says so.
    @_transparent func synchronizing(_ op: DecodedInstruction, at pc: UInt64, _ block: BlockState) -> Bool {
        if op.b == 31 && block.spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        return cpu.synchronizingAccess(op, pc: pc)
    }
}
