/// The self-hosted debug architecture (DDI0487 D2): hardware breakpoints, watchpoints and
/// software step, the exceptions gdb, ptrace and perf in a guest kernel are built on. Everything
/// is taken to EL1; there is no EL2 or EL3 for the guest to route debug exceptions to.
///
/// How it stays off the hot path: while no debug event can happen, nothing below runs, and the run
/// loop's block boundary is what it was without debug. While one can, the CPU's attention word
/// carries ``AArch64CPU/debugAttention`` and the run loop calls ``AArch64CPU/debugBoundary(at:)``
/// at every block boundary. When the next instruction must run on its own (it is being stepped,
/// or a breakpoint may match in its page), that function checks the breakpoints and points the
/// fetch TLB entry of the PC's page at a one-instruction block (``AArch64CPU/stepBuffer``), which
/// the run loop's ordinary fetch then finds; the next boundary puts the entry back. Watchpoints
/// work through the data TLB: a page a watchpoint covers never enters the fast TLB, so every
/// access to it takes the slow path, which checks the watchpoints before it translates.
struct DebugState {
    /// PSTATE.SS: the step state machine is active-not-pending (1) or active-pending (0) when
    /// software step is active (DDI0487 D2.12.3).
    var pstateSS = false
    /// The instruction running on its own is being stepped: when it completes, PSTATE.SS clears.
    var stepInFlight = false
    /// The last stepped instruction completed, so the Software Step exception's syndrome is
    /// valid (ISV) and says whether it was a load-exclusive (EX).
    var stepCompleted = false
    var steppedLoadExclusive = false
    /// Some watchpoint is enabled and unlocked: data pages it covers stay out of the fast TLB.
    var watchpointsArmed = false
    /// The slot of the instruction last copied into the step buffer.
    var isolatedSlot = 0
    /// The fetch TLB entry that points at the step buffer, if any.
    var installedStepEntry: UnsafeMutablePointer<FetchTLBEntry>?
}

/// What the run loop does after ``AArch64CPU/debugBoundary(at:)``.
enum DebugBoundary {
    /// Fetch and run the block at the PC (one instruction long if debug needs it so).
    case proceed
    /// As ``proceed``, without taking an interrupt first: the host is stepping the instruction.
    case proceedUninterrupted
    /// The host debugger's breakpoint, watchpoint or step stops the vCPU here.
    case hostStop(HostDebugStop)
    /// A Software Step or Breakpoint exception was taken; the PC holds the vector.
    case exceptionTaken
    /// The fetch of the instruction to isolate faulted; the PC holds the vector.
    case fetchFaulted
}

extension AArch64CPU {
    typealias Fields = DebugRegisterFields

    /// The breakpoints that can match a CONTEXTIDR_EL1 value: the highest-numbered ones
    /// (ID_AA64DFR0_EL1.CTX_CMPs + 1 of them).
    static let firstContextAwareBreakpoint = SystemRegisterFile.breakpoints - SystemRegisterFile.contextAwareBreakpoints

    /// Whether debug exceptions other than BRK can be generated at `level` (DDI0487 D2.4,
    /// AArch64.GenerateDebugExceptionsFrom): never while the OS lock or the double lock is set;
    /// from EL0 always, since they are taken to the higher EL1; from EL1 only with MDSCR_EL1.KDE
    /// set and PSTATE.D clear.
    func debugExceptionsEnabled(at level: UInt8) -> Bool {
        guard debugUnlocked else { return false }
        return level == 0 || (sys.mdscr & Fields.MDSCR.KDE != 0 && daif & 8 == 0)
    }

    /// Neither the OS lock nor the OS double lock is set.
    var debugUnlocked: Bool {
        let doubleLocked = sys.osdlr & Fields.DLK != 0 && sys.dbgprcr & Fields.CORENPDRQ == 0
        return sys.oslsr & Fields.OSLK == 0 && !doubleLocked
    }

    /// Recomputes whether debug events are possible after a write to a debug register (or a
    /// reset): sets or clears the attention bit, and empties the data TLB when the set of
    /// watched pages may have changed.
    func refreshDebugState(watchpointsChanged: Bool = false) {
        let unlocked = debugUnlocked
        let monitoring = unlocked && sys.mdscr & Fields.MDSCR.MDE != 0
        let breakpoints = monitoring && sys.breakpointControl.contains { $0 & Fields.DBGBCR.E != 0 }
        let watchpoints = (monitoring && sys.watchpointControl.contains { $0 & Fields.DBGWCR.E != 0 })
            || !hostDebug.watchpoints.isEmpty
        let step = unlocked && sys.mdscr & Fields.MDSCR.SS != 0
        if watchpoints != debug.watchpointsArmed || (watchpoints && watchpointsChanged) {
            debug.watchpointsArmed = watchpoints
            fastTLB.flushAll()
        }
        if breakpoints || step || debug.stepInFlight || hostDebug.isActive {
            attention.pointee |= Self.debugAttention
        } else {
            attention.pointee &= ~Self.debugAttention
            // No boundary will put the fetch entry back: do it now (the block running, if any,
            // still ends at its end-of-step marker).
            uninstallStepBlock()
        }
    }

