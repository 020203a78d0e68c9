/// Operations one vCPU's instruction applies to every vCPU of the inner shareable domain.
public enum BroadcastOperation: Sendable, Equatable {
    case tlbInvalidate(TLBInvalidation)
    case instructionCacheInvalidateAll
}

/// What a TLBI instruction invalidates.
public enum TLBInvalidation: Sendable, Equatable {
    /// VMALLE1: every entry.
    case all
    /// ASIDE1: every non-global entry of the ASID.
    case asid(UInt16)
    /// VAE1/VALE1 (with the ASID) and VAAE1/VAALE1 (any ASID): entries for the address.
    case address(UInt64, asid: UInt16?)
}

/// What executing a system instruction did.
enum SystemOutcome {
    /// Done; continue with the next instruction.
    case next
    /// Done, and translation or interrupt state may have changed: leave the block.
    case endBlock
    /// An exception was taken; the PC holds the vector.
    case exception
}

/// MRS, MSR, MSR (immediate) and SYS: the system registers of DDI0487 D24 that an EL1 guest
/// uses, with their access rules at EL0 and EL1.
extension AArch64CPU {
    // MARK: - Traps

    /// Traps an EL0 access that a control bit disables (EC 0x18, DDI0487 D24.2.40 ISS encoding).
    func trapSystemAccess(_ encoding: UInt16, rt: UInt8, isRead: Bool, pc: UInt64) -> SystemOutcome {
        let f = SystemRegisterEncoding.fields(encoding)
        let rtField = UInt32(rt > 31 ? 31 : rt)
        let iss = UInt32(f.op0) << 20 | UInt32(f.op2) << 17 | UInt32(f.op1) << 14 | UInt32(f.crn) << 10
            | rtField << 5 | UInt32(f.crm) << 1 | (isRead ? 1 : 0)
        takeSynchronous(.systemRegisterTrap, iss: iss, returnAddress: pc)
        return .exception
    }

    /// Whether CPACR_EL1.FPEN lets `el` execute SIMD&FP instructions and reach FPCR/FPSR
    /// (DDI0487 D13.2.30: 0b11 neither EL traps, 0b01 only EL0 traps, 0b00 and 0b10 both trap).
    @inline(__always) static func floatingPointEnabled(cpacr: UInt64, el: UInt8) -> Bool {
        let fpen = (cpacr & SystemRegisterFile.cpacrFPEN) >> 20
        return fpen == 3 || (fpen == 1 && el == 1)
    }

    /// The trap of a SIMD&FP access that FPEN denies (EC 0x07; for an AArch64 instruction the ISS
    /// has CV = 1 and COND = 0b1110, as hardware reports it).
    func trapFloatingPointAccess(pc: UInt64) -> SystemOutcome {
        takeSynchronous(.floatingPointAccess, iss: 1 << 24 | 0xE << 20, returnAddress: pc)
        return .exception
    }

    func undefinedSystemAccess(pc: UInt64) -> SystemOutcome {
        takeUndefined(at: pc)
        return .exception
    }

    // MARK: - MRS

