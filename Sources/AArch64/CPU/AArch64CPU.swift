/// One AArch64 processing element running at EL0 and EL1, interpreted.
///
/// The VMM plays EL2 and EL3: `HVC` and `SMC` at EL1 stop the CPU with a firmware-call exit.
/// Everything else the guest does, including taking its own exceptions through VBAR_EL1 and
/// translating addresses through its page tables, happens here.
///
/// The register file lives in unsafe memory and the run loop keeps PC and NZCV in locals (see
/// `Interpreter.swift`); the state below is what survives between runs.
public final class AArch64CPU: MemoryObserver {
    /// This vCPU's index in the machine.
    public let index: Int
    public let memory: PhysicalMemory
    public let features: CPUFeatures
    public var identity: CPUIdentity
    /// The GICv3 CPU interface and any other system registers the machine provides.
    public var systemRegisterHandler: SystemRegisterHandler?
    /// The generic timer's count.
    public var counter: CounterSource
    /// When set, taking any exception also stops the run (`.exitRequested`) with the exception
    /// in ``takenException``: for code that must not fault, such as the guest-side firmware.
    public var stopsOnExceptions = false
    /// The exception that stopped the run under ``stopsOnExceptions``; cleared by ``reset(entry:x0:)``.
    public internal(set) var takenException: TakenException?

    /// Answers firmware calls in the run loop; nil makes `HVC`/`SMC` at EL1 stop the CPU. Not
    /// retained: the machine that owns the CPU sets itself here.
    public unowned(unsafe) var firmwareCallHandler: FirmwareCallHandler?
    /// Told when the guest writes CNTV_* or CNTP_*, so the timers' interrupt lines follow the
    /// write at once (a disabled timer's line drops before the guest can take it again). Not
    /// retained, as ``firmwareCallHandler``.
    public unowned(unsafe) var timerObserver: GenericTimerObserver?
    /// Told when the PMU's overflow interrupt request changes. Not retained, as ``firmwareCallHandler``.
    public unowned(unsafe) var performanceMonitorsObserver: PerformanceMonitorsObserver?
    /// Called for operations that reach every vCPU (TLBI ...IS, IC IALLUIS); the machine
    /// applies them to the other vCPUs with ``perform(_:)``.
    public var broadcast: ((BroadcastOperation) -> Void)?

    // MARK: Registers

    /// X0-X30, then the current SP (31), the XZR write sink (32), XZR (33, always 0) and NZCV
    /// (34, as 4 bits: N = 8, Z = 4, C = 2, V = 1), all in memory the run loop reaches through one
    /// pointer.
    let x: UnsafeMutablePointer<UInt64>
    static let nzcvSlot = 34
    /// The program counter (kept in the register block, like everything the run loop touches
    /// at every block boundary, so that reaching it needs no exclusivity check).
    public internal(set) var pc: UInt64 {
        get { x[Self.pcSlot] }
        set { x[Self.pcSlot] = newValue }
    }
    static let pcSlot = 35
    static let elSlot = 36
    static let retiredSlot = 37
    /// A copy of SCTLR_EL1 for the run loop's per-block SP-alignment check (SA, SA0): reading
    /// `sys` through the class costs an exclusivity check per block.
    static let sctlrSlot = 38
    /// FPCR and FPSR, which every floating-point instruction reads or updates.
    static let fpcrSlot = 39
    static let fpsrSlot = 40
    /// A copy of CPACR_EL1, for the per-block check of FP/SIMD access (FPEN).
    static let cpacrSlot = 41
    /// What the PMU counts, for the paths that must not pay for it when it counts nothing:
    /// ``pmuCounting`` while PMCR_EL0.E is set and a counter is enabled (exception entry and
    /// return then mark the change of exception level), ``pmuCountsMemory`` while a counter
    /// counts MEM_ACCESS (the memory slow paths count each access).
    static let pmuSlot = 42
    static let pmuCounting: UInt64 = 1
    static let pmuCountsMemory: UInt64 = 2
    /// ``pmuSlot``'s bit while a counter counts BR_RETIRED: branches are decoded as
    /// ``OpKind/countedBranch``, which counts them in ``branchesSlot``.
    static let pmuCountsBranches: UInt64 = 4
    /// Branches retired while decoded as counted branches.
    static let branchesSlot = 43
    static let slotCount = 44