    /// Points the fetch TLB entry back at nothing if it points at the step buffer.
    func uninstallStepBlock() {
        guard let entry = debug.installedStepEntry else { return }
        entry.pointee = FetchTLBEntry()
        debug.installedStepEntry = nil
    }

    // MARK: - Software step

    /// Whether software step is active at `level` (MDSCR_EL1.SS and debug exceptions enabled).
    func softwareStepActive(at level: UInt8) -> Bool {
        sys.mdscr & Fields.MDSCR.SS != 0 && debugExceptionsEnabled(at: level)
    }

    /// The block-boundary check: finishes a step that completed, takes the Software Step
    /// exception of the active-pending state, and, when the next instruction must run on its
    /// own, takes its breakpoint or makes it a block of its own.
    func debugBoundary(at pc: UInt64) -> DebugBoundary {
        uninstallStepBlock()
        var isolateForHost = false
        var uninterrupted = false
        if hostDebug.isActive, let stop = hostDebugBoundary(at: pc, isolate: &isolateForHost, uninterrupted: &uninterrupted) {
            refreshDebugState()
            return .hostStop(stop)
        }
        if debug.stepInFlight {
            // The stepped instruction completed without an exception (one would have cleared the
            // flag): active-not-pending becomes active-pending (DDI0487 D2.12.4).
            debug.stepInFlight = false
            debug.pstateSS = false
            debug.stepCompleted = true
            refreshDebugState()
        }
        let stepping = softwareStepActive(at: el)
        if stepping && !debug.pstateSS {
            takeSoftwareStep(returnAddress: pc)
            return .exceptionTaken
        }
        let breakpoints = sys.mdscr & Fields.MDSCR.MDE != 0 && debugExceptionsEnabled(at: el)
        guard stepping || isolateForHost || (breakpoints && breakpointMayMatch(inPageOf: pc)) else { return .proceed }
        // Fetch first: an instruction abort comes before a breakpoint.
        guard let page = fetchSlow(pc) else { return .fetchFaulted }
        if breakpoints && breakpointMatches(pc) {
            takeSynchronous(el == 0 ? .breakpointLowerEL : .breakpointSameEL, iss: Fields.debugExceptionStatus, returnAddress: pc)
            return .exceptionTaken
        }
        isolate(page.instructions, at: pc)
        if stepping {
            debug.stepInFlight = true
            debug.stepCompleted = false
            switch stepBuffer[debug.isolatedSlot].kind {
            case .ldxr, .ldaxr, .ldxp, .ldaxp: debug.steppedLoadExclusive = true
            default: debug.steppedLoadExclusive = false
            }
        }
        return uninterrupted ? .proceedUninterrupted : .proceed
    }

    /// Makes the instruction at `pc` of `page` a block of its own: copies it into the step
    /// buffer, whose other slots end the block, and points the page's fetch TLB entry there.
    private func isolate(_ page: UnsafeMutablePointer<DecodedInstruction>, at pc: UInt64) {
        let slot = Int((pc & 0xFFF) >> 2)
        if page[slot].kind == .undecoded { decodeSlot(page, slot: slot) }
        stepBuffer[debug.isolatedSlot] = DecodedInstruction(.stepEnd)
        stepBuffer[slot] = page[slot]
        debug.isolatedSlot = slot
        let entry = fastTLB.fetchSet(el: el) + FastTLB.index(pc)
        entry.pointee = FetchTLBEntry(tag: pc & ~0xFFF, instructions: stepBuffer)
        debug.installedStepEntry = entry
    }

    /// The Software Step exception (EC 0x32/0x33) for the instruction at `returnAddress`, which
    /// has not executed. ISS.ISV says whether EX is valid: it is when the exception follows the
    /// step of an instruction, and then EX tells whether that was a load-exclusive.
    func takeSoftwareStep(returnAddress: UInt64) {
        var iss = Fields.debugExceptionStatus
        if debug.stepCompleted {
            iss |= 1 << 24
            if debug.steppedLoadExclusive { iss |= 1 << 6 }
        }
        takeSynchronous(el == 0 ? .softwareStepLowerEL : .softwareStepSameEL, iss: iss, returnAddress: returnAddress)
    }

