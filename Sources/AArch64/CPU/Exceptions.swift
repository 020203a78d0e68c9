/// Exception entry and return (DDI0487 D1.10 "Exception entry", D1.11 "Exception return").
/// Every exception is taken to EL1: there is no EL2 or EL3 for the guest to see.
extension AArch64CPU {
    /// Vector offsets from VBAR_EL1 (DDI0487 D1.10.2).
    enum ExceptionType: UInt64 {
        case synchronous = 0x000
        case irq = 0x080
        case fiq = 0x100
        case serror = 0x180
    }

    /// Takes an exception to EL1: saves PSTATE in SPSR_EL1 and the return address in ELR_EL1,
    /// masks interrupts, selects SP_EL1 and jumps to the vector.
    func takeException(_ type: ExceptionType, syndrome: UInt64?, faultAddress: UInt64? = nil, returnAddress: UInt64) {
        let vectorGroup: UInt64 = el == 0 ? 0x400 : (spSelect ? 0x200 : 0x000)
        sys.spsr = pstate & ~Self.spsrSS | softwareStepAtExceptionEntry(type == .synchronous ? syndrome : nil)
        sys.elr = returnAddress
        if let syndrome { sys.esr = syndrome }
        if let faultAddress { sys.far = faultAddress }
        // EXC_TAKEN counts at the level the exception is taken from.
        recordPMUEvent(.EXC_TAKEN)
        if el != 1 { notePMUExceptionLevelChange() }
        switchStack(el: 1, spSelect: true)
        daif = 0xF
        illegalState = false
        // An exception whose return address is the vector the previous one jumped to means the
        // handler faulted on its first instruction: a loop no guest recovers from.
        let vector = (sys.vbar & ~0x7FF) &+ vectorGroup &+ type.rawValue
        recursiveExceptions = type == .synchronous && lastExceptionVector == returnAddress
            ? recursiveExceptions &+ 1 : 0
        if recursiveExceptions == 0 {
            // Where a loop, if this starts one, came from: the machine's crash report names it.
            exceptionLoopOrigin = ExceptionLoopOrigin(syndrome: sys.esr, returnAddress: returnAddress,
                                                      vectorBase: sys.vbar, vector: vector)
        }
        lastExceptionVector = vector
        pc = vector
        if stopsOnExceptions {
            // The firmware world has no exception handling of its own: the machine ends the call.
            takenException = TakenException(syndrome: sys.esr, faultAddress: sys.far, returnAddress: returnAddress,
                                            isInterrupt: type != .synchronous)
            requestExit()
        }
    }

    /// The synchronous exception for `exceptionClass` with `iss`; IL is set (32-bit instruction).
    func takeSynchronous(_ exceptionClass: ExceptionClass, iss: UInt32 = 0, faultAddress: UInt64? = nil, returnAddress: UInt64) {
        let syndrome = UInt64(exceptionClass.rawValue) << 26 | 1 << 25 | UInt64(iss & 0x1FF_FFFF)
        takeException(.synchronous, syndrome: syndrome, faultAddress: faultAddress, returnAddress: returnAddress)
    }

    /// An undefined-instruction exception for the instruction at `address` (EC 0, ESR.IL = 1).
    func takeUndefined(at address: UInt64) {
        takeSynchronous(.unknown, returnAddress: address)
    }

    /// A data abort for the access at `address` by the instruction at `pc`.
    func takeDataAbort(_ fault: FaultStatus, address: UInt64, isWrite: Bool, isCacheMaintenance: Bool = false, pc: UInt64) {
        let exceptionClass: ExceptionClass = el == 0 ? .dataAbortLowerEL : .dataAbortSameEL
        var iss = fault.code
        if isWrite || isCacheMaintenance { iss |= 1 << 6 }  // WnR: cache maintenance reports 1
        if isCacheMaintenance { iss |= 1 << 8 }  // CM
        takeSynchronous(exceptionClass, iss: iss, faultAddress: address, returnAddress: pc)
    }

    /// An instruction abort for fetching `address`.
    func takeInstructionAbort(_ fault: FaultStatus, address: UInt64) {
        let exceptionClass: ExceptionClass = el == 0 ? .instructionAbortLowerEL : .instructionAbortSameEL
        takeSynchronous(exceptionClass, iss: fault.code, faultAddress: address, returnAddress: address)
    }

    /// ERET (DDI0487 D1.11): restores PSTATE from SPSR_EL1 and continues at ELR_EL1. A return to a
    /// state this CPU cannot be in (AArch32, EL2, EL3, EL0 with SP_EL1) is an illegal exception
    /// return: EL and SP selection stay, PSTATE.IL is set, and the next instruction traps.
    func exceptionReturn() {
        let spsr = sys.spsr
        let mode = spsr & 0x1F
        let target = UInt8((mode >> 2) & 3)
        let legal = mode & 0x10 == 0 && target <= 1 && mode & 2 == 0 && !(target == 0 && mode & 1 == 1)
        recordPMUEvent(.EXC_RETURN)
        if legal && target != el { notePMUExceptionLevelChange() }
        nzcv = UInt32((spsr >> 28) & 0xF)
        daif = UInt32((spsr >> 6) & 0xF)
        if legal {
            switchStack(el: target, spSelect: mode & 1 == 1)
            illegalState = spsr & (1 << 20) != 0
        } else {
            illegalState = true
        }
        softwareStepAfterReturn(spsr, to: el)
        pc = sys.elr
        exclusive.valid = false
    }

    /// Injects an undefined-instruction exception for the `HVC`/`SMC` that just exited: the
    /// firmware policy said `undefined`. The exception returns to the instruction itself.
    public func injectUndefinedAtFirmwareCall() {
        takeUndefined(at: pc &- 4)
    }
}
