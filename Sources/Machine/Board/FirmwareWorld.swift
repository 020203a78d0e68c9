import AArch64
import Firmware
import SMCCC

/// The guest-side firmware's world: where a call routed with the `firmware` action runs.
///
/// Each vCPU has a twin CPU that exists only for its firmware: its own EL1 registers and system
/// registers (MMU off unless the blob turns its own on), its own stack, entered at the monitor
/// vector, on a memory map that adds the firmware region to everything the guest has. The guest
/// kernel's map has nothing there, so its accesses to the region are external aborts, as secure
/// memory seen from the normal world. The blob returns with `HVC #0xFFFF`; X0-X17 are its results.
/// It may call the hypervisor with HVC (PSCI, VMM services); an SMC from here is refused with
/// NOT_SUPPORTED. A blob that takes an exception, sleeps, runs past its budget or returns from
/// the wrong place ends the call with NOT_SUPPORTED for the caller, never a hang.
final class FirmwareWorld: FirmwareCallHandler {
    let blob: FirmwareBlob
    let memory = PhysicalMemory()
    let cpus: [AArch64CPU]
    private let segments: [(address: UInt64, bytes: [UInt8])]
    /// Set by the return call.
    private var returned = false
    /// The machine, while a call runs (the world's own HVCs are routed through it).
    private unowned(unsafe) var machine: VirtMachine?
    private var stop: MachineExit?

    /// How a call into the firmware ended.
    enum Result {
        case returned
        case stopped(MachineExit)
        case faulted(TakenException)
        case exceededBudget(Int)
        case slept
        case returnedFromEL0

        var failure: String? {
            switch self {
            case .returned, .stopped: return nil
            case .faulted(let exception):
                return exception.isInterrupt ? "took an interrupt at \(hex64(exception.returnAddress))"
                    : "faulted at \(hex64(exception.returnAddress)) (ESR \(hex64(exception.syndrome)), FAR \(hex64(exception.faultAddress)))"
            case .exceededBudget(let budget): return "ran past its budget of \(budget) instructions"
            case .slept: return "waited (WFI/WFE), which the firmware world cannot"
            case .returnedFromEL0: return "made its return call from EL0"
            }
        }
    }

    init(blob: FirmwareBlob, normalWorld: PhysicalMemory, cpus normal: [AArch64CPU], clock: MachineClock) throws(MachineError) {
        self.blob = blob
        do {
            for region in normalWorld.ramRegions { try memory.addRAM(aliasing: region) }
            for device in normalWorld.devices { try memory.addMMIO(base: device.base, size: device.size, device: device.device) }
            try memory.addRAM(base: blob.regionBase, size: blob.regionSize)
        } catch {
            throw .firmware("the firmware region at \(hex64(blob.regionBase)): \(error)")
        }
        // The image: an ELF file whose segments lie in the region, or raw bytes at its base.
        var segments: [(UInt64, [UInt8])] = []
        if ELFImage.isELF(blob.image) {
            let elf: ELFImage
            do {
                elf = try ELFImage(blob.image, window: blob.regionBase..<blob.regionBase + blob.regionSize)
            } catch { throw .image("firmware blob", "\(error)") }
            segments = elf.segments.map { ($0.physicalAddress, $0.bytes) }
        } else {
            segments = [(blob.regionBase, blob.image)]
        }
        for (address, bytes) in segments {
            guard address >= blob.regionBase, address + UInt64(bytes.count) <= blob.regionBase + blob.regionSize else {
                throw .image("firmware blob", "a segment at \(hex64(address)) lies outside the firmware region \(hex64(blob.regionBase))-\(hex64(blob.regionBase + blob.regionSize - 1))")
            }
        }
        self.segments = segments
        let memory = self.memory
        cpus = normal.map { cpu in
            let twin = AArch64CPU(index: cpu.index, memory: memory, features: cpu.features, identity: cpu.identity, counter: clock)
            twin.stopsOnExceptions = true
            return twin
        }
        // Both maps share RAM, so every CPU must hear about writes through either.
        for cpu in normal { cpu.observe(memory) }
        for twin in cpus { twin.observe(normalWorld) }
        super.init()
        for twin in cpus { twin.firmwareCallHandler = self }
        reload()
    }

    /// Puts the image back (power-on and SYSTEM_RESET).
    func reload() {
        for (address, bytes) in segments { _ = memory.write(bytes, at: address) }
    }

    /// Runs `call` in the firmware world for `caller`; on return its results are in `call`.
    func enter(_ call: inout FirmwareCall, from caller: AArch64CPU, machine: VirtMachine) -> Result {
        let twin = cpus[caller.index]
        twin.reset(entry: blob.vectorBase + FirmwareBlob.entryOffset)
        twin.sp = blob.stackTop - UInt64(caller.index) * blob.stackSize
        let from = caller.generalRegisters
        let to = twin.generalRegisters
        for n in 0..<18 { to[n] = from[n] }
        returned = false
        stop = nil
        self.machine = machine
        defer { self.machine = nil }

        var remaining = blob.budget
        var result = Result.returned
        run: while true {
            let before = twin.instructionsRetired
            let exit = twin.run(maxInstructions: max(remaining, 1))
            remaining -= Int(truncatingIfNeeded: twin.instructionsRetired &- before)
            if returned {
                if twin.el != 1 { result = .returnedFromEL0 }
                break
            }
            if let exception = twin.takenException {
                result = .faulted(exception)
                break
            }
            if let stop {
                result = .stopped(stop)
                break
            }
            if remaining <= 0 {
                result = .exceededBudget(blob.budget)
                break
            }
            switch exit {
            case .waitForInterrupt, .waitForEvent:
                result = .slept
                break run
            case .budgetExhausted, .exitRequested, .firmwareCallHandled, .sendEvent, .firmwareCall, .hostDebugStop:
                // .firmwareCall is not reached: this world answers its own calls in the run loop;
                // nor is .hostDebugStop: the host debugger sets its breakpoints in the vCPUs,
                // not in their firmware-world twins.
                continue
            }
        }
        switch result {
        case .returned:
            for n in 0..<min(call.resultCount, 18) { call.results[n] = to[n] }
        case .stopped:
            break
        default:
            call.setResult(SMCCCReturn.notSupported)
        }
        return result
    }

    /// The firmware's own calls: the return call ends the world; anything else is routed as a
    /// call from the firmware world (SMC refused, HVC to the hypervisor's services).
    override func handleFirmwareCall(_ instruction: FirmwareCallInstruction, immediate: UInt16, cpu: AArch64CPU) -> Bool {
        if instruction == .hvc, immediate == FirmwareBlob.returnImmediate {
            returned = true
            return false
        }
        guard let machine else { return false }
        stop = machine.firmwareCall(instruction == .hvc ? .hvc : .smc, immediate: immediate, from: cpu, inFirmwareWorld: true)
        return stop == nil
    }
}
