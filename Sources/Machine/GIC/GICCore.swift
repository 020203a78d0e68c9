import AArch64

/// The state every GIC version shares (IHI0069H, chapter 4 "Physical Interrupt Handling and
/// Prioritization"; IHI0048B for v2): per-interrupt enable, pending, active, group, priority and
/// trigger, each vCPU's CPU-interface state, and the choice of the highest-priority pending
/// interrupt that drives each vCPU's IRQ or FIQ line.
///
/// The GIC has a single security state (GICD_CTLR.DS = 1; GICv2 without the Security
/// Extensions): Group 0 is signalled as FIQ (GICv3, or GICv2 with FIQEn) and Group 1 as IRQ.
final class GICCore {
    /// One interrupt's state.
    struct Interrupt {
        var enabled = false
        /// Set by an edge, a write to ISPENDR or an SGI; cleared by acknowledgement or ICPENDR.
        var pendingLatch = false
        /// The input line's level.
        var level = false
        var active = false
        var group1 = false
        var edgeTriggered = false
        var priority: UInt8 = 0

        /// Pending: latched, or a level-sensitive line held high (IHI0069H 4.1.2).
        var isPending: Bool { pendingLatch || (!edgeTriggered && level) }
    }

    /// Which vCPUs an SPI goes to.
    enum Route: Equatable {
        /// GICv3 IROUTER with IRM = 0: the vCPU with this index (nil when no vCPU has the affinity).
        case cpu(Int?)
        /// GICv3 IROUTER with IRM = 1: any one participating vCPU.
        case any
        /// GICv2 ITARGETSR: a mask of vCPU indices 0-7.
        case mask(UInt8)
    }

    /// The CPU interface of one vCPU.
    struct CPUInterface {
        /// ICC_PMR_EL1 / GICC_PMR: only priorities below it are signalled.
        var priorityMask: UInt8 = 0
        var binaryPoint0: UInt8 = 2
        var binaryPoint1: UInt8 = 3
        var group0Enabled = false
        var group1Enabled = false
        /// EOImode: end of interrupt only drops the priority; deactivation is a separate write.
        var splitEOI = false
        /// ICC_CTLR_EL1.CBPR / GICC_CTLR.CBPR: BPR0 serves both groups.
        var commonBinaryPoint = false
        /// GICv2 GICC_CTLR.FIQEn: Group 0 as FIQ. Always true on GICv3 with DS = 1.
        var group0AsFIQ = true
        /// Group priorities of acknowledged interrupts whose priority has not dropped, innermost
        /// last: the active priority registers, as a stack.
        var activePriorities: [(intid: Int, priority: UInt8)] = []

        /// The running priority: the innermost active priority, or idle (0xFF).
        var runningPriority: UInt8 { activePriorities.last?.priority ?? 0xFF }
    }

    /// Bits of priority implemented: 5, as QEMU's GICv3 and most GIC-500s.
    static let priorityMask: UInt8 = 0xF8
    static let spurious = 1023

    let cpuCount: Int
    let sharedCount: Int
    /// INTIDs 0-31 of each vCPU.
    var banked: [[Interrupt]]
    /// INTIDs 32 and up.
    var shared: [Interrupt]
    var routes: [Route]
    var interfaces: [CPUInterface]
    /// GICv2: for each target vCPU and SGI, the source vCPUs with one pending (IHI0048B 3.2.3).
    var sgiSources: [[UInt8]]
    /// GICD_CTLR enables.
    var distributorGroup0Enabled = false
    var distributorGroup1Enabled = false

    /// The CPUs' IRQ and FIQ inputs.
    private let cpus: [AArch64CPU]

    init(cpus: [AArch64CPU], sharedCount: Int) {
        self.cpus = cpus
        cpuCount = cpus.count
        self.sharedCount = sharedCount
        banked = Array(repeating: Self.resetBanked, count: cpus.count)
        shared = Array(repeating: Interrupt(), count: sharedCount)
        routes = Array(repeating: .cpu(0), count: sharedCount)
        interfaces = Array(repeating: CPUInterface(), count: cpus.count)
        sgiSources = Array(repeating: Array(repeating: 0, count: 16), count: cpus.count)
    }

    /// INTIDs 0-31 out of reset: SGIs edge-triggered, PPIs level-sensitive.
    private static let resetBanked: [Interrupt] = (0..<32).map { intid in
        var irq = Interrupt()
        irq.edgeTriggered = intid < 16
        return irq
    }