    /// PSTATE.SS across exception entry, returning SPSR_EL1.SS: it gets PSTATE.SS, except that an exception
    /// generating instruction (SVC, HVC, SMC) completed before its exception, so a step of it
    /// saves 0 and the Software Step exception is taken on return (DDI0487 D2.12.6). Entry then
    /// clears PSTATE.SS.
    func softwareStepAtExceptionEntry(_ syndrome: UInt64?) -> UInt64 {
        defer {
            debug.pstateSS = false
            debug.stepInFlight = false
            debug.stepCompleted = false
        }
        guard debug.pstateSS else { return 0 }
        if let syndrome, debug.stepInFlight {
            switch UInt32(syndrome >> 26) {
            case ExceptionClass.svc64.rawValue, ExceptionClass.hvc64.rawValue, ExceptionClass.smc64.rawValue: return 0
            default: break
            }
        }
        return Self.spsrSS
    }

    /// PSTATE.SS after an exception return to `level`: SPSR_EL1.SS if software step is active
    /// there, else 0 (DDI0487 D2.12.5).
    func softwareStepAfterReturn(_ spsr: UInt64, to level: UInt8) {
        debug.stepInFlight = false
        debug.stepCompleted = false
        debug.pstateSS = spsr & Self.spsrSS != 0 && softwareStepActive(at: level)
    }

    /// SPSR_ELx.SS.
    static let spsrSS: UInt64 = 1 << 21

    // MARK: - Breakpoints

    /// Whether a breakpoint's or watchpoint's privilege and security controls (PMC or PAC at
    /// `shift`, SSC at `sscShift`) match an instruction or access at `level`, in Non-secure
    /// state as the VMM's guest is: bit 1 of the privilege field for EL1, bit 2 for EL0, SSC
    /// 0b00 (both states) or 0b01 (Non-secure).
    private func privilegeMatches(_ control: UInt64, shift: UInt64, sscShift: UInt64, level: UInt8) -> Bool {
        let privilege = (control >> shift) & 3
        let ssc = (control >> sscShift) & 3
        return ssc <= 1 && privilege & (level == 0 ? 2 : 1) != 0
    }

    /// Whether context-aware breakpoint `n` is an enabled linked context ID match of CONTEXTIDR_EL1,
    /// for an address breakpoint or watchpoint linked to it.
    private func linkedContextMatches(_ n: Int) -> Bool {
        guard n >= Self.firstContextAwareBreakpoint && n < SystemRegisterFile.breakpoints else { return false }
        let control = sys.breakpointControl[n]
        return control & Fields.DBGBCR.E != 0
            && (control >> Fields.DBGBCR.BTShift) & 0xF == Fields.DBGBCR.linkedContextIDMatch
            && UInt32(truncatingIfNeeded: sys.breakpointValue[n]) == UInt32(truncatingIfNeeded: sys.contextidr)
    }

    /// Whether an enabled breakpoint matches the instruction at `pc` (DDI0487 D2.9,
    /// AArch64.BreakpointMatch), for the kinds an EL1-only PE has: address (unlinked, or linked
    /// to a context ID match) and unlinked context ID. Reserved types never match.
    func breakpointMatches(_ pc: UInt64) -> Bool {
        breakpointMatch(pc, addressBits: Fields.addressBits)
    }

    /// Whether a breakpoint may match some instruction in `pc`'s page: the run loop runs whole
    /// blocks (which never leave a page) when none can.
    func breakpointMayMatch(inPageOf pc: UInt64) -> Bool {
        breakpointMatch(pc, addressBits: Fields.addressBits & ~0xFFF)
    }

    private func breakpointMatch(_ pc: UInt64, addressBits: UInt64) -> Bool {
        let level = el
        for n in 0..<SystemRegisterFile.breakpoints {
            let control = sys.breakpointControl[n]
            guard control & Fields.DBGBCR.E != 0,
                  privilegeMatches(control, shift: Fields.DBGBCR.PMCShift, sscShift: Fields.DBGBCR.SSCShift, level: level) else { continue }
            let value = sys.breakpointValue[n]
            // A64 instructions are words: any byte selected selects the word.
            let addressMatch = (pc ^ value) & addressBits == 0 && (control >> Fields.DBGBCR.BASShift) & Fields.DBGBCR.BASMask != 0
            switch (control >> Fields.DBGBCR.BTShift) & 0xF {
            case Fields.DBGBCR.unlinkedAddressMatch:
                if addressMatch { return true }
            case Fields.DBGBCR.linkedAddressMatch:
                if addressMatch && linkedContextMatches(Int((control >> Fields.DBGBCR.LBNShift) & 0xF)) { return true }
            case Fields.DBGBCR.unlinkedContextIDMatch:
                if n >= Self.firstContextAwareBreakpoint && UInt32(truncatingIfNeeded: value) == UInt32(truncatingIfNeeded: sys.contextidr) {
                    return true
                }
            default:
                continue
            }
        }
        return false
    }

