import Firmware
import SMCCC
import Synchronization

/// A vCPU power control that records what PSCI asked of it, over the shipped ``PowerStateTable``
/// (so the atomic CPU_ON transition under test is Conduit's own).
final class FakePowerControl: VCPUPowerControl {
    enum Event: Equatable, Sendable {
        case powerOn(Int, VCPUReset)
        case powerOff(Int)
        case standby(Int)
        case suspendSystem(Int, VCPUReset)
        case stopAll
    }

    let table: PowerStateTable
    let mpidrs: [UInt64]
    private let log = Mutex<[Event]>([])
    /// Entry points `isValidEntryPoint` accepts: guest RAM of QEMU virt with 128 MiB by default.
    let validEntryPoints: ClosedRange<UInt64>

    init(mpidrs: [UInt64], on: Set<Int> = [0], validEntryPoints: ClosedRange<UInt64> = 0x4000_0000...0x47FF_FFFF) {
        self.mpidrs = mpidrs
        self.table = PowerStateTable(count: mpidrs.count, bootCPUs: on)
        self.validEntryPoints = validEntryPoints
    }

    convenience init(vcpus: Int, on: Set<Int> = [0]) {
        self.init(mpidrs: (0..<vcpus).map { MPIDR.qemuVirt(index: $0) }, on: on)
    }

    var events: [Event] { log.withLock { $0 } }

    func powerState(of vcpu: Int) -> VCPUPowerState { table.state(of: vcpu) }

    func powerOn(_ vcpu: Int, reset: VCPUReset) -> Bool {
        let started = table.powerOn(vcpu, reset: reset)
        if started { log.withLock { $0.append(.powerOn(vcpu, reset)) } }
        return started
    }

    func powerOff(_ vcpu: Int) {
        table.powerOff(vcpu)
        log.withLock { $0.append(.powerOff(vcpu)) }
    }

    func standby(_ vcpu: Int) { log.withLock { $0.append(.standby(vcpu)) } }

    func suspendSystem(_ vcpu: Int, resume: VCPUReset) {
        table.setPendingReset(vcpu, resume)
        log.withLock { $0.append(.suspendSystem(vcpu, resume)) }
    }

    func stopAll() {
        table.powerOffAll()
        log.withLock { $0.append(.stopAll) }
    }

    func isValidEntryPoint(_ address: UInt64) -> Bool { validEntryPoints.contains(address) }
}

/// A clock with fixed readings.
final class FakeClock: GuestClock {
    let wall: UInt64
    let virtualCounter: UInt64
    let physicalCounter: UInt64
    let available: Bool

    init(wall: UInt64 = 0x1234_5678_9ABC_DEF0, virtualCounter: UInt64 = 0x0000_0001_0000_0002,
         physicalCounter: UInt64 = 0x0000_0003_0000_0004, available: Bool = true) {
        self.wall = wall
        self.virtualCounter = virtualCounter
        self.physicalCounter = physicalCounter
        self.available = available
    }

    func ptpSnapshot(vcpu: Int, physical: Bool) -> (wallNanoseconds: UInt64, counter: UInt64)? {
        available ? (wall, physical ? physicalCounter : virtualCounter) : nil
    }
}

/// Guest RAM as a byte array at a base address.
final class FakeMemory: GuestPhysicalMemory {
    let base: UInt64
    private let bytes: Mutex<[UInt8]>

    init(base: UInt64 = 0x4000_0000, size: Int = 0x10000, fill: UInt8 = 0xAA) {
        self.base = base
        self.bytes = Mutex([UInt8](repeating: fill, count: size))
    }

    func isRAM(_ address: UInt64, length: UInt64) -> Bool {
        let size = UInt64(bytes.withLock { $0.count })
        return address >= base && length <= size && address - base <= size - length
    }

    func read(count: Int, at address: UInt64) -> [UInt8]? {
        guard isRAM(address, length: UInt64(count)) else { return nil }
        let offset = Int(address - base)
        return bytes.withLock { Array($0[offset..<offset + count]) }
    }