    /// The power-on state again (SYSTEM_RESET): every interrupt disabled, inactive, not latched,
    /// Group 0 at priority 0; the CPU interfaces and the distributor disabled. Input levels stay,
    /// as they are the devices' outputs, not the GIC's state. The front end restores its own
    /// registers and routing defaults afterwards.
    func reset() {
        for cpu in banked.indices {
            for intid in 0..<32 {
                let level = banked[cpu][intid].level
                banked[cpu][intid] = Self.resetBanked[intid]
                banked[cpu][intid].level = level
            }
        }
        for index in shared.indices {
            let level = shared[index].level
            shared[index] = Interrupt()
            shared[index].level = level
        }
        interfaces = Array(repeating: CPUInterface(), count: cpuCount)
        sgiSources = Array(repeating: Array(repeating: 0, count: 16), count: cpuCount)
        distributorGroup0Enabled = false
        distributorGroup1Enabled = false
        updateAll()
    }

    var intidLimit: Int { 32 + sharedCount }

    /// Reads or changes interrupt `intid` as vCPU `cpu` sees it (banked below 32).
    @inline(__always)
    func withInterrupt<R>(_ intid: Int, cpu: Int, _ body: (inout Interrupt) -> R) -> R {
        if intid < 32 { return body(&banked[cpu][intid]) }
        return body(&shared[intid - 32])
    }

    func interrupt(_ intid: Int, cpu: Int) -> Interrupt {
        intid < 32 ? banked[cpu][intid] : shared[intid - 32]
    }

    /// Whether SPI `intid` may be signalled to `cpu`.
    func targets(_ intid: Int, cpu: Int) -> Bool {
        switch routes[intid - 32] {
        case .cpu(let target): return target == cpu
        case .any: return true
        case .mask(let mask): return cpu < 8 && mask & (1 << UInt8(cpu)) != 0
        }
    }

    // MARK: - Inputs

    /// A device or timer drives the line of `intid` (private to `cpu` below 32).
    func setLevel(_ intid: Int, cpu: Int, level: Bool) {
        guard intid < intidLimit else { return }
        let changed = withInterrupt(intid, cpu: cpu) { irq -> Bool in
            guard irq.level != level else { return false }
            irq.level = level
            if level && irq.edgeTriggered { irq.pendingLatch = true }
            return true
        }
        guard changed else { return }
        if intid < 32 { update(cpu: cpu) } else { updateAll() }
    }

    // MARK: - Selection

    /// The group priority of `priority` under binary point `bpr` (IHI0069H 4.8.3): the bits
    /// that decide preemption.
    static func groupPriority(_ priority: UInt8, binaryPoint: UInt8) -> UInt8 {
        let bits = min(Int(binaryPoint), 7)
        return priority & UInt8(truncatingIfNeeded: 0xFF << (bits + 1))
    }

    /// The highest-priority pending interrupt `cpu` could take, ignoring masks, as the HPPIR
    /// registers report it; ties go to the lowest INTID.
    func highestPending(cpu: Int) -> (intid: Int, priority: UInt8, group1: Bool)? {
        var best: (intid: Int, priority: UInt8, group1: Bool)?
        func consider(_ irq: Interrupt, _ intid: Int) {
            guard irq.enabled, irq.isPending, !irq.active else { return }
            guard irq.group1 ? distributorGroup1Enabled : distributorGroup0Enabled else { return }
            if best == nil || irq.priority < best!.priority { best = (intid, irq.priority, irq.group1) }
        }
        let own = banked[cpu]
        for intid in 0..<32 { consider(own[intid], intid) }
        for index in 0..<sharedCount where targets(index + 32, cpu: cpu) { consider(shared[index], index + 32) }
        return best
    }

    /// Whether `candidate` passes the CPU interface: its group is enabled, its priority is under
    /// the mask, and its group priority beats the running priority.
    func canSignal(_ candidate: (intid: Int, priority: UInt8, group1: Bool), cpu: Int) -> Bool {
        let interface = interfaces[cpu]
        guard candidate.group1 ? interface.group1Enabled : interface.group0Enabled else { return false }
        guard candidate.priority < interface.priorityMask else { return false }
        return Self.groupPriority(candidate.priority, binaryPoint: binaryPoint(for: candidate.group1, cpu: cpu)) < interface.runningPriority
    }

    /// The binary point that splits a priority of `group1`'s group: BPR0, or BPR1 - 1 (Group 1's
    /// binary point is one less, IHI0069H 4.8.3), or BPR0 for both when CBPR is set.
    func binaryPoint(for group1: Bool, cpu: Int) -> UInt8 {
        let interface = interfaces[cpu]
        return group1 && !interface.commonBinaryPoint ? interface.binaryPoint1 &- 1 : interface.binaryPoint0
    }

