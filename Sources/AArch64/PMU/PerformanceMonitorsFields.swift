/// The fields of the PMUv3 registers this CPU implements (DDI0487 D13.4, "Performance Monitors
/// registers": PMCR_EL0, PMEVTYPER<n>_EL0, PMCCFILTR_EL0, PMUSERENR_EL0), named as the ARM ARM
/// names them.
enum PerformanceMonitorsFields {
    /// PMCR_EL0, the control register.
    enum PMCR {
        /// Enable: every counter, the cycle counter included, counts only while it is set.
        static let E: UInt64 = 1 << 0
        /// Event counter reset (write-only: reads as zero).
        static let P: UInt64 = 1 << 1
        /// Cycle counter reset (write-only: reads as zero).
        static let C: UInt64 = 1 << 2
        /// Clock divider: PMCCNTR_EL0 counts once every 64 cycles.
        static let D: UInt64 = 1 << 3
        /// Export of events to an external trace unit (there is none; the bit is kept).
        static let X: UInt64 = 1 << 4
        /// Disable the cycle counter where event counting is prohibited (nowhere, without EL3).
        static let DP: UInt64 = 1 << 5
        /// Long cycle counter: PMCCNTR_EL0 overflows from bit 63 instead of bit 31.
        static let LC: UInt64 = 1 << 6
        /// N, bits 15:11: the number of event counters.
        static let NShift: UInt64 = 11
        /// IDCODE, bits 23:16, and IMP, bits 31:24: the PMU's identity.
        static let IDCODEShift: UInt64 = 16
        static let IMPShift: UInt64 = 24
        /// The bits that keep what is written (LP, bit 7, needs FEAT_PMUv3p5).
        static let writable: UInt64 = E | D | X | DP | LC
    }

    /// PMEVTYPER<n>_EL0 and PMCCFILTR_EL0: what a counter counts and where.
    enum PMEVTYPER {
        /// Do not count at EL1.
        static let P: UInt64 = 1 << 31
        /// Do not count at EL0.
        static let U: UInt64 = 1 << 30
        /// evtCount, bits 9:0 in PMUv3 for ARMv8.0.
        static let evtCountMask: UInt64 = 0x3FF
        /// NSK, NSU (need EL3), NSH and M (need EL2) are RES0 here.
        static let writable: UInt64 = P | U | evtCountMask
        /// PMCCFILTR_EL0 has the filters and no event number.
        static let cycleFilterWritable: UInt64 = P | U
    }

    /// PMUSERENR_EL0: which PMU registers EL0 may reach.
    enum PMUSERENR {
        /// Every PMU register EL0 has (reads and writes).
        static let EN: UInt64 = 1 << 0
        /// Writes to PMSWINC_EL0.
        static let SW: UInt64 = 1 << 1
        /// Reads of PMCCNTR_EL0.
        static let CR: UInt64 = 1 << 2
        /// Reads of the event counters and reads and writes of PMSELR_EL0.
        static let ER: UInt64 = 1 << 3
        static let writable: UInt64 = EN | SW | CR | ER
    }

    /// The cycle counter's bit in PMCNTENSET_EL0, PMINTENSET_EL1 and PMOVSSET_EL0 (C), and its
    /// number in PMSELR_EL0.SEL.
    static let cycleCounterBit: UInt32 = 1 << 31
    static let cycleCounterIndex: UInt64 = 31
}

/// The common architectural events this PMU counts (DDI0487 D11.11, "The PMU event number
/// space and common events"). PMCEID0_EL0 and PMCEID1_EL0 advertise exactly these.
enum PMUEvent: UInt64, CaseIterable {
    /// Writes to PMSWINC_EL0.
    case SW_INCR = 0x00
    /// Instructions architecturally executed.
    case INST_RETIRED = 0x08
    /// Exceptions taken.
    case EXC_TAKEN = 0x09
    /// Exception returns (ERET) architecturally executed.
    case EXC_RETURN = 0x0A
    /// Processor cycles: an interpreted CPU retires one instruction per cycle.
    case CPU_CYCLES = 0x11
    /// Data memory accesses: each load, store, read-modify-write and DC ZVA the CPU performs.
    case MEM_ACCESS = 0x13
    /// For an odd-numbered counter: overflows of the even-numbered counter below it.
    case CHAIN = 0x1E
    /// Branch instructions architecturally executed, taken or not: B, BL, BR, BLR, RET, B.cond,
    /// CBZ, CBNZ, TBZ, TBNZ (exception entries and returns have their own events).
    case BR_RETIRED = 0x21

    /// Whether the event is counted lazily, from the CPU's counts of retired instructions and branches.
    var followsRetirement: Bool { self == .INST_RETIRED || self == .CPU_CYCLES || self == .BR_RETIRED }

    /// PMCEID0_EL0 and PMCEID1_EL0: bit n set for each implemented common event n (0-31) and
    /// 32 + n (32-63).
    static let commonEventsImplemented: (UInt64, UInt64) = allCases.reduce((0, 0)) { bits, event in
        event.rawValue < 32 ? (bits.0 | 1 << event.rawValue, bits.1) : (bits.0, bits.1 | 1 << (event.rawValue - 32))
    }
}
