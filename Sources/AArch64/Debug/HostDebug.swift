// Debugging the guest from the host (the VMM's gdbstub): breakpoints, watchpoints and
// single-step that stop the vCPU for the host, invisible to the guest, which neither sees an
// exception nor finds its memory changed. They ride on the self-hosted debug machinery
// (`SelfHostedDebug.swift`): while any is set, the attention word carries
// ``AArch64CPU/debugAttention``; at each block boundary ``AArch64CPU/debugBoundary(at:)`` stops
// at a host breakpoint, ends a completed host step, or makes the next instruction a block of its
// own when a breakpoint may match in its page or it is to be stepped; a host watchpoint keeps its
// pages out of the fast TLB, so the slow path checks it before the access.
//
// A host watchpoint stops *before* the access, with the PC at the instruction, which has not
// executed: what gdb expects of AArch64 (its watchpoints are "non-steppable": it removes them,
// steps the instruction and compares the values).

/// Why the host debugger got a vCPU back.
public enum HostDebugStop: Equatable, Sendable {
    /// The PC reached a host breakpoint; the instruction there has not executed.
    case breakpoint(address: UInt64, hardware: Bool)
    /// An access touched a host watchpoint; the PC is at the accessing instruction, which has
    /// not executed.
    case watchpoint(HostWatchpoint.Kind, address: UInt64)
    /// The instruction the host asked to step completed (or took an exception: the PC is then
    /// at the vector).
    case stepped
}

/// A range of virtual addresses the host debugger watches.
public struct HostWatchpoint: Hashable, Sendable {
    /// Which accesses stop the vCPU (gdb's Z2, Z3, Z4).
    public enum Kind: Hashable, Sendable {
        case write, read, access
        func matches(isWrite: Bool) -> Bool {
            switch self {
            case .write: return isWrite
            case .read: return !isWrite
            case .access: return true
            }
        }
    }
    public let address: UInt64
    public let length: UInt64
    public let kind: Kind

    /// Watches `length` bytes (at least one) from `address`.
    public init(address: UInt64, length: UInt64, kind: Kind) {
        self.address = address
        self.length = max(length, 1)
        self.kind = kind
    }

    /// The first byte past the range, saturating at the top of the address space.
    var end: UInt64 {
        let (sum, overflow) = address.addingReportingOverflow(length)
        return overflow ? .max : sum
    }

    func overlaps(_ start: UInt64, _ end: UInt64) -> Bool { address < end && self.end > start }
}

/// The host debugger's state in one vCPU; a CPU reset (CPU_ON) keeps it.
struct HostDebugState {
    var softwareBreakpoints: Set<UInt64> = []
    var hardwareBreakpoints: Set<UInt64> = []
    /// How many breakpoints (of either kind) lie in each virtual page, by VA >> 12.
    var breakpointPages: [UInt64: Int] = [:]
    var watchpoints: [HostWatchpoint] = []
    /// The host asked for one instruction; the next boundary isolates it.
    var stepRequested = false
    /// The isolated instruction is running: the next boundary stops with ``HostDebugStop/stepped``.
    var stepInFlight = false
    /// A watchpoint matched in the middle of a block: the next boundary reports it.
    var pendingStop: HostDebugStop?

    var isActive: Bool {
        !breakpointPages.isEmpty || !watchpoints.isEmpty || stepRequested || stepInFlight || pendingStop != nil
    }
}

extension AArch64CPU {
    // MARK: - The host's controls

    /// Adds a breakpoint at virtual address `address` (a software one for gdb's Z0, hardware
    /// for Z1: they behave alike, neither touching guest memory). False if it was already set.
    @discardableResult
    public func insertHostBreakpoint(at address: UInt64, hardware: Bool = false) -> Bool {
        let inserted = hardware ? hostDebug.hardwareBreakpoints.insert(address).inserted
                                : hostDebug.softwareBreakpoints.insert(address).inserted
        if inserted { hostDebug.breakpointPages[address >> 12, default: 0] += 1 }
        refreshDebugState()
        return inserted
    }

    /// Removes a breakpoint; false if there was none of that kind there.
    @discardableResult
    public func removeHostBreakpoint(at address: UInt64, hardware: Bool = false) -> Bool {
        let removed = hardware ? hostDebug.hardwareBreakpoints.remove(address) != nil
                               : hostDebug.softwareBreakpoints.remove(address) != nil
        if removed {
            let page = address >> 12
            let remaining = (hostDebug.breakpointPages[page] ?? 1) - 1
            hostDebug.breakpointPages[page] = remaining > 0 ? remaining : nil
        }
        refreshDebugState()
        return removed
    }

    /// Adds a watchpoint. False if the same one was already set.
    @discardableResult
    public func insertHostWatchpoint(_ watchpoint: HostWatchpoint) -> Bool {
        guard !hostDebug.watchpoints.contains(watchpoint) else { return false }
        hostDebug.watchpoints.append(watchpoint)
        refreshDebugState(watchpointsChanged: true)
        return true
    }

    /// Removes a watchpoint; false if it was not set.
    @discardableResult
    public func removeHostWatchpoint(_ watchpoint: HostWatchpoint) -> Bool {
        guard let index = hostDebug.watchpoints.firstIndex(of: watchpoint) else { return false }
        hostDebug.watchpoints.remove(at: index)
        refreshDebugState(watchpointsChanged: true)
        return true
    }

    /// Asks the vCPU to run one instruction the next time it runs, then stop with
    /// ``HostDebugStop/stepped``. Interrupts are not taken before the stepped instruction (as
    /// QEMU's gdbstub steps by default), so a step does not land in the IRQ vector.
    public func requestHostStep() {
        hostDebug.stepRequested = true
        refreshDebugState()
    }