    /// V0-V31, 128 bits each as two little-endian 64-bit halves (V<n> at `v + 2n`, its low half
    /// first), in memory the run loop reaches through one pointer.
    let v: UnsafeMutablePointer<UInt64>
    static let vectorSlotCount = 64

    /// FPCR: AHP, DN, FZ and RMode (bits 26:22); this CPU traps no floating-point exception,
    /// so the trap enables read as zero.
    public var fpcr: UInt64 {
        get { x[Self.fpcrSlot] }
        set { x[Self.fpcrSlot] = newValue & FloatingPointControl.writable }
    }

    /// FPSR: QC and the cumulative exception flags IDC, IXC, UFC, OFC, DZC, IOC.
    public var fpsr: UInt64 {
        get { x[Self.fpsrSlot] }
        set { x[Self.fpsrSlot] = newValue & FloatingPointStatus.writable }
    }

    /// Vn as (low, high) halves.
    public func vector(_ n: Int) -> (low: UInt64, high: UInt64) {
        guard n >= 0 && n < 32 else { return (0, 0) }
        return (v[2 * n], v[2 * n + 1])
    }

    /// Sets Vn; other n are ignored.
    public func setVector(_ n: Int, low: UInt64, high: UInt64) {
        guard n >= 0 && n < 32 else { return }
        v[2 * n] = low
        v[2 * n + 1] = high
    }
    /// NZCV as 4 bits: N = 8, Z = 4, C = 2, V = 1.
    var nzcv: UInt32 {
        get { UInt32(truncatingIfNeeded: x[Self.nzcvSlot]) }
        set { x[Self.nzcvSlot] = UInt64(newValue & 0xF) }
    }
    /// PSTATE.EL: 0 or 1.
    public internal(set) var el: UInt8 {
        get { UInt8(truncatingIfNeeded: x[Self.elSlot]) }
        set { x[Self.elSlot] = UInt64(newValue) }
    }
    /// PSTATE.SP: true when the current EL uses SP_ELx (EL1h), false for SP_EL0.
    public internal(set) var spSelect = true
    /// PSTATE.{D,A,I,F} as bits 3-0.
    public internal(set) var daif: UInt32 = 0xF
    /// PSTATE.IL: set by an illegal exception return; the next instruction traps.
    /// (PAN and UAO are ARMv8.1/8.2 features this CPU does not advertise.) Kept as an attention
    /// bit so the run loop's block boundary tests one word for every rare condition.
    var illegalState: Bool {
        get { attention.pointee & Self.illegalStateAttention != 0 }
        set { if newValue { attention.pointee |= Self.illegalStateAttention } else { attention.pointee &= ~Self.illegalStateAttention } }
    }
    /// The stack pointer of the SP selection not in use (SP_EL0 while on SP_EL1, and so on).
    @exclusivity(unchecked) var spEL0: UInt64 = 0
    @exclusivity(unchecked) var spEL1: UInt64 = 0

    @exclusivity(unchecked) var sys = SystemRegisterFile()

    // MARK: Run state

    /// Everything the run loop must look at between blocks, as one word: exit requests (bit 0),
    /// the IRQ and FIQ lines (bits 1, 2), decoded pages waiting to be freed (bit 3), PSTATE.IL
    /// (bit 4), possible debug events (bit 5) and PMU counters to bring up to date (bit 6).
    let attention: UnsafeMutablePointer<UInt32>
    static let retiredPagesAttention: UInt32 = 8
    static let illegalStateAttention: UInt32 = 16
    static let debugAttention: UInt32 = 32
    static let pmuAttention: UInt32 = 64
    /// Software step and breakpoint state (`SelfHostedDebug.swift`).
    @exclusivity(unchecked) var debug = DebugState()
    /// The host debugger's breakpoints, watchpoints and step (`HostDebug.swift`).
    @exclusivity(unchecked) var hostDebug = HostDebugState()
    /// The Performance Monitors (`PMU/PerformanceMonitors.swift`).
    @exclusivity(unchecked) var pmu = PerformanceMonitors()
    /// The one-instruction blocks debug runs: a page's worth of end-of-step markers, in which
    /// ``debugBoundary(at:)`` places one decoded instruction at its own slot.
    let stepBuffer: UnsafeMutablePointer<DecodedInstruction>
    /// The event register (WFE/SEV).
    @exclusivity(unchecked) public internal(set) var eventRegister = false
    /// The exclusive monitors' state for this vCPU: the local monitor's virtual address and size,
    /// and the physical reservation granule the global monitor holds (see
    /// `SynchronizingAccesses.swift`).
    @exclusivity(unchecked) var exclusive: (valid: Bool, address: UInt64, size: Int, granule: UInt64) = (false, 0, 0, 0)
    /// Instructions retired since power-on (CPU_ON resets do not clear it).
    public internal(set) var instructionsRetired: UInt64 {
        get { x[Self.retiredSlot] }
        set { x[Self.retiredSlot] = newValue }
    }
    /// How many synchronous exceptions in a row were taken at the vector the one before jumped
    /// to: the handler itself faults (VBAR pointing at nothing, say). The machine treats a long
    /// run of them as a crashed guest.
    @exclusivity(unchecked) public internal(set) var recursiveExceptions = 0
    @exclusivity(unchecked) var lastExceptionVector: UInt64 = .max
    /// The exception before the run of ``recursiveExceptions``: what the guest was doing when
    /// its handler first faulted.
    public internal(set) var exceptionLoopOrigin: ExceptionLoopOrigin?

