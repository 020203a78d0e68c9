/// A PMU system register (DDI0487 D13.4), decoded from its MRS/MSR encoding.
enum PMURegister: Equatable {
    case PMCR, PMCNTENSET, PMCNTENCLR, PMOVSCLR, PMSWINC, PMSELR, PMCEID0, PMCEID1
    case PMCCNTR, PMXEVTYPER, PMXEVCNTR, PMUSERENR, PMINTENSET, PMINTENCLR, PMOVSSET
    case PMEVCNTR(Int), PMEVTYPER(Int), PMCCFILTR

    /// The register `encoding` names, or nil if it names none of the PMU's.
    init?(encoding: UInt16) {
        let f = SystemRegisterEncoding.fields(encoding)
        guard f.op0 == 3 else { return nil }
        switch (f.op1, f.crn, f.crm, f.op2) {
        case (3, 9, 12, 0): self = .PMCR
        case (3, 9, 12, 1): self = .PMCNTENSET
        case (3, 9, 12, 2): self = .PMCNTENCLR
        case (3, 9, 12, 3): self = .PMOVSCLR
        case (3, 9, 12, 4): self = .PMSWINC
        case (3, 9, 12, 5): self = .PMSELR
        case (3, 9, 12, 6): self = .PMCEID0
        case (3, 9, 12, 7): self = .PMCEID1
        case (3, 9, 13, 0): self = .PMCCNTR
        case (3, 9, 13, 1): self = .PMXEVTYPER
        case (3, 9, 13, 2): self = .PMXEVCNTR
        case (3, 9, 14, 0): self = .PMUSERENR
        case (0, 9, 14, 1): self = .PMINTENSET
        case (0, 9, 14, 2): self = .PMINTENCLR
        case (3, 9, 14, 3): self = .PMOVSSET
        case (3, 14, 8...11, _): self = .PMEVCNTR((f.crm - 8) << 3 | f.op2)
        case (3, 14, 15, 7): self = .PMCCFILTR
        case (3, 14, 12...15, _): self = .PMEVTYPER((f.crm - 12) << 3 | f.op2)
        default: return nil
        }
    }

    /// What EL0 may do with the register under PMUSERENR_EL0 (DDI0487 D13.4; traps are EC 0x18).
    func el0Access(isRead: Bool, userEnable: UInt64) -> PMUAccess {
        typealias U = PerformanceMonitorsFields.PMUSERENR
        let enabled = userEnable & U.EN != 0
        switch self {
        case .PMINTENSET, .PMINTENCLR: return .undefined  // EL1 registers
        case .PMUSERENR: return isRead ? .permitted : .undefined
        case .PMSWINC: return enabled || userEnable & U.SW != 0 ? .permitted : .trapped
        case .PMCCNTR: return enabled || (isRead && userEnable & U.CR != 0) ? .permitted : .trapped
        case .PMSELR: return enabled || userEnable & U.ER != 0 ? .permitted : .trapped
        case .PMXEVCNTR, .PMEVCNTR: return enabled || (isRead && userEnable & U.ER != 0) ? .permitted : .trapped
        default: return enabled ? .permitted : .trapped
        }
    }
}

/// Whether an EL0 access to a PMU register happens.
enum PMUAccess {
    case permitted
    /// Trapped to EL1 with EC 0x18.
    case trapped
    case undefined
}

/// What the Performance Monitors drive: the board's interrupt controller, whose PMU interrupt
/// (PPI 23 on the virt board) follows ``AArch64CPU/performanceMonitorsInterrupt``.
public protocol PerformanceMonitorsObserver: AnyObject {
    /// `cpu`'s ``AArch64CPU/performanceMonitorsInterrupt`` changed.
    func performanceMonitorsInterruptChanged(_ cpu: AArch64CPU)
}

/// The PMU registers' reads and writes, and the points where the CPU brings its counters up to date.
extension AArch64CPU {
    typealias PMUFields = PerformanceMonitorsFields