    /// Recomputes `cpu`'s IRQ and FIQ lines.
    func update(cpu: Int) {
        var irq = false
        var fiq = false
        if let candidate = highestPending(cpu: cpu), canSignal(candidate, cpu: cpu) {
            if !candidate.group1 && interfaces[cpu].group0AsFIQ { fiq = true } else { irq = true }
        }
        let target = cpus[cpu]
        if target.irqLine != irq { target.setIRQ(irq) }
        if target.fiqLine != fiq { target.setFIQ(fiq) }
    }

    func updateAll() {
        for cpu in 0..<cpuCount { update(cpu: cpu) }
    }

    // MARK: - CPU interface operations

    /// IAR: takes the highest-priority pending interrupt of `group1`'s group, makes it active and
    /// raises the running priority; 1023 when there is none. For GICv2 SGIs, `source` receives the
    /// requesting vCPU.
    func acknowledge(cpu: Int, group1: Bool) -> (intid: Int, source: Int) {
        guard let candidate = highestPending(cpu: cpu), candidate.group1 == group1, canSignal(candidate, cpu: cpu) else {
            return (Self.spurious, 0)
        }
        let intid = candidate.intid
        var source = 0
        if intid < 16 {
            // GICv2: one source at a time, lowest first; the SGI stays pending while others remain.
            let sources = sgiSources[cpu][intid]
            if sources != 0 {
                source = sources.trailingZeroBitCount
                sgiSources[cpu][intid] = sources & (sources - 1)
            }
        }
        withInterrupt(intid, cpu: cpu) { irq in
            irq.active = true
            if intid >= 16 || sgiSources[cpu][intid] == 0 { irq.pendingLatch = false }
        }
        // The running priority is the group priority of what was taken (IHI0069H 4.8.4):
        // later interrupts preempt only with a higher group priority.
        interfaces[cpu].activePriorities.append((intid, Self.groupPriority(candidate.priority, binaryPoint: binaryPoint(for: candidate.group1, cpu: cpu))))
        // An active SPI is no longer pending for the other vCPUs it could go to.
        if intid >= 32 { updateAll() } else { update(cpu: cpu) }
        return (intid, source)
    }

    /// EOIR: drops the running priority of `intid` and, unless EOImode splits it, deactivates it.
    func endOfInterrupt(cpu: Int, intid: Int) {
        guard intid < intidLimit else { return }
        if let position = interfaces[cpu].activePriorities.lastIndex(where: { $0.intid == intid }) {
            interfaces[cpu].activePriorities.remove(at: position)
        }
        if !interfaces[cpu].splitEOI { deactivate(cpu: cpu, intid: intid) }
        update(cpu: cpu)
    }

    /// DIR (or EOIR with EOImode 0): the interrupt is no longer active.
    func deactivate(cpu: Int, intid: Int) {
        guard intid < intidLimit else { return }
        withInterrupt(intid, cpu: cpu) { $0.active = false }
        if intid >= 32 { updateAll() } else { update(cpu: cpu) }
    }

    /// Makes SGI `intid` pending on `target`. GICv2 passes the requesting vCPU, whose number
    /// the acknowledgement reports; GICv3 passes nil (with affinity routing, requests merge).
    func raiseSGI(_ intid: Int, target: Int, source: Int?) {
        guard intid < 16, target < cpuCount else { return }
        banked[target][intid].pendingLatch = true
        if let source, source < 8 { sgiSources[target][intid] |= 1 << UInt8(source) }
        update(cpu: target)
    }

    // MARK: - Register helpers

    /// A 1-bit-per-interrupt register (ISENABLER and friends) at word `word` for `cpu`: bit i is
    /// `get` of INTID word*32 + i.
    func readBits(word: Int, cpu: Int, _ get: (Interrupt) -> Bool) -> UInt32 {
        var value: UInt32 = 0
        for bit in 0..<32 {
            let intid = word * 32 + bit
            guard intid < intidLimit else { break }
            if get(interrupt(intid, cpu: cpu)) { value |= 1 << UInt32(bit) }
        }
        return value
    }

    /// Applies `set` to each INTID whose bit is 1 in `value`.
    func writeBits(word: Int, cpu: Int, value: UInt32, _ set: (inout Interrupt, Int) -> Void) {
        guard value != 0 else { return }
        for bit in 0..<32 where value & (1 << UInt32(bit)) != 0 {
            let intid = word * 32 + bit
            guard intid < intidLimit else { break }
            withInterrupt(intid, cpu: cpu) { set(&$0, intid) }
        }
        if word == 0 { update(cpu: cpu) } else { updateAll() }
    }

