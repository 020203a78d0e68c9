import AArch64
import Firmware

/// What a vCPU that is powered on is doing, as the scheduler sees it.
enum VCPUActivity: Equatable {
    case running
    /// Powered off by CPU_OFF or SYSTEM_OFF: the scheduler must not resume it after the call.
    case off
    /// WFI, PSCI CPU_SUSPEND (standby) or SYSTEM_SUSPEND: until an interrupt line rises.
    case waitingForInterrupt
    /// WFE: until the event register is set or an interrupt line rises.
    case waitingForEvent
}

/// PSCI's view of the machine's vCPUs: power state in a ``PowerStateTable`` (the atomic
/// off-to-on transition) and sleep state for the scheduler.
///
/// The default scheduler runs every vCPU on one host thread, and PSCI calls arrive on it, so
/// `activity` needs no lock; the power table has its own for library users who drive vCPUs
/// from several threads.
final class MachinePowerControl: VCPUPowerControl, @unchecked Sendable {
    let table: PowerStateTable
    let mpidrs: [UInt64]
    @exclusivity(unchecked) var activity: [VCPUActivity]
    private let memory: PhysicalMemory

    init(mpidrs: [UInt64], memory: PhysicalMemory) {
        self.mpidrs = mpidrs
        self.memory = memory
        table = PowerStateTable(count: mpidrs.count, bootCPUs: [0])
        activity = Array(repeating: .running, count: mpidrs.count)
    }

    /// Power-on reset of the whole machine: the boot vCPU on, the others off.
    func resetAll() {
        table.powerOffAll()
        _ = table.powerOn(0, reset: VCPUReset(entryPoint: 0, contextID: 0))
        _ = table.takePendingReset(0)
        for index in activity.indices { activity[index] = .running }
    }

    func powerState(of vcpu: Int) -> VCPUPowerState { table.state(of: vcpu) }

    func powerOn(_ vcpu: Int, reset: VCPUReset) -> Bool {
        guard table.powerOn(vcpu, reset: reset) else { return false }
        activity[vcpu] = .running
        return true
    }

    func powerOff(_ vcpu: Int) {
        table.powerOff(vcpu)
        activity[vcpu] = .off
    }

    func standby(_ vcpu: Int) { activity[vcpu] = .waitingForInterrupt }

    func suspendSystem(_ vcpu: Int, resume: VCPUReset) {
        table.setPendingReset(vcpu, resume)
        activity[vcpu] = .waitingForInterrupt
    }

    func stopAll() {
        table.powerOffAll()
        for index in activity.indices { activity[index] = .off }
    }

    func isValidEntryPoint(_ address: UInt64) -> Bool { memory.isRAM(address, length: 4) }
}

/// Guest RAM as the firmware services see it (PV time's stolen-time records).
final class FirmwareMemoryView: GuestPhysicalMemory, @unchecked Sendable {
    private let memory: PhysicalMemory
    init(_ memory: PhysicalMemory) { self.memory = memory }
    func isRAM(_ address: UInt64, length: UInt64) -> Bool { memory.isRAM(address, length: length) }
    func read(count: Int, at address: UInt64) -> [UInt8]? { memory.read(count: count, at: address) }
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool { memory.write(bytes, at: address) }
}