    /// The branches BR_RETIRED counts, as ``OpKind/countedBranch`` numbers them in its `f`.
    static let countedBranchKinds: [OpKind] = [.b, .bl, .bCond, .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz, .br, .ret, .blr]

    /// The PMU's overflow interrupt request (level-sensitive).
    public var performanceMonitorsInterrupt: Bool { pmu.interruptLevel }

    /// Whether PMU counting is on (kept in the register block so that exception entry and return
    /// test it without an exclusivity check).
    var pmuActive: Bool { x[Self.pmuSlot] & Self.pmuCounting != 0 }

    /// Whether a counter counts MEM_ACCESS (in the register block, for the memory slow paths).
    var pmuCountsMemoryAccesses: Bool { x[Self.pmuSlot] & Self.pmuCountsMemory != 0 }

    /// Brings the counters up to the instructions retired so far (``instructionsRetired`` must be
    /// current), attributing them to the exception level they ran at, and returns how many more
    /// may retire before an instruction-driven counter overflows.
    @discardableResult
    func synchronizePMU() -> UInt64? {
        let now = instructionsRetired
        let branches = x[Self.branchesSlot]
        pmu.retire(now &- pmu.synchronizedRetired, branches: branches &- pmu.synchronizedBranches, at: pmu.countingEL)
        pmu.synchronizedRetired = now
        pmu.synchronizedBranches = branches
        pmu.countingEL = el
        attention.pointee &= ~Self.pmuAttention
        updatePMUInterrupt()
        return pmu.instructionsUntilOverflow
    }

    /// The exception level is about to change (exception entry or return): the instructions so
    /// far counted at the old one. The run loop synchronizes at the next block boundary, before
    /// any instruction runs at the new level.
    @inline(__always)
    func notePMUExceptionLevelChange() {
        if pmuActive { attention.pointee |= Self.pmuAttention }
    }

    /// Counts one `event` at the current exception level, if the PMU counts at all.
    @inline(__always)
    func recordPMUEvent(_ event: PMUEvent) {
        if pmuActive { recordPMUEventSlow(event) }
    }

    @inline(never)
    func recordPMUEventSlow(_ event: PMUEvent) {
        pmu.record(event, at: el)
        updatePMUInterrupt()
    }

    /// Tells the interrupt controller when the overflow interrupt request changes.
    func updatePMUInterrupt() {
        let level = pmu.interruptRequest
        guard level != pmu.interruptLevel else { return }
        pmu.interruptLevel = level
        performanceMonitorsObserver?.performanceMonitorsInterruptChanged(self)
    }

    /// After a change of configuration: the run loop's active flag, the fast TLB (empty of data
    /// pages while MEM_ACCESS counts), the interrupt, and a boundary at which the run's budget is
    /// cut to the next overflow.
    func pmuConfigurationChanged() {
        let countedMemory = pmu.countsMemoryAccesses
        let countedBranches = pmu.countsBranches
        pmu.configurationChanged()
        if pmu.countsMemoryAccesses && !countedMemory {
            fastTLB.flushData(el: 0)
            fastTLB.flushData(el: 1)
        }
        x[Self.pmuSlot] = (pmu.isActive ? Self.pmuCounting : 0) | (pmu.countsMemoryAccesses ? Self.pmuCountsMemory : 0)
            | (pmu.countsBranches ? Self.pmuCountsBranches : 0)
        // Branches are decoded one way or the other: decode again.
        if pmu.countsBranches != countedBranches { invalidateAllCode() }
        if pmu.isActive { attention.pointee |= Self.pmuAttention }
        updatePMUInterrupt()
    }

    /// Puts the PMU in its reset state (PMCR_EL0.E clear, nothing enabled), counting from now.
    func resetPMU() {
        if pmu.countsBranches { invalidateAllCode() }
        pmu = PerformanceMonitors()
        pmu.synchronizedRetired = instructionsRetired
        pmu.synchronizedBranches = x[Self.branchesSlot]
        x[Self.pmuSlot] = 0
        attention.pointee &= ~Self.pmuAttention
        performanceMonitorsObserver?.performanceMonitorsInterruptChanged(self)
    }