    /// MRS: reads the system register `encoding` into `x[rt]`.
    func readSystemRegister(_ encoding: UInt16, into rt: UInt8, pc: UInt64) -> SystemOutcome {
        typealias R = SystemRegisterEncoding
        let atEL0 = el == 0
        if atEL0, let register = PMURegister(encoding: encoding) {
            switch register.el0Access(isRead: true, userEnable: pmu.userEnable) {
            case .permitted: break
            case .trapped: return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc)
            case .undefined: return undefinedSystemAccess(pc: pc)
            }
            guard let value = readPMURegister(register) else { return undefinedSystemAccess(pc: pc) }
            x[Int(rt)] = value
            return .next
        }
        let value: UInt64
        switch encoding {
        // Registers EL0 may read.
        case R.NZCV: value = flags
        case R.DAIF:
            if atEL0 && sys.sctlr & (1 << 9) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = UInt64(daif) << 6
        case R.TPIDR_EL0: value = sys.tpidrEL0
        case R.TPIDRRO_EL0: value = sys.tpidrroEL0
        case R.FPCR, R.FPSR:
            guard Self.floatingPointEnabled(cpacr: sys.cpacr, el: el) else { return trapFloatingPointAccess(pc: pc) }
            value = encoding == R.FPCR ? fpcr : fpsr
        case R.CTR_EL0:
            if atEL0 && sys.sctlr & (1 << 15) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = IDRegisters.ctr
        case R.DCZID_EL0:
            // DZP (bit 4) reports whether DC ZVA is prohibited at the current EL.
            let prohibited = atEL0 && sys.sctlr & (1 << 14) == 0
            value = IDRegisters.dczidBlockLog2Words | (prohibited ? 1 << 4 : 0)
        case R.CNTFRQ_EL0:
            if atEL0 && sys.cntkctl & 3 == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = sys.cntfrq
        case R.CNTPCT_EL0:
            if atEL0 && sys.cntkctl & 1 == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = counter.counter
        case R.CNTVCT_EL0:
            if atEL0 && sys.cntkctl & 2 == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = counter.counter
        case R.CNTP_CTL_EL0, R.CNTP_CVAL_EL0, R.CNTP_TVAL_EL0:
            if atEL0 && sys.cntkctl & (1 << 9) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = readTimer(encoding)
        case R.CNTV_CTL_EL0, R.CNTV_CVAL_EL0, R.CNTV_TVAL_EL0:
            if atEL0 && sys.cntkctl & (1 << 8) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: true, pc: pc) }
            value = readTimer(encoding)
        default:
            guard !atEL0 else { return undefinedSystemAccess(pc: pc) }
            guard let v = readEL1SystemRegister(encoding) else { return undefinedSystemAccess(pc: pc) }
            value = v
        }
        x[Int(rt)] = value
        return .next
    }

    /// The EL1 registers, or nil for an encoding that is not implemented (UNDEFINED).
    func readEL1SystemRegister(_ encoding: UInt16) -> UInt64? {
        typealias R = SystemRegisterEncoding
        if let id = IDRegisters.value(encoding, features: features, identity: identity) { return id }
        switch encoding {
        case R.CCSIDR_EL1: return IDRegisters.ccsidr(csselr: sys.csselr)
        case R.CLIDR_EL1: return IDRegisters.clidr
        case R.AIDR_EL1: return 0
        case R.CSSELR_EL1: return sys.csselr
        case R.SCTLR_EL1: return sys.sctlr
        case R.ACTLR_EL1: return sys.actlr
        case R.CPACR_EL1: return sys.cpacr
        case R.TTBR0_EL1: return sys.ttbr0
        case R.TTBR1_EL1: return sys.ttbr1
        case R.TCR_EL1: return sys.tcr
        case R.SPSR_EL1: return sys.spsr
        case R.ELR_EL1: return sys.elr
        case R.SP_EL0: return spSelect ? spEL0 : nil
        case R.SPSel: return spSelect ? 1 : 0
        case R.CurrentEL: return UInt64(el) << 2
        case R.AFSR0_EL1: return sys.afsr0
        case R.AFSR1_EL1: return sys.afsr1
        case R.ESR_EL1: return sys.esr
        case R.FAR_EL1: return sys.far
        case R.PAR_EL1: return sys.par
        case R.MAIR_EL1: return sys.mair
        case R.AMAIR_EL1: return sys.amair
        case R.VBAR_EL1: return sys.vbar
        case R.RVBAR_EL1: return 0
        case R.ISR_EL1: return (irqLine ? 1 << 7 : 0) | (fiqLine ? 1 << 6 : 0)
        case R.CONTEXTIDR_EL1: return sys.contextidr
        case R.TPIDR_EL1: return sys.tpidrEL1
        case R.CNTKCTL_EL1: return sys.cntkctl
        // Debug registers: storage only.
        case R.MDSCR_EL1: return sys.mdscr
        case R.MDCCINT_EL1: return sys.mdccint
        case R.OSLSR_EL1: return sys.oslsr
        case R.OSDLR_EL1: return sys.osdlr
        case R.DBGPRCR_EL1: return sys.dbgprcr
        case R.OSECCR_EL1: return sys.oseccr
        case R.OSDTRRX_EL1: return sys.osdtrrx
        case R.OSDTRTX_EL1: return sys.osdtrtx
        case R.MDRAR_EL1: return 0
        case R.DBGCLAIMSET_EL1: return 0xFF
        case R.DBGCLAIMCLR_EL1: return sys.claim
        case R.DBGAUTHSTATUS_EL1: return 0
        case R.MDCCSR_EL0, R.DBGDTR_EL0, R.DBGDTRRX_EL0: return 0
        default:
            if let register = PMURegister(encoding: encoding) { return readPMURegister(register) }
            if let (kind, n) = debugBreakpointRegister(encoding) {
                switch kind {
                case 4: return sys.breakpointValue[n]
                case 5: return sys.breakpointControl[n]
                case 6: return sys.watchpointValue[n]
                default: return sys.watchpointControl[n]
                }
            }
            return systemRegisterHandler?.readSystemRegister(encoding, cpu: self)
        }
    }

    /// DBGBVRn/DBGBCRn/DBGWVRn/DBGWCRn (op0 2, op1 0, CRn 0, CRm n, op2 4-7) for implemented n.
    func debugBreakpointRegister(_ encoding: UInt16) -> (Int, Int)? {
        let f = SystemRegisterEncoding.fields(encoding)
        guard f.op0 == 2, f.op1 == 0, f.crn == 0, f.op2 >= 4 else { return nil }
        let count = f.op2 <= 5 ? SystemRegisterFile.breakpoints : SystemRegisterFile.watchpoints
        return f.crm < count ? (f.op2, f.crm) : nil
    }

    // MARK: - MSR

    /// MSR: writes `value` to the system register `encoding`.
    func writeSystemRegister(_ encoding: UInt16, value: UInt64, rt: UInt8, pc: UInt64) -> SystemOutcome {
        typealias R = SystemRegisterEncoding
        if el == 0, let register = PMURegister(encoding: encoding) {
            switch register.el0Access(isRead: false, userEnable: pmu.userEnable) {
            case .permitted: break
            case .trapped: return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc)
            case .undefined: return undefinedSystemAccess(pc: pc)
            }
        } else if el == 0 {
            // The registers EL0 may write, and the controls that trap them to EL1.
            switch encoding {
            case R.NZCV, R.TPIDR_EL0, R.FPCR, R.FPSR:
                break
            case R.DAIF:
                if sys.sctlr & (1 << 9) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc) }
            case R.CNTP_CTL_EL0, R.CNTP_CVAL_EL0, R.CNTP_TVAL_EL0:
                if sys.cntkctl & (1 << 9) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc) }
            case R.CNTV_CTL_EL0, R.CNTV_CVAL_EL0, R.CNTV_TVAL_EL0:
                if sys.cntkctl & (1 << 8) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc) }
            default:
                return undefinedSystemAccess(pc: pc)
            }
        }
        if encoding == R.FPCR || encoding == R.FPSR, !Self.floatingPointEnabled(cpacr: sys.cpacr, el: el) {
            return trapFloatingPointAccess(pc: pc)
        }
        switch storeSystemRegister(encoding, value) {
        case nil: return undefinedSystemAccess(pc: pc)
        case true?: return .endBlock
        case false?: return .next
        }
    }

    /// Writes an EL1 system register. Returns nil if `encoding` names no writable register, and
    /// otherwise whether translation or interrupt state may have changed.
    func storeSystemRegister(_ encoding: UInt16, _ value: UInt64) -> Bool? {
        typealias R = SystemRegisterEncoding
        switch encoding {
        case R.NZCV: flags = value
        case R.DAIF:
            daif = UInt32((value >> 6) & 0xF)
            return true
        case R.TPIDR_EL0: sys.tpidrEL0 = value
        case R.CNTP_CTL_EL0, R.CNTP_CVAL_EL0, R.CNTP_TVAL_EL0, R.CNTV_CTL_EL0, R.CNTV_CVAL_EL0, R.CNTV_TVAL_EL0:
            writeTimer(encoding, value)
            return true
        case R.SCTLR_EL1:
            sys.sctlr = value & SystemRegisterFile.sctlrWritable | SystemRegisterFile.sctlrRES1
            x[Self.sctlrSlot] = sys.sctlr
            flushTranslationCaches()
            return true
        case R.TTBR0_EL1:
            sys.ttbr0 = value
            flushTranslationCaches()
            return true
        case R.TTBR1_EL1:
            sys.ttbr1 = value
            flushTranslationCaches()
            return true
        case R.TCR_EL1:
            sys.tcr = value
            flushTranslationCaches()
            return true
        case R.ACTLR_EL1: sys.actlr = value
        case R.CPACR_EL1:
            // FPEN decides whether the next block may run SIMD&FP instructions.
            sys.cpacr = value & SystemRegisterFile.cpacrFPEN
            x[Self.cpacrSlot] = sys.cpacr
            return true
        case R.FPCR: fpcr = value
        case R.FPSR: fpsr = value
        case R.SPSR_EL1: sys.spsr = value
        case R.ELR_EL1: sys.elr = value
        case R.SP_EL0:
            guard spSelect else { return nil }
            spEL0 = value
        case R.SPSel:
            switchStack(el: el, spSelect: value & 1 == 1)
        case R.AFSR0_EL1: sys.afsr0 = value
        case R.AFSR1_EL1: sys.afsr1 = value
        case R.ESR_EL1: sys.esr = value & 0xFFFF_FFFF
        case R.FAR_EL1: sys.far = value
        case R.PAR_EL1: sys.par = value
        case R.MAIR_EL1: sys.mair = value
        case R.AMAIR_EL1: sys.amair = value
        case R.VBAR_EL1: sys.vbar = value & ~0x7FF
        case R.CONTEXTIDR_EL1: sys.contextidr = value & 0xFFFF_FFFF
        case R.TPIDR_EL1: sys.tpidrEL1 = value
        case R.TPIDRRO_EL0: sys.tpidrroEL0 = value
        case R.CSSELR_EL1: sys.csselr = value & 0xF
        case R.CNTKCTL_EL1: sys.cntkctl = value & 0x3FF
        case R.CNTFRQ_EL0: sys.cntfrq = value & 0xFFFF_FFFF  // writable: EL1 is the highest EL
        case R.MDSCR_EL1:
            sys.mdscr = value
            refreshDebugState(watchpointsChanged: true)
            return true
        case R.MDCCINT_EL1: sys.mdccint = value
        case R.OSLAR_EL1:
            sys.oslsr = (sys.oslsr & ~DebugRegisterFields.OSLK) | (value & 1) << 1
            refreshDebugState()
            return true
        case R.OSDLR_EL1:
            sys.osdlr = value & DebugRegisterFields.DLK
            refreshDebugState()
            return true
        case R.DBGPRCR_EL1:
            sys.dbgprcr = value & DebugRegisterFields.CORENPDRQ
            refreshDebugState()
            return true
        case R.OSECCR_EL1: sys.oseccr = value & 0xFFFF_FFFF
        case R.OSDTRRX_EL1: sys.osdtrrx = value & 0xFFFF_FFFF
        case R.OSDTRTX_EL1: sys.osdtrtx = value & 0xFFFF_FFFF
        case R.DBGCLAIMSET_EL1: sys.claim |= value & 0xFF
        case R.DBGCLAIMCLR_EL1: sys.claim &= ~(value & 0xFF)
        case R.MDCCSR_EL0, R.DBGDTR_EL0, R.DBGDTRRX_EL0: break
        default:
            if let register = PMURegister(encoding: encoding) { return writePMURegister(register, value) ? true : nil }
            if let (kind, n) = debugBreakpointRegister(encoding) {
                switch kind {
                case 4: sys.breakpointValue[n] = value
                case 5: sys.breakpointControl[n] = value & DebugRegisterFields.DBGBCR.writable
                case 6: sys.watchpointValue[n] = value & ~3  // bits 1:0 are RES0
                default: sys.watchpointControl[n] = value & DebugRegisterFields.DBGWCR.writable
                }
                refreshDebugState(watchpointsChanged: kind >= 6)
                return true
            }
            guard let handler = systemRegisterHandler, handler.writeSystemRegister(encoding, value: value, cpu: self) else {
                return nil
            }
            return true
        }
        return false
    }

    /// Sets a system register as an EL1 MSR would, for loaders and tests; false if `encoding`
    /// names no writable register.
    @discardableResult
    public func setSystemRegister(_ encoding: UInt16, _ value: UInt64) -> Bool {
        storeSystemRegister(encoding, value) != nil
    }

    /// Reads a system register as an EL1 MRS would, for tools and tests; nil if there is none.
    public func systemRegister(_ encoding: UInt16) -> UInt64? {
        typealias R = SystemRegisterEncoding
        switch encoding {
        case R.NZCV: return flags
        case R.DAIF: return UInt64(daif) << 6
        case R.TPIDR_EL0: return sys.tpidrEL0
        case R.TPIDRRO_EL0: return sys.tpidrroEL0
        case R.FPCR: return fpcr
        case R.FPSR: return fpsr
        case R.CTR_EL0: return IDRegisters.ctr
        case R.DCZID_EL0: return IDRegisters.dczidBlockLog2Words
        case R.CNTFRQ_EL0: return sys.cntfrq
        case R.CNTPCT_EL0, R.CNTVCT_EL0: return counter.counter
        case R.CNTP_CTL_EL0, R.CNTP_CVAL_EL0, R.CNTP_TVAL_EL0, R.CNTV_CTL_EL0, R.CNTV_CVAL_EL0, R.CNTV_TVAL_EL0:
            return readTimer(encoding)
        default: return readEL1SystemRegister(encoding)
        }
    }

    // MARK: - MSR (immediate)

    /// MSR (immediate) to a PSTATE field: `field` is op1:op2, `crm` the immediate.
    func writePSTATEField(_ field: UInt8, crm: UInt8, pc: UInt64) -> SystemOutcome {
        switch field {
        case 0b000_101:  // SPSel
            guard el == 1 else { return undefinedSystemAccess(pc: pc) }
            switchStack(el: el, spSelect: crm & 1 == 1)
            return .next
        case 0b011_110, 0b011_111:  // DAIFSet, DAIFClr
            if el == 0 && sys.sctlr & (1 << 9) == 0 {
                let encoding = A64Decoder.systemRegisterEncoding(op0: 0, op1: 3, crn: 4, crm: UInt32(crm), op2: UInt32(field & 7))
                return trapSystemAccess(encoding, rt: 31, isRead: false, pc: pc)
            }
            if field & 1 == 0 { daif |= UInt32(crm) } else { daif &= ~UInt32(crm) }
            return .endBlock
        default:
            // PAN, UAO, DIT, SSBS, TCO...: features this CPU does not advertise.
            return undefinedSystemAccess(pc: pc)
        }
    }

    // MARK: - Generic timer

    func readTimer(_ encoding: UInt16) -> UInt64 {
        typealias R = SystemRegisterEncoding
        let count = counter.counter
        switch encoding {
        case R.CNTV_CTL_EL0: return observedControl(sys.cntvCtl, compare: sys.cntvCval, count: count)
        case R.CNTV_CVAL_EL0: return sys.cntvCval
        case R.CNTV_TVAL_EL0: return (sys.cntvCval &- count) & 0xFFFF_FFFF
        case R.CNTP_CTL_EL0: return observedControl(sys.cntpCtl, compare: sys.cntpCval, count: count)
        case R.CNTP_CVAL_EL0: return sys.cntpCval
        default: return (sys.cntpCval &- count) & 0xFFFF_FFFF
        }
    }

    /// CNTx_CTL as the guest reads it. A guest that sees ISTATUS with the output unmasked must
    /// already have the interrupt line up (the output is the condition itself, DDI0487 D11.2.4):
    /// the deadline may have passed inside the current slice, before the scheduler raised it,
    /// so the observer hears now and the IRQ is taken at the next block boundary.
    /// (kvm-unit-tests' timer test spins on ISTATUS and then expects its handler to have run.)
    private func observedControl(_ control: UInt64, compare: UInt64, count: UInt64) -> UInt64 {
        let value = timerControl(control, compare: compare, count: count)
        if value & 7 == 5 { timerObserver?.timerOutputsChanged(self) }  // ENABLE, ISTATUS, not IMASK
        return value
    }

    func writeTimer(_ encoding: UInt16, _ value: UInt64) {
        typealias R = SystemRegisterEncoding
        let count = counter.counter
        let timerValue = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        switch encoding {
        case R.CNTV_CTL_EL0: sys.cntvCtl = value & 3
        case R.CNTV_CVAL_EL0: sys.cntvCval = value
        case R.CNTV_TVAL_EL0: sys.cntvCval = count &+ timerValue
        case R.CNTP_CTL_EL0: sys.cntpCtl = value & 3
        case R.CNTP_CVAL_EL0: sys.cntpCval = value
        default: sys.cntpCval = count &+ timerValue
        }
        timerObserver?.timerOutputsChanged(self)
    }

    /// CNTx_CTL with ISTATUS (bit 2) computed: the timer condition is met when enabled and the
    /// count has reached the compare value.
    func timerControl(_ control: UInt64, compare: UInt64, count: UInt64) -> UInt64 {
        control & 1 != 0 && count >= compare ? control | 4 : control
    }

    /// Whether the virtual timer's interrupt output is asserted (ENABLE, ISTATUS and not IMASK).
    public var virtualTimerInterrupt: Bool {
        sys.cntvCtl & 3 == 1 && counter.counter >= sys.cntvCval
    }

    /// Whether the physical timer's interrupt output is asserted.
    public var physicalTimerInterrupt: Bool {
        sys.cntpCtl & 3 == 1 && counter.counter >= sys.cntpCval
    }

    /// The earliest count at which an enabled, unmasked timer fires, if any: how long a WFI
    /// can sleep.
    public var nextTimerDeadline: UInt64? {
        var deadline: UInt64?
        if sys.cntvCtl & 3 == 1 { deadline = sys.cntvCval }
        if sys.cntpCtl & 3 == 1 { deadline = min(deadline ?? .max, sys.cntpCval) }
        return deadline
    }

    // MARK: - SYS

    /// SYS: cache maintenance, address translation and TLB maintenance (DDI0487 C5.3).
    func systemInstruction(_ encoding: UInt16, operand: UInt64, rt: UInt8, pc: UInt64) -> SystemOutcome {
        typealias R = SystemRegisterEncoding
        let atEL0 = el == 0
        switch encoding {
        case R.DC_ZVA:
            if atEL0 && sys.sctlr & (1 << 14) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc) }
            let block = operand & ~(IDRegisters.dczBlockSize - 1)
            guard let host = hostPointerForUpdate(block, size: Int(IDRegisters.dczBlockSize), el: el, pc: pc, zeroByVA: operand) else {
                return .exception
            }
            host.initializeMemory(as: UInt8.self, repeating: 0, count: Int(IDRegisters.dczBlockSize))
            return .next
        case R.DC_CVAC, R.DC_CVAU, R.DC_CIVAC, R.IC_IVAU:
            if atEL0 && sys.sctlr & (1 << 26) == 0 { return trapSystemAccess(encoding, rt: rt, isRead: false, pc: pc) }
            // Caches are not modelled, but the address must translate (and be readable at EL0).
            // A fault is reported as a data abort with CM set (DDI0487 D7.2.30, ISS.CM).
            if case .fault(let fault) = translate(operand, kind: .read, el: el) {
                takeDataAbort(fault, address: operand, isWrite: true, isCacheMaintenance: true, pc: pc)
                return .exception
            }
            if encoding == R.IC_IVAU, case .success(let translation) = translateUnchecked(operand, kind: .read) {
                invalidateCode(physicalPage: translation.physicalPage >> 12)
                return .endBlock
            }
            return .next
        default:
            break
        }
        guard !atEL0 else { return undefinedSystemAccess(pc: pc) }
        switch encoding {
        case R.IC_IALLU:
            invalidateAllCode()
            return .endBlock
        case R.IC_IALLUIS:
            invalidateAllCode()
            broadcast?(.instructionCacheInvalidateAll)
            return .endBlock
        case R.DC_IVAC:
            if case .fault(let fault) = translate(operand, kind: .write, el: el) {
                takeDataAbort(fault, address: operand, isWrite: true, isCacheMaintenance: true, pc: pc)
                return .exception
            }
            return .next
        case R.DC_ISW, R.DC_CSW, R.DC_CISW:
            return .next
        case R.AT_S1E1R, R.AT_S1E1W, R.AT_S1E0R, R.AT_S1E0W:
            addressTranslate(encoding, operand)
            return .next
        case R.TLBI_VMALLE1, R.TLBI_VMALLE1IS, R.TLBI_ASIDE1, R.TLBI_ASIDE1IS,
            R.TLBI_VAE1, R.TLBI_VAE1IS, R.TLBI_VALE1, R.TLBI_VALE1IS,
            R.TLBI_VAAE1, R.TLBI_VAAE1IS, R.TLBI_VAALE1, R.TLBI_VAALE1IS:
            let f = SystemRegisterEncoding.fields(encoding)
            let asidBits: UInt64 = sys.tcr & (1 << 36) != 0 ? 0xFFFF : 0xFF
            let asid = UInt16((operand >> 48) & asidBits)
            // Xt[43:0] holds VA[55:12]; bit 55 extends through the top byte.
            let address = UInt64(bitPattern: Int64(bitPattern: (operand & 0xFFF_FFFF_FFFF) << 20) >> 8)
            let operation: TLBInvalidation
            switch f.op2 {
            case 0: operation = .all
            case 2: operation = .asid(asid)
            case 1, 5: operation = .address(address, asid: asid)
            default: operation = .address(address, asid: nil)
            }
            invalidateTLB(operation)
            if f.crm == 3 { broadcast?(.tlbInvalidate(operation)) }
            return .endBlock
        default:
            return undefinedSystemAccess(pc: pc)
        }
    }

    /// Applies a TLB invalidation to this vCPU (also called for other vCPUs' IS broadcasts).
    public func invalidateTLB(_ operation: TLBInvalidation) {
        switch operation {
        case .all: translations.invalidateAll()
        case .asid(let asid): translations.invalidate(asid: asid)
        case .address(let address, let asid): translations.invalidate(address: address, asid: asid)
        }
        flushTranslationCaches()
    }

    /// Applies another vCPU's broadcast operation to this vCPU.
    public func perform(_ operation: BroadcastOperation) {
        switch operation {
        case .tlbInvalidate(let invalidation): invalidateTLB(invalidation)
        case .instructionCacheInvalidateAll: invalidateAllCode()
        }
    }

    /// AT S1E1R/W, S1E0R/W: translates and writes the result to PAR_EL1 (DDI0487 D24.2.113).
    func addressTranslate(_ encoding: UInt16, _ va: UInt64) {
        typealias R = SystemRegisterEncoding
        let kind: AccessKind = encoding == R.AT_S1E1W || encoding == R.AT_S1E0W ? .write : .read
        let accessEL: UInt8 = encoding == R.AT_S1E0R || encoding == R.AT_S1E0W ? 0 : 1
        switch translate(va, kind: kind, el: accessEL) {
        case .success(let translation):
            // PA[47:12], ATTR in bits 63:56, SH = 0b11 (Normal, inner shareable) or 0b10 for Device.
            let shareability: UInt64 = translation.isDevice ? 0b10 : 0b11
            sys.par = UInt64(translation.attributes) << 56 | translation.physicalPage | shareability << 7
        case .fault(let fault):
            // F = 1, FST in bits 6:1; external aborts on the walk set PTW? (stage 2 only): 0.
            sys.par = 1 | UInt64(fault.code) << 1
        }
    }
}