    // MARK: Caches

    let fastTLB = FastTLB()
    @exclusivity(unchecked) var translations = TranslationCache()
    @exclusivity(unchecked) var decodedPages: [UInt64: DecodedPage] = [:]
    /// Invalidated pages kept alive until the run loop reaches a safe point.
    @exclusivity(unchecked) var retiredPages: [DecodedPage] = []
    /// How this vCPU runs guest code; set before it first runs.
    @exclusivity(unchecked) public var engine: ExecutionEngine = .interpreter
    /// The translator engine's code cache size and threshold; read when it first runs.
    @exclusivity(unchecked) public var translatorSettings = TranslatorSettings()
    /// The translator engine's state, made when it first runs.
    @exclusivity(unchecked) var translator: A64Translator?
    /// Where this CPU publishes its exclusive reservations to ``memory``.
    @exclusivity(unchecked) var reservationCell: PhysicalMemory.ReservationCell?
    /// Maps other than ``memory`` that report their writes to this CPU (``observe(_:)``), each
    /// with the cell that carries this CPU's reservations to it.
    @exclusivity(unchecked) var otherMemories: [(memory: PhysicalMemory, reservation: PhysicalMemory.ReservationCell)] = []
    /// The condition table of `ALU`, as a pointer the hot loop can index without checks.
    let conditionTable: UnsafeMutablePointer<UInt16>

    // Exclusivity: the state above marked `@exclusivity(unchecked)` is read and written on
    // every block, memory access and exception, and only by the thread running this vCPU;
    // Swift's dynamic exclusivity checks on it cost about 16% of a Linux boot (swift_beginAccess
    // and its thread-local access set, `perf record`). The unit tests ran with the checks on
    // before they were turned off and found no overlapping access; keep it so: no access to one
    // of these properties may span a call that can reach the same property.

    /// Creates a vCPU attached to `memory`, in its reset state.
    public init(index: Int = 0, memory: PhysicalMemory, features: CPUFeatures = .cortexA57,
                identity: CPUIdentity = CPUIdentity(), counter: CounterSource) {
        self.index = index
        self.memory = memory
        self.features = features
        self.identity = identity
        self.counter = counter
        x = .allocate(capacity: Self.slotCount)
        x.initialize(repeating: 0, count: Self.slotCount)
        v = .allocate(capacity: Self.vectorSlotCount)
        v.initialize(repeating: 0, count: Self.vectorSlotCount)
        attention = .allocate(capacity: 1)
        attention.initialize(to: 0)
        conditionTable = .allocate(capacity: 16)
        conditionTable.initialize(from: ALU.conditionTable, count: 16)
        // As long as a decoded page, so whatever reads a page's trailing slots through the
        // fetch TLB reads memory of this buffer; its translation slot says it has none
        // (A64Translator.block(at:ops:el:cpu:)).
        stepBuffer = .allocate(capacity: DecodedPage.translationSlot + 1)
        stepBuffer.initialize(repeating: DecodedInstruction(.stepEnd), count: DecodedPage.translationSlot + 1)
        reservationCell = memory.addObserver(self)
        reset(entry: 0)
    }

