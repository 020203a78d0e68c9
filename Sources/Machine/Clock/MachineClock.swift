import AArch64
import Firmware
import Foundation

/// How guest time advances.
public enum ClockMode: Sendable, Equatable {
    /// Guest time is host time: the counter runs at 62.5 MHz from power-on.
    case realTime
    /// Guest time is counted in retired instructions, one nanosecond each (QEMU's
    /// `-icount shift=0`), and jumps ahead to the next timer deadline when every vCPU sleeps:
    /// the same inputs give the same run.
    case instructionCounted
}

/// The machine's time base: the generic timer's count (CNTPCT_EL0, CNTVOFF = 0), the PL031's
/// seconds and KVM_PTP's clock pairs all come from here.
public final class MachineClock: CounterSource, GuestClock, @unchecked Sendable {
    public let mode: ClockMode
    /// Nanoseconds per counter tick at 62.5 MHz.
    static let nanosecondsPerTick: UInt64 = 1_000_000_000 / VirtMemoryMap.counterFrequency

    private let startUptime: UInt64
    /// Host wall-clock time at power-on, nanoseconds since 1970.
    public let startWallNanoseconds: UInt64

    /// Instruction-counted time: nanoseconds from finished quanta and skipped idle time.
    private var countedNanoseconds: UInt64 = 0
    /// The vCPU running now and its retired count when its quantum began, so that reads inside
    /// a quantum advance too.
    private unowned(unsafe) var running: AArch64CPU?
    private var runningStart: UInt64 = 0

    public init(mode: ClockMode) {
        self.mode = mode
        startUptime = DispatchTime.now().uptimeNanoseconds
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        startWallNanoseconds = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Guest nanoseconds since power-on.
    public var nanoseconds: UInt64 {
        switch mode {
        case .realTime:
            return (pausedAt ?? DispatchTime.now().uptimeNanoseconds) &- startUptime &- pausedNanoseconds
        case .instructionCounted:
            guard let running else { return countedNanoseconds }
            return countedNanoseconds &+ (running.instructionsRetired &- runningStart)
        }
    }

    /// CNTPCT_EL0.
    public var counter: UInt64 { nanoseconds / Self.nanosecondsPerTick }

    /// Guest nanoseconds at which the counter reaches `count`.
    static func nanoseconds(atCount count: UInt64) -> UInt64 {
        count.multipliedReportingOverflow(by: nanosecondsPerTick).overflow ? .max : count &* nanosecondsPerTick
    }

    /// Seconds since 1970 as the guest sees them (the RTC).
    public var wallSeconds: UInt64 { (startWallNanoseconds &+ nanoseconds) / 1_000_000_000 }

    /// Host time spent paused (``pause()``), which the guest does not see pass.
    public private(set) var pausedNanoseconds: UInt64 = 0
    private var pausedAt: UInt64?

    // MARK: Scheduler hooks

    /// Guest time stops (a debugger is looking at the machine, or is awaited) until ``resume()``.
    public func pause() {
        if pausedAt == nil { pausedAt = DispatchTime.now().uptimeNanoseconds }
    }

    /// Guest time runs again from where ``pause()`` stopped it.
    public func resume() {
        guard let pausedAt else { return }
        pausedNanoseconds &+= DispatchTime.now().uptimeNanoseconds &- pausedAt
        self.pausedAt = nil
    }

    /// `cpu` starts a quantum.
    func beginQuantum(_ cpu: AArch64CPU) {
        running = cpu
        runningStart = cpu.instructionsRetired
    }

    /// The running vCPU's quantum ended: its instructions become time.
    func endQuantum() {
        if let running, mode == .instructionCounted {
            countedNanoseconds &+= running.instructionsRetired &- runningStart
        }
        running = nil
    }

    /// Every vCPU sleeps until guest time `target` (nanoseconds): in instruction-counted mode,
    /// time jumps there; in real time the caller sleeps the host.
    func skip(to target: UInt64) {
        if mode == .instructionCounted, target > countedNanoseconds { countedNanoseconds = target }
    }

    // MARK: GuestClock

    public func ptpSnapshot(vcpu: Int, physical: Bool) -> (wallNanoseconds: UInt64, counter: UInt64)? {
        let elapsed = nanoseconds
        return (startWallNanoseconds &+ elapsed, elapsed / Self.nanosecondsPerTick)
    }
}