    func write(_ data: [UInt8], at address: UInt64) -> Bool {
        guard isRAM(address, length: UInt64(data.count)) else { return false }
        let offset = Int(address - base)
        bytes.withLock { $0.replaceSubrange(offset..<offset + data.count, with: data) }
        return true
    }
}

/// A VM's firmware on fakes, and helpers to make calls the way a guest would.
struct TestVM {
    let power: FakePowerControl
    let clock: FakeClock
    let memory: FakeMemory
    let router: FirmwareRouter

    init(
        policy: FirmwarePolicy = FirmwarePolicy(), vcpus: Int = 2, on: Set<Int> = [0],
        clock: FakeClock = FakeClock(), forwardHandlers: [any FirmwareService] = [],
        stolenTime: [Int: UInt64] = [:], firmwareBlob: Bool = false
    ) throws {
        self.power = FakePowerControl(vcpus: vcpus, on: on)
        self.clock = clock
        self.memory = FakeMemory()
        var setup = FirmwareSetup(policy: policy, host: FirmwareHost(power: power, clock: clock, memory: memory))
        for handler in forwardHandlers { setup.addForwardHandler(handler) }
        for (vcpu, address) in stolenTime.sorted(by: { $0.key < $1.key }) {
            try setup.setStolenTimeAddress(address, vcpu: vcpu)
        }
        setup.hasFirmwareBlob = firmwareBlob
        self.router = try FirmwareRouter(setup)
    }

    /// Makes a call and returns the record (with results) and the disposition.
    @discardableResult
    func call(
        _ x0: UInt64, _ args: UInt64..., conduit: Conduit = .hvc, immediate: UInt16 = 0,
        caller: CallerState = CallerState()
    ) -> (call: FirmwareCall, disposition: CallDisposition) {
        var record = FirmwareCall(conduit: conduit, immediate: immediate, caller: caller, registers: [x0] + args)
        let disposition = router.dispatch(&record)
        return (record, disposition)
    }

    /// X0 after a call.
    func x0(_ x0: UInt64, _ args: UInt64..., conduit: Conduit = .hvc, caller: CallerState = CallerState()) -> UInt64 {
        var record = FirmwareCall(conduit: conduit, caller: caller, registers: [x0] + args)
        _ = router.dispatch(&record)
        return record.results[0]
    }

    /// X0-X3 after a call.
    func x0to3(_ x0: UInt64, _ args: UInt64..., conduit: Conduit = .hvc, caller: CallerState = CallerState()) -> [UInt64] {
        var record = FirmwareCall(conduit: conduit, caller: caller, registers: [x0] + args)
        _ = router.dispatch(&record)
        return (0..<4).map { record.results[$0] }
    }
}

/// A forward handler that answers every call in its ranges with a fixed value and counts calls.
final class RecordingHandler: FirmwareService {
    let name: String
    let functions: [ServiceFunctions]
    let answer: UInt64
    private let seen = Mutex<[FirmwareCall]>([])

    init(name: String, ranges: [FunctionIDRange], answer: UInt64 = 0x600D) {
        self.name = name
        self.functions = ranges.map { ServiceFunctions($0, label: name) }
        self.answer = answer
    }

    var calls: [FirmwareCall] { seen.withLock { $0 } }

    func handle(_ call: inout FirmwareCall) -> CallOutcome {
        seen.withLock { $0.append(call) }
        call.setResults(answer, call.x1, call.x2, call.x3)
        return .resume
    }
}

let NOT_SUPPORTED: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
let INVALID_PARAMETERS: UInt64 = PSCIReturn.invalidParameters.registerValue
let ALREADY_ON: UInt64 = PSCIReturn.alreadyOn.registerValue
let DENIED: UInt64 = PSCIReturn.denied.registerValue
let INTERNAL_FAILURE: UInt64 = PSCIReturn.internalFailure.registerValue

extension FunctionID {
    /// The value a guest puts in X0.
    var x0: UInt64 { UInt64(rawValue) }
}
