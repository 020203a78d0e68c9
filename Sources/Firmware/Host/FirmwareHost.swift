import Foundation

/// The guest's view of time that KVM_PTP reports.
public protocol GuestClock: AnyObject, Sendable {
    /// A consistent pair: host wall-clock time (CLOCK_REALTIME, nanoseconds since 1970) and the
    /// guest's virtual (`physical == false`) or physical counter, read at the same instant.
    /// Nil when no such pair exists, which KVM_PTP reports as NOT_SUPPORTED.
    func ptpSnapshot(vcpu: Int, physical: Bool) -> (wallNanoseconds: UInt64, counter: UInt64)?
}

/// Guest physical memory, as the firmware services that touch it (PV time) need it.
public protocol GuestPhysicalMemory: AnyObject, Sendable {
    /// True when `length` bytes from `address` are guest RAM.
    func isRAM(_ address: UInt64, length: UInt64) -> Bool
    /// Reads `count` bytes from `address`; nil when the range is not all RAM.
    func read(count: Int, at address: UInt64) -> [UInt8]?
    /// Writes `bytes` at `address`; false, writing nothing, when the range is not all RAM.
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool
}

/// What the firmware services need from the machine around them.
public struct FirmwareHost: Sendable {
    public var power: any VCPUPowerControl
    public var clock: any GuestClock
    /// Nil when the VM exposes no memory to firmware services (PV time then stays unconfigured).
    public var memory: (any GuestPhysicalMemory)?

    public init(power: any VCPUPowerControl, clock: any GuestClock, memory: (any GuestPhysicalMemory)?) {
        self.power = power
        self.clock = clock
        self.memory = memory
    }

    /// A host with one powered vCPU (MPIDR 0x80000000), the host clock and no memory: enough
    /// to build a router for `policy show` or for calls that touch nothing else.
    public static func detached() -> FirmwareHost {
        FirmwareHost(power: StandalonePowerControl(vcpus: 1), clock: HostClock(), memory: nil)
    }
}

/// A guest clock read from the host: the counter runs at `frequency` from when the clock was
/// created (the virtual and physical counters agree, with a zero virtual offset).
public final class HostClock: GuestClock {
    /// The counter frequency. QEMU's `virt` with a Cortex-A57 runs CNTFRQ_EL0 at 62.5 MHz.
    public let frequency: UInt64
    private let startUptime: UInt64

    public init(frequency: UInt64 = 62_500_000) {
        self.frequency = frequency
        self.startUptime = DispatchTime.now().uptimeNanoseconds
    }

    /// Counter ticks since the clock was created.
    public func counter() -> UInt64 {
        let elapsed = DispatchTime.now().uptimeNanoseconds &- startUptime
        return UInt64((Double(elapsed) * Double(frequency) / 1e9).rounded(.down))
    }

    public func ptpSnapshot(vcpu: Int, physical: Bool) -> (wallNanoseconds: UInt64, counter: UInt64)? {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wall = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        return (wall, counter())
    }
}

/// A power control over a ``PowerStateTable`` alone, for a router with no machine around it
/// (tools, and library users driving the router directly). MPIDRs follow QEMU `virt` with GICv3.
/// Nothing runs, so standby and suspend only record state.
public final class StandalonePowerControl: VCPUPowerControl {
    public let table: PowerStateTable
    public let mpidrs: [UInt64]

    public init(vcpus: Int, bootCPUs: Set<Int> = [0]) {
        table = PowerStateTable(count: vcpus, bootCPUs: bootCPUs)
        mpidrs = (0..<vcpus).map { MPIDR.qemuVirt(index: $0) }
    }

    public func powerState(of vcpu: Int) -> VCPUPowerState { table.state(of: vcpu) }
    public func powerOn(_ vcpu: Int, reset: VCPUReset) -> Bool { table.powerOn(vcpu, reset: reset) }
    public func powerOff(_ vcpu: Int) { table.powerOff(vcpu) }
    public func standby(_ vcpu: Int) {}
    public func suspendSystem(_ vcpu: Int, resume: VCPUReset) { table.setPendingReset(vcpu, resume) }
    public func stopAll() { table.powerOffAll() }
    public func isValidEntryPoint(_ address: UInt64) -> Bool { true }
}