    /// Forgets a step asked for or under way (the machine stopped for another reason first).
    public func cancelHostStep() {
        guard hostDebug.stepRequested || hostDebug.stepInFlight else { return }
        hostDebug.stepRequested = false
        hostDebug.stepInFlight = false
        refreshDebugState()
    }

    /// The stop a run left for the host without reporting it: a watchpoint that matched in the
    /// slice's last instruction, or a step whose instruction completed, when the budget ran out
    /// (or an exit was requested) before the next block boundary. Taking it clears it.
    public func takePendingHostStop() -> HostDebugStop? {
        if let stop = hostDebug.pendingStop {
            hostDebug.pendingStop = nil
            refreshDebugState()
            return stop
        }
        guard hostDebug.stepInFlight else { return nil }
        hostDebug.stepInFlight = false
        refreshDebugState()
        return .stepped
    }

    /// Whether a host step is asked for or under way.
    public var hostStepPending: Bool { hostDebug.stepRequested || hostDebug.stepInFlight }

    /// Removes every host breakpoint, watchpoint and pending step (a debugger detached).
    public func clearHostDebug() {
        let hadWatchpoints = !hostDebug.watchpoints.isEmpty
        hostDebug = HostDebugState()
        refreshDebugState(watchpointsChanged: hadWatchpoints)
    }

    /// Whether a host watchpoint covers a byte of the 4 KiB page at `va`.
    func hostWatchpointCovers(pageOf va: UInt64) -> Bool {
        let page = va & ~0xFFF
        return hostDebug.watchpoints.contains { $0.overlaps(page, page &+ 4096) }
    }

    /// Checks an access against the host watchpoints; on a match, abandons the instruction at
    /// `pc` (the PC stays there) and leaves the stop for the next block boundary. True if it
    /// matched.
    func hostWatchpointHit(_ va: UInt64, size: Int, isWrite: Bool, pc: UInt64) -> Bool {
        let end = va &+ UInt64(size)
        guard let hit = hostDebug.watchpoints.first(where: { $0.kind.matches(isWrite: isWrite) && $0.overlaps(va, end < va ? .max : end) }) else {
            return false
        }
        hostDebug.pendingStop = .watchpoint(hit.kind, address: max(va, hit.address))
        self.pc = pc
        // The instruction did not execute: it must not count (icount time, the PMU). The run
        // loop adds its own count to this one when it returns, so the sum comes out right.
        instructionsRetired &-= 1
        return true
    }

    /// The host's part of the block boundary, before the guest's own debug: nil to go on, or
    /// why to stop. `isolate` is set when the next instruction must run on its own (a host
    /// breakpoint in its page, or a step), `uninterrupted` when it is stepped.
    func hostDebugBoundary(at pc: UInt64, isolate: inout Bool, uninterrupted: inout Bool) -> HostDebugStop? {
        if let stop = hostDebug.pendingStop {
            hostDebug.pendingStop = nil
            return stop
        }
        if hostDebug.stepInFlight {
            hostDebug.stepInFlight = false
            return .stepped
        }
        if hostDebug.stepRequested {
            hostDebug.stepRequested = false
            hostDebug.stepInFlight = true
            isolate = true
            uninterrupted = true
            return nil
        }
        guard hostDebug.breakpointPages[pc >> 12] != nil else { return nil }
        if hostDebug.softwareBreakpoints.contains(pc) { return .breakpoint(address: pc, hardware: false) }
        if hostDebug.hardwareBreakpoints.contains(pc) { return .breakpoint(address: pc, hardware: true) }
        isolate = true
        return nil
    }

    // MARK: - Looking at memory as the vCPU sees it

    /// The physical address `va` translates to through the vCPU's current EL1&0 regime, or nil
    /// if it does not translate. Side-effect free: no fault registers, no exception, no TLB fill.
    public func debugTranslate(_ va: UInt64) -> UInt64? {
        guard case .success(let translation) = translateUnchecked(va, kind: .read, cached: false) else { return nil }
        return translation.physicalPage | (va & 0xFFF)
    }

    /// Up to `count` bytes of RAM from virtual address `va`, page by page through
    /// ``debugTranslate(_:)``; stops early at the first byte that does not translate to RAM
    /// (devices are not read: a read can have side effects). Nil if not even the first does.
    public func debugRead(_ va: UInt64, count: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var address = va
        var remaining = max(count, 0)
        while remaining > 0 {
            let chunk = min(remaining, Int(4096 - (address & 0xFFF)))
            guard let pa = debugTranslate(address), let part = memory.read(count: chunk, at: pa) else { break }
            bytes += part
            remaining -= chunk
            address &+= UInt64(chunk)
        }
        return bytes.isEmpty && count > 0 ? nil : bytes
    }

    /// Writes `bytes` to RAM from virtual address `va` (decoded code there is invalidated, as for
    /// any write). False, having written nothing, if some byte does not translate to RAM.
    public func debugWrite(_ bytes: [UInt8], at va: UInt64) -> Bool {
        var pieces: [(pa: UInt64, range: Range<Int>)] = []
        var offset = 0
        while offset < bytes.count {
            let address = va &+ UInt64(offset)
            let chunk = min(bytes.count - offset, Int(4096 - (address & 0xFFF)))
            guard let pa = debugTranslate(address), memory.isRAM(pa, length: UInt64(chunk)) else { return false }
            pieces.append((pa, offset..<(offset + chunk)))
            offset += chunk
        }
        for piece in pieces { _ = memory.write(Array(bytes[piece.range]), at: piece.pa) }
        return true
    }
}
