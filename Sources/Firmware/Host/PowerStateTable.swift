import Synchronization

/// Per-vCPU power state with the atomic off-to-on transition PSCI CPU_ON needs.
///
/// Each vCPU's state and its pending reset sit under one lock, as KVM keeps `mp_state` and
/// `reset_state` under the target's `mp_state_lock`: CPU_ON checks "off", records the reset and
/// flips to "on" in one step, so two racing callers can never both see SUCCESS, and a caller
/// never sees ON_PENDING. (QEMU checks and sets in two steps and can start a CPU twice.)
public final class PowerStateTable: Sendable {
    private struct Slot: Sendable {
        var state: VCPUPowerState
        var pendingReset: VCPUReset?
    }

    private final class Cell: Sendable {
        let slot: Mutex<Slot>
        init(_ slot: Slot) { self.slot = Mutex(slot) }
    }

    private let cells: [Cell]

    /// A table for `count` vCPUs; `bootCPUs` start on (no pending reset), the others off.
    public init(count: Int, bootCPUs: Set<Int> = [0]) {
        cells = (0..<count).map { Cell(Slot(state: bootCPUs.contains($0) ? .on : .off, pendingReset: nil)) }
    }

    public var count: Int { cells.count }

    /// The state of `vcpu`; an index outside the table reads as off.
    public func state(of vcpu: Int) -> VCPUPowerState {
        guard cells.indices.contains(vcpu) else { return .off }
        return cells[vcpu].slot.withLock { $0.state }
    }

    /// Off to on with `reset` pending, atomically; false if `vcpu` was not off (or does not exist).
    public func powerOn(_ vcpu: Int, reset: VCPUReset) -> Bool {
        guard cells.indices.contains(vcpu) else { return false }
        return cells[vcpu].slot.withLock { slot in
            guard slot.state == .off else { return false }
            slot.state = .on
            slot.pendingReset = reset
            return true
        }
    }

    /// Sets `vcpu` on with `reset` pending, whatever its state (SYSTEM_SUSPEND's resume).
    public func setPendingReset(_ vcpu: Int, _ reset: VCPUReset) {
        guard cells.indices.contains(vcpu) else { return }
        cells[vcpu].slot.withLock {
            $0.state = .on
            $0.pendingReset = reset
        }
    }

    /// On to off; any pending reset is dropped.
    public func powerOff(_ vcpu: Int) {
        guard cells.indices.contains(vcpu) else { return }
        cells[vcpu].slot.withLock {
            $0.state = .off
            $0.pendingReset = nil
        }
    }

    /// Every vCPU off.
    public func powerOffAll() {
        for index in cells.indices { powerOff(index) }
    }

    /// Removes and returns the reset `vcpu` must apply before it runs, if any. The vCPU's own
    /// run loop calls this, as KVM's target applies its reset itself.
    public func takePendingReset(_ vcpu: Int) -> VCPUReset? {
        guard cells.indices.contains(vcpu) else { return nil }
        return cells[vcpu].slot.withLock {
            let reset = $0.pendingReset
            $0.pendingReset = nil
            return reset
        }
    }
}