    // MARK: - Watchpoints

    /// The bytes watchpoint `n` watches, as a half-open range of VA[48:0], or nil if it watches
    /// none (DDI0487 D2.10.4): with MASK, the 2^MASK-byte block at DBGWVR; without, the bytes of
    /// the doubleword (or, for a word-aligned DBGWVR, the word) its BAS selects, taken as one run
    /// from the lowest selected byte, as QEMU does for the CONSTRAINED UNPREDICTABLE
    /// non-contiguous case. MASK values 1 and 2 are reserved and watch nothing.
    private func watchedRange(_ n: Int) -> Range<UInt64>? {
        let control = sys.watchpointControl[n]
        let value = sys.watchpointValue[n] & Fields.addressBits
        let mask = (control >> Fields.DBGWCR.MASKShift) & 0x1F
        if mask >= 3 {
            let start = value & ~((1 << mask) - 1)
            return start..<(start + (1 << mask))
        }
        guard mask == 0 else { return nil }
        var bas = (control >> Fields.DBGWCR.BASShift) & 0xFF
        if value & 4 != 0 { bas &= 0xF }
        guard bas != 0 else { return nil }
        let first = UInt64(bas.trailingZeroBitCount)
        let length = UInt64((~(bas >> first)).trailingZeroBitCount)
        return (value + first)..<(value + first + length)
    }

    /// Whether some enabled watchpoint covers a byte of the 4 KiB page at `va`: such a page is
    /// kept out of the fast TLB.
    func watchpointCovers(pageOf va: UInt64) -> Bool {
        if hostWatchpointCovers(pageOf: va) { return true }
        let page = va & Fields.addressBits & ~0xFFF
        for n in 0..<SystemRegisterFile.watchpoints where sys.watchpointControl[n] & Fields.DBGWCR.E != 0 {
            if let range = watchedRange(n), range.lowerBound < page + 4096, range.upperBound > page { return true }
        }
        return false
    }

    /// Checks the `size`-byte access at `va` against the watchpoints (DDI0487 D2.10,
    /// AArch64.WatchpointMatch) and, on a match, takes the Watchpoint exception: ELR = `pc`, the
    /// access not performed, FAR = the lowest watched byte the access touches. `accessEL` is the
    /// privilege the access is made with (EL0 for LDTR/STTR at EL1). True if it was taken.
    func watchpointHit(_ va: UInt64, size: Int, isWrite: Bool, el accessEL: UInt8, pc: UInt64) -> Bool {
        // The host's first: it sees the access before the guest's own debug can.
        if !hostDebug.watchpoints.isEmpty && hostWatchpointHit(va, size: size, isWrite: isWrite, pc: pc) { return true }
        guard sys.mdscr & Fields.MDSCR.MDE != 0, debugExceptionsEnabled(at: el) else { return false }
        let start = va & (Fields.addressBits | 3)
        let end = start &+ UInt64(size)
        for n in 0..<SystemRegisterFile.watchpoints {
            let control = sys.watchpointControl[n]
            guard control & Fields.DBGWCR.E != 0,
                  privilegeMatches(control, shift: Fields.DBGWCR.PACShift, sscShift: Fields.DBGWCR.SSCShift, level: accessEL),
                  (control >> Fields.DBGWCR.LSCShift) & (isWrite ? 2 : 1) != 0,
                  control & Fields.DBGWCR.WT == 0 || linkedContextMatches(Int((control >> Fields.DBGWCR.LBNShift) & 0xF)),
                  let range = watchedRange(n), range.lowerBound < end, range.upperBound > start else { continue }
            let faultAddress = va &+ (max(start, range.lowerBound) &- start)
            var iss = Fields.debugExceptionStatus
            if isWrite { iss |= 1 << 6 }  // WnR
            takeSynchronous(el == 0 ? .watchpointLowerEL : .watchpointSameEL, iss: iss, faultAddress: faultAddress, returnAddress: pc)
            return true
        }
        return false
    }
}
