import AArch64
import Firmware

/// Where the machine stopped for its debugger. Every vCPU is between instructions: the one
/// named finished its last one, the others are at the end of their last slice.
public enum DebugStopEvent: Sendable {
    /// vCPU `vcpu`'s host breakpoint, watchpoint or step.
    case vcpu(Int, HostDebugStop)
    /// The debugger asked to stop (Ctrl-C, a new connection, `-S`).
    case interrupted
    /// A caught firmware call (``VirtMachine/firmwareCallCatches``), decoded and not yet
    /// answered: vCPU `vcpu`'s PC is past the `HVC`/`SMC`, its X0-X17 are the call's arguments.
    case firmwareCall(vcpu: Int, conduit: Conduit, functionID: UInt32)
    /// The caught call has been answered: what the router did and the results now in the
    /// caller's registers.
    case firmwareCallAnswered(FirmwareTraceRecord)
}

/// What the debugger wants after a stop.
public enum DebugResumption: Equatable, Sendable {
    /// Run on (with whatever breakpoints and steps the debugger set in the vCPUs).
    case resume
    /// End the run with ``MachineExit/killedByDebugger``.
    case kill
}

/// A debugger attached to a ``VirtMachine`` (the gdbstub). The machine calls it on its own
/// thread: while a call runs, nothing in the machine moves, and guest time stands still.
public protocol MachineDebugger: AnyObject {
    /// The machine stopped; returns when the debugger lets it go on.
    func machineStopped(_ machine: VirtMachine, _ event: DebugStopEvent) -> DebugResumption
    /// Called before each scheduler round while the machine runs: true stops it with
    /// ``DebugStopEvent/interrupted``.
    func shouldInterrupt(_ machine: VirtMachine) -> Bool
}

/// The firmware calls a debugger stops at: ranges of function IDs (W0 of the call).
public struct FirmwareCallCatches: Equatable, Sendable {
    public private(set) var ranges: [ClosedRange<UInt32>] = []

    public init() {}

    public var isEmpty: Bool { ranges.isEmpty }

    /// Adds a range; false if it was already there.
    @discardableResult
    public mutating func insert(_ range: ClosedRange<UInt32>) -> Bool {
        guard !ranges.contains(range) else { return false }
        ranges.append(range)
        return true
    }

    /// Removes a range; false if it was not there.
    @discardableResult
    public mutating func remove(_ range: ClosedRange<UInt32>) -> Bool {
        guard let index = ranges.firstIndex(of: range) else { return false }
        ranges.remove(at: index)
        return true
    }

    public mutating func removeAll() { ranges.removeAll() }

    public func contains(_ functionID: UInt32) -> Bool { ranges.contains { $0.contains(functionID) } }
}