    /// The common 1-bit registers at their GICD/GICR_SGI offsets (0x080-0x3FF, 0xD00): group,
    /// set/clear enable, set/clear pending, set/clear active. Nil for other offsets.
    func readBitRegister(_ offset: UInt64, cpu: Int) -> UInt32? {
        let word = Int((offset & 0x7F) >> 2)
        switch offset {
        case 0x080..<0x100: return readBits(word: word, cpu: cpu) { $0.group1 }
        case 0x100..<0x200: return readBits(word: word, cpu: cpu) { $0.enabled }
        case 0x200..<0x300: return readBits(word: word, cpu: cpu) { $0.isPending }
        case 0x300..<0x400: return readBits(word: word, cpu: cpu) { $0.active }
        default: return nil
        }
    }

    func writeBitRegister(_ offset: UInt64, cpu: Int, value: UInt32) -> Bool {
        let word = Int((offset & 0x7F) >> 2)
        switch offset {
        case 0x080..<0x100:
            // IGROUPR writes every bit, not only the ones set.
            for bit in 0..<32 {
                let intid = word * 32 + bit
                guard intid < intidLimit else { break }
                withInterrupt(intid, cpu: cpu) { $0.group1 = value & (1 << UInt32(bit)) != 0 }
            }
            if word == 0 { update(cpu: cpu) } else { updateAll() }
        case 0x100..<0x180: writeBits(word: word, cpu: cpu, value: value) { irq, _ in irq.enabled = true }
        case 0x180..<0x200: writeBits(word: word, cpu: cpu, value: value) { irq, _ in irq.enabled = false }
        case 0x200..<0x280: writeBits(word: word, cpu: cpu, value: value) { irq, _ in irq.pendingLatch = true }
        case 0x280..<0x300:
            writeBits(word: word, cpu: cpu, value: value) { [self] irq, intid in
                irq.pendingLatch = false
                if intid < 16 { sgiSources[cpu][intid] = 0 }
            }
        case 0x300..<0x380: writeBits(word: word, cpu: cpu, value: value) { irq, _ in irq.active = true }
        case 0x380..<0x400: writeBits(word: word, cpu: cpu, value: value) { irq, _ in irq.active = false }
        default: return false
        }
        return true
    }

    /// IPRIORITYR bytes for INTIDs from `first`, `size` bytes wide.
    func readPriorities(first: Int, size: Int, cpu: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in 0..<size where first + byte < intidLimit {
            value |= UInt64(interrupt(first + byte, cpu: cpu).priority) << UInt64(byte * 8)
        }
        return value
    }

    func writePriorities(first: Int, size: Int, cpu: Int, value: UInt64) {
        for byte in 0..<size where first + byte < intidLimit {
            let priority = UInt8(truncatingIfNeeded: value >> UInt64(byte * 8)) & Self.priorityMask
            withInterrupt(first + byte, cpu: cpu) { $0.priority = priority }
        }
        if first < 32 { update(cpu: cpu) } else { updateAll() }
    }

    /// ICFGR word `word`: bit 2n+1 of each field set means edge-triggered. SGI configuration is
    /// read-only (always edge).
    func readConfiguration(word: Int, cpu: Int) -> UInt32 {
        var value: UInt32 = 0
        for field in 0..<16 {
            let intid = word * 16 + field
            guard intid < intidLimit else { break }
            if interrupt(intid, cpu: cpu).edgeTriggered { value |= 2 << UInt32(field * 2) }
        }
        return value
    }

    func writeConfiguration(word: Int, cpu: Int, value: UInt32) {
        for field in 0..<16 {
            let intid = word * 16 + field
            guard intid >= 16, intid < intidLimit else { continue }
            withInterrupt(intid, cpu: cpu) { $0.edgeTriggered = value & (2 << UInt32(field * 2)) != 0 }
        }
        if word < 2 { update(cpu: cpu) } else { updateAll() }
    }
}

/// The device lines reach the state machine directly: both GIC versions take interrupts the
/// same way, and differ only in the registers software sees.
extension GICCore: InterruptController {
    func setPrivateInterrupt(_ intid: Int, cpu: Int, level: Bool) {
        guard intid >= 16, intid < 32, cpu >= 0, cpu < cpuCount else { return }
        setLevel(intid, cpu: cpu, level: level)
    }

    func setSharedInterrupt(_ spi: Int, level: Bool) {
        guard spi >= 0, spi < sharedCount else { return }
        setLevel(32 + spi, cpu: 0, level: level)
    }
}

/// A GIC version's register front end over a ``GICCore``: its windows in the physical address
/// map (the distributor and the redistributors or the CPU interface).
protocol GICFrontEnd: AnyObject {
    var core: GICCore { get }
    func map(into memory: PhysicalMemory) throws(PhysicalMemoryError)
    /// Back to the power-on state, core and front end (SYSTEM_RESET).
    func reset()
}