    // MARK: - Registers

    /// MRS of a PMU register at EL1 (EL0's permission already checked); nil if UNDEFINED.
    func readPMURegister(_ register: PMURegister) -> UInt64? {
        synchronizePMU()
        let n = PerformanceMonitors.eventCounters
        switch register {
        case .PMCR: return pmu.pmcr
        case .PMCNTENSET, .PMCNTENCLR: return UInt64(pmu.enabled)
        case .PMINTENSET, .PMINTENCLR: return UInt64(pmu.interruptEnabled)
        case .PMOVSSET, .PMOVSCLR: return UInt64(pmu.overflow)
        case .PMSWINC: return nil  // write-only
        case .PMSELR: return pmu.select
        case .PMCEID0: return PMUEvent.commonEventsImplemented.0
        case .PMCEID1: return PMUEvent.commonEventsImplemented.1
        case .PMCCNTR: return pmu.cycleCount
        case .PMUSERENR: return pmu.userEnable
        case .PMCCFILTR: return pmu.cycleFilter
        case .PMEVCNTR(let index): return index < n ? pmu.counters[index] : nil
        case .PMEVTYPER(let index): return index < n ? pmu.eventTypes[index] : nil
        case .PMXEVTYPER:
            // PMSELR_EL0.SEL 31 selects PMCCFILTR_EL0; an unimplemented counter reads as zero
            // (the CONSTRAINED UNPREDICTABLE choice of RAZ/WI).
            if pmu.select == PMUFields.cycleCounterIndex { return pmu.cycleFilter }
            return pmu.select < UInt64(n) ? pmu.eventTypes[Int(pmu.select)] : 0
        case .PMXEVCNTR:
            return pmu.select < UInt64(n) ? pmu.counters[Int(pmu.select)] : 0
        }
    }

    /// MSR to a PMU register; false if UNDEFINED (a read-only register, an absent counter).
    func writePMURegister(_ register: PMURegister, _ value: UInt64) -> Bool {
        synchronizePMU()
        let n = PerformanceMonitors.eventCounters
        let mask = PerformanceMonitors.implementedCounters
        let bits = UInt32(truncatingIfNeeded: value) & mask
        switch register {
        case .PMCR: pmu.writePMCR(value)
        case .PMCNTENSET: pmu.enabled |= bits
        case .PMCNTENCLR: pmu.enabled &= ~bits
        case .PMINTENSET: pmu.interruptEnabled |= bits
        case .PMINTENCLR: pmu.interruptEnabled &= ~bits
        case .PMOVSSET: pmu.overflow |= bits
        case .PMOVSCLR: pmu.overflow &= ~bits
        case .PMSWINC: pmu.softwareIncrement(value, at: el)
        case .PMSELR: pmu.select = value & 0x1F
        case .PMCEID0, .PMCEID1: return false
        case .PMCCNTR: pmu.cycleCount = value
        case .PMUSERENR: pmu.userEnable = value & PMUFields.PMUSERENR.writable
        case .PMCCFILTR: pmu.cycleFilter = value & PMUFields.PMEVTYPER.cycleFilterWritable
        case .PMEVCNTR(let index):
            guard index < n else { return false }
            pmu.counters[index] = value & 0xFFFF_FFFF
        case .PMEVTYPER(let index):
            guard index < n else { return false }
            pmu.eventTypes[index] = value & PMUFields.PMEVTYPER.writable
        case .PMXEVTYPER:
            if pmu.select == PMUFields.cycleCounterIndex {
                pmu.cycleFilter = value & PMUFields.PMEVTYPER.cycleFilterWritable
            } else if pmu.select < UInt64(n) {
                pmu.eventTypes[Int(pmu.select)] = value & PMUFields.PMEVTYPER.writable
            }
        case .PMXEVCNTR:
            if pmu.select < UInt64(n) { pmu.counters[Int(pmu.select)] = value & 0xFFFF_FFFF }
        }
        pmuConfigurationChanged()
        return true
    }
}
