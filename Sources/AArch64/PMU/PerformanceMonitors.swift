/// The Performance Monitors Extension, PMUv3 as ARMv8.0 defines it and a Cortex-A57 implements
/// it (DDI0487 D11): six 32-bit event counters, the 64-bit cycle counter, their enables,
/// overflow flags and overflow interrupt request.
///
/// How the counts are kept, at no cost while nothing counts:
/// - Instructions (INST_RETIRED), cycles (CPU_CYCLES, PMCCNTR_EL0; one per instruction) and
///   branches (BR_RETIRED) are counted lazily: the CPU's retired-instruction count (and, while
///   BR_RETIRED counts, its count of branches, which are decoded as counted branches then) is
///   compared with the one at the last synchronization, and the difference is added to the
///   counters that count at the exception level those instructions ran at. The CPU
///   synchronizes on every PMU register access, at the first block boundary after a change of
///   exception level (before any instruction runs at the new level), and when a run ends; a run stops where
///   the nearest instruction-driven overflow falls (``instructionsUntilOverflow``), so an overflow
///   and its interrupt come on time, one block late at most.
/// - MEM_ACCESS is counted in the memory slow paths; while a counter counts it, no data page
///   enters the fast TLB, so every access reaches the count.
/// - SW_INCR, EXC_TAKEN and EXC_RETURN are counted where they happen.
struct PerformanceMonitors {
    typealias Fields = PerformanceMonitorsFields

    /// PMCR_EL0.N: the event counters of a Cortex-A57.
    static let eventCounters = 6
    /// PMCR_EL0.IMP (ARM Limited) and IDCODE (Cortex-A57).
    static let implementer: UInt64 = 0x41
    static let idCode: UInt64 = 0x01
    /// The counters that exist, as PMCNTENSET_EL0 and its siblings number them.
    static let implementedCounters: UInt32 = (1 << UInt32(eventCounters)) - 1 | Fields.cycleCounterBit

    /// PMCR_EL0's writable bits (E, D, X, DP, LC).
    var control: UInt64 = 0
    /// PMEVCNTR<n>_EL0, 32 bits each.
    var counters = [UInt64](repeating: 0, count: eventCounters)
    /// PMEVTYPER<n>_EL0.
    var eventTypes = [UInt64](repeating: 0, count: eventCounters)
    /// PMCCNTR_EL0.
    var cycleCount: UInt64 = 0
    /// PMCCFILTR_EL0.
    var cycleFilter: UInt64 = 0
    /// PMCNTENSET_EL0, PMINTENSET_EL1 and PMOVSSET_EL0 (each read and cleared through its CLR twin).
    var enabled: UInt32 = 0
    var interruptEnabled: UInt32 = 0
    var overflow: UInt32 = 0
    /// PMSELR_EL0.SEL.
    var select: UInt64 = 0
    /// PMUSERENR_EL0.
    var userEnable: UInt64 = 0
    /// Cycles counted towards the next PMCCNTR_EL0 increment while PMCR_EL0.D divides by 64.
    var dividedCycles: UInt64 = 0

    /// The CPU's retired-instruction count when the counters were last brought up to date, and
    /// the exception level the instructions since then ran at.
    var synchronizedRetired: UInt64 = 0
    var synchronizedBranches: UInt64 = 0
    var countingEL: UInt8 = 1
    /// The interrupt request as the interrupt controller last heard it.
    var interruptLevel = false
    /// Whether some counter counts MEM_ACCESS (the memory slow paths count, the fast TLB stays empty).
    var countsMemoryAccesses = false
    /// Whether some counter counts BR_RETIRED (branches are decoded to count themselves).
    var countsBranches = false

    // MARK: - Registers

    /// PMCR_EL0 as read: the control bits and the PMU's identity.
    var pmcr: UInt64 {
        control | UInt64(Self.eventCounters) << Fields.PMCR.NShift | Self.idCode << Fields.PMCR.IDCODEShift
            | Self.implementer << Fields.PMCR.IMPShift
    }

    /// A write to PMCR_EL0: P and C reset the counters and are not kept.
    mutating func writePMCR(_ value: UInt64) {
        control = value & Fields.PMCR.writable
        if value & Fields.PMCR.P != 0 { counters = [UInt64](repeating: 0, count: Self.eventCounters) }
        if value & Fields.PMCR.C != 0 {
            cycleCount = 0
            dividedCycles = 0
        }
    }

    /// The event counter `n` counts, or nil for an event this PMU does not implement (it counts nothing).
    func event(_ n: Int) -> PMUEvent? { PMUEvent(rawValue: eventTypes[n] & Fields.PMEVTYPER.evtCountMask) }

    /// Whether PMCR_EL0.E is set and some counter is enabled: only then can anything count.
    var isActive: Bool { control & Fields.PMCR.E != 0 && enabled != 0 }

    /// The overflow interrupt request (DDI0487 D11.8): a counter has overflowed with its interrupt
    /// enabled while PMCR_EL0.E is set.
    var interruptRequest: Bool { control & Fields.PMCR.E != 0 && interruptEnabled & overflow != 0 }