    deinit {
        // The maps hold their observers unowned(unsafe): leave them before going.
        memory.removeObserver(self)
        for other in otherMemories { other.memory.removeObserver(self) }
        x.deallocate()
        v.deallocate()
        attention.deallocate()
        conditionTable.deallocate()
        stepBuffer.deallocate()
    }

    /// Makes this CPU hear about writes through `other` too, a map that shares RAM with
    /// ``memory`` (a firmware world's); the CPU leaves it when it goes.
    public func observe(_ other: PhysicalMemory) {
        otherMemories.append((other, other.addObserver(self)))
    }

    /// Puts the CPU in the state of a CPU entering a kernel (Linux's booting.rst, and PSCI CPU_ON):
    /// general registers zero, EL1h with DAIF masked, system registers at reset (MMU and caches
    /// off), PC = `entry`, X0 = `x0`.
    public func reset(entry: UInt64, x0: UInt64 = 0) {
        let mmuWasOn = sys.sctlr & 1 != 0 || instructionsRetired == 0
        x.update(repeating: 0, count: Self.pcSlot)
        v.update(repeating: 0, count: Self.vectorSlotCount)
        x[Self.fpcrSlot] = 0
        x[Self.fpsrSlot] = 0
        x[0] = x0
        pc = entry
        el = 1
        spSelect = true
        daif = 0xF
        illegalState = false
        spEL0 = 0
        spEL1 = 0
        sys = SystemRegisterFile()
        uninstallStepBlock()
        debug = DebugState()
        refreshDebugState()
        resetPMU()
        x[Self.sctlrSlot] = sys.sctlr
        x[Self.cpacrSlot] = sys.cpacr
        exclusive.valid = false
        eventRegister = false
        recursiveExceptions = 0
        lastExceptionVector = .max
        exceptionLoopOrigin = nil
        takenException = nil
        // With the MMU off before and after, every address maps flat with the same permissions,
        // so the cached translations stay right: a firmware-world entry (a reset per call) then
        // costs no TLB sweep.
        if mmuWasOn {
            flushTranslationCaches()
            translations.invalidateAll()
        }
    }

    // MARK: - Register access

    /// General register Xn (n in 0...30); 31 reads as XZR.
    public func register(_ n: Int) -> UInt64 { n >= 0 && n < 31 ? x[n] : 0 }

    /// X0-X30 in place (index n is Xn), valid for the CPU's whole life: how a firmware call's
    /// registers are read and its results written without copying the register file. Only
    /// indices 0-30 are general registers.
    public var generalRegisters: UnsafeMutablePointer<UInt64> { x }

    /// SCTLR_EL1.EE: whether EL1 data accesses are big-endian (PSCI passes it to started CPUs).
    public var isBigEndianAtEL1: Bool { sys.sctlr & (1 << 25) != 0 }

    /// Sets Xn (n in 0...30); other n are ignored.
    public func setRegister(_ n: Int, _ value: UInt64) {
        if n >= 0 && n < 31 { x[n] = value }
    }

    /// The current stack pointer.
    public var sp: UInt64 {
        get { x[31] }
        set { x[31] = newValue }
    }

    /// Sets the program counter.
    public func setPC(_ value: UInt64) { pc = value }

    /// NZCV as PSTATE holds it, in bits 31:28.
    public var flags: UInt64 {
        get { UInt64(nzcv) << 28 }
        set { nzcv = UInt32((newValue >> 28) & 0xF) }
    }

    /// SP_EL0, whichever SP is selected.
    public var stackPointerEL0: UInt64 {
        get { el == 0 || !spSelect ? x[31] : spEL0 }
        set { if el == 0 || !spSelect { x[31] = newValue } else { spEL0 = newValue } }
    }

    /// SP_EL1, whichever SP is selected.
    public var stackPointerEL1: UInt64 {
        get { el == 1 && spSelect ? x[31] : spEL1 }
        set { if el == 1 && spSelect { x[31] = newValue } else { spEL1 = newValue } }
    }

    /// PSTATE as SPSR_ELx encodes it (DDI0487 C5.2.18).
    public var pstate: UInt64 {
        var value = UInt64(nzcv) << 28 | UInt64(daif) << 6 | UInt64(el) << 2 | (spSelect ? 1 : 0)
        if illegalState { value |= 1 << 20 }
        if debug.pstateSS { value |= Self.spsrSS }
        return value
    }