    /// Whether a counter with filter `type` (P and U) counts at `el`.
    static func filterAllows(_ type: UInt64, at el: UInt8) -> Bool {
        type & (el == 0 ? Fields.PMEVTYPER.U : Fields.PMEVTYPER.P) == 0
    }

    /// Whether event counter `n` counts at `el`: enabled, PMCR_EL0.E set, not filtered out.
    func counts(_ n: Int, at el: UInt8) -> Bool {
        control & Fields.PMCR.E != 0 && enabled & (1 << UInt32(n)) != 0 && Self.filterAllows(eventTypes[n], at: el)
    }

    /// Recomputes what depends on the configuration.
    mutating func configurationChanged() {
        countsMemoryAccesses = counterCounts(.MEM_ACCESS)
        countsBranches = counterCounts(.BR_RETIRED)
    }

    /// Whether an enabled counter counts `event` while PMCR_EL0.E is set.
    func counterCounts(_ event: PMUEvent) -> Bool {
        control & Fields.PMCR.E != 0
            && (0..<Self.eventCounters).contains { enabled & (1 << UInt32($0)) != 0 && self.event($0) == event }
    }

    // MARK: - Counting

    /// Adds `amount` to event counter `n`, which counts at `el`. A carry out of bit 31 sets the
    /// counter's overflow flag and, for an even counter whose odd neighbour counts CHAIN there,
    /// increments that counter once per carry (DDI0487 D11.5, "Chaining").
    mutating func increment(_ n: Int, by amount: UInt64, at el: UInt8) {
        let total = counters[n] &+ amount
        counters[n] = total & 0xFFFF_FFFF
        let carries = total >> 32
        guard carries != 0 else { return }
        overflow |= 1 << UInt32(n)
        let odd = n + 1
        if n & 1 == 0, odd < Self.eventCounters, event(odd) == .CHAIN, counts(odd, at: el) {
            increment(odd, by: carries, at: el)
        }
    }

    /// One occurrence of `event` at `el`.
    mutating func record(_ event: PMUEvent, at el: UInt8) {
        for n in 0..<Self.eventCounters where self.event(n) == event && counts(n, at: el) {
            increment(n, by: 1, at: el)
        }
    }

    /// A write of `mask` to PMSWINC_EL0 at `el`: each counter whose bit is set and that counts
    /// SW_INCR there goes up by one.
    mutating func softwareIncrement(_ mask: UInt64, at el: UInt8) {
        for n in 0..<Self.eventCounters where mask & (1 << UInt64(n)) != 0 && event(n) == .SW_INCR && counts(n, at: el) {
            increment(n, by: 1, at: el)
        }
    }

    /// `instructions` retired at `el`, `branches` of them branches: INST_RETIRED, CPU_CYCLES and
    /// BR_RETIRED counters and the cycle counter.
    mutating func retire(_ instructions: UInt64, branches: UInt64, at el: UInt8) {
        guard instructions != 0, control & Fields.PMCR.E != 0 else { return }
        for n in 0..<Self.eventCounters where counts(n, at: el) {
            switch event(n) {
            case .INST_RETIRED?, .CPU_CYCLES?: increment(n, by: instructions, at: el)
            case .BR_RETIRED? where branches != 0: increment(n, by: branches, at: el)
            default: break
            }
        }
        guard enabled & Fields.cycleCounterBit != 0, Self.filterAllows(cycleFilter, at: el) else { return }
        var cycles = instructions
        if control & Fields.PMCR.D != 0 {
            dividedCycles &+= instructions
            cycles = dividedCycles / 64
            dividedCycles %= 64
        }
        let before = cycleCount
        cycleCount = before &+ cycles
        // PMCR_EL0.LC picks the bit whose carry is the overflow; the register counts on in 64 bits.
        let overflowed = control & Fields.PMCR.LC != 0
            ? cycleCount < before
            : (before & 0xFFFF_FFFF) &+ cycles > 0xFFFF_FFFF
        if overflowed { overflow |= Fields.cycleCounterBit }
    }

    /// How many more instructions can retire before an instruction-driven counter overflows, if
    /// any counts: where a run must stop so that the overflow is seen when it happens. It ignores
    /// the exception level filters and counts every instruction as a branch, so it is never
    /// later than the overflow.
    var instructionsUntilOverflow: UInt64? {
        guard control & Fields.PMCR.E != 0 else { return nil }
        var nearest: UInt64?
        for n in 0..<Self.eventCounters where enabled & (1 << UInt32(n)) != 0 && event(n)?.followsRetirement == true {
            nearest = min(nearest ?? .max, 0x1_0000_0000 - counters[n])
        }
        if enabled & Fields.cycleCounterBit != 0 {
            var cycles = control & Fields.PMCR.LC != 0
                ? (cycleCount == 0 ? UInt64.max : 0 &- cycleCount)
                : 0x1_0000_0000 - (cycleCount & 0xFFFF_FFFF)
            if control & Fields.PMCR.D != 0 {
                let (scaled, overflowed) = cycles.multipliedReportingOverflow(by: 64)
                cycles = overflowed ? .max : scaled - dividedCycles
            }
            nearest = min(nearest ?? .max, cycles)
        }
        return nearest
    }
}