    /// Sets PSTATE from an SPSR-format value, as the host does when it switches a vCPU's context:
    /// NZCV, DAIF, IL, SS and the mode (EL0t, EL1t or EL1h; SP banks follow). A mode this CPU does
    /// not have (AArch32, EL2, EL3) leaves the mode unchanged and sets IL, so that the next
    /// instruction takes an Illegal Execution State exception, as an illegal ERET would.
    public func setPSTATE(_ value: UInt64) {
        nzcv = UInt32((value >> 28) & 0xF)
        daif = UInt32((value >> 6) & 0xF)
        debug.pstateSS = value & Self.spsrSS != 0
        let mode = value & 0x1F
        if mode == 0 || mode == 4 || mode == 5 {
            if UInt8(mode >> 2) != el { notePMUExceptionLevelChange() }
            switchStack(el: UInt8(mode >> 2), spSelect: mode & 1 == 1)
            illegalState = value & (1 << 20) != 0
        } else {
            illegalState = true
        }
    }

    /// Moves to exception level `newEL` with stack pointer selection `newSPSelect`, banking SP.
    func switchStack(el newEL: UInt8, spSelect newSPSelect: Bool) {
        // Save the current SP into its bank.
        if el == 0 || !spSelect { spEL0 = x[31] } else { spEL1 = x[31] }
        el = newEL
        spSelect = newEL == 0 ? false : newSPSelect
        x[31] = el == 0 || !spSelect ? spEL0 : spEL1
    }

    // MARK: - Interrupts and exits

    /// Raises or lowers the IRQ line (from the interrupt controller).
    public func setIRQ(_ level: Bool) { setAttention(bit: 2, level) }

    /// Raises or lowers the FIQ line.
    public func setFIQ(_ level: Bool) { setAttention(bit: 4, level) }

    /// Makes `run` return `.exitRequested` at the next block boundary.
    public func requestExit() { attention.pointee |= 1 }

    /// Sets the event register (another vCPU's SEV, or an exclusive monitor being cleared).
    public func signalEvent() { eventRegister = true }

    /// Clears the event register: a WFE that slept completes by consuming the event that woke it.
    public func clearEventRegister() { eventRegister = false }

    public var irqLine: Bool { attention.pointee & 2 != 0 }
    public var fiqLine: Bool { attention.pointee & 4 != 0 }

    private func setAttention(bit: UInt32, _ level: Bool) {
        if level { attention.pointee |= bit } else { attention.pointee &= ~bit }
    }

    /// True when an interrupt line is raised, masked or not: what wakes WFI.
    public var interruptPending: Bool { attention.pointee & 6 != 0 }

    // MARK: - Caches

    /// Empties the fast TLBs (after any change to translation or permission state).
    func flushTranslationCaches() {
        fastTLB.flushAll()
    }

    public func invalidateCode(physicalPage page: UInt64) {
        guard let decoded = decodedPages.removeValue(forKey: page) else { return }
        decoded.isValid = false
        retiredPages.append(decoded)
        attention.pointee |= Self.retiredPagesAttention
        // Fetch entries may point at it.
        fastTLB.fetch.update(repeating: FetchTLBEntry(), count: 2 * FastTLB.entries)
    }

    public func stopFastWrites(physicalPage page: UInt64) {
        fastTLB.dropWrites(toPhysicalPage: page)
    }

    public func exclusiveGranuleWritten(_ granule: UInt64, by writer: Int) {
        guard exclusive.valid && exclusive.granule == granule else { return }
        exclusive.valid = false
        // The global monitor going from Exclusive to Open is an event (DDI0487, the Wait For Event
        // mechanism): it
        // wakes a WFE that waits for a lock word to change.
        if writer != index { eventRegister = true }
    }

    /// Drops every decoded instruction (IC IALLU and friends).
    func invalidateAllCode() {
        for page in decodedPages.values {
            page.isValid = false
            retiredPages.append(page)
            attention.pointee |= Self.retiredPagesAttention
        }
        decodedPages.removeAll(keepingCapacity: true)
        fastTLB.fetch.update(repeating: FetchTLBEntry(), count: 2 * FastTLB.entries)
    }
}
