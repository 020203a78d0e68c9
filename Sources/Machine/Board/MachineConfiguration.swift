import AArch64
import Firmware

/// Everything that shapes a `virt` machine before it starts.
public struct MachineConfiguration: Sendable {
    /// vCPUs: 1-8 with GICv2, 1-123 with GICv3 (the redistributor region's room).
    public var cpuCount = 1
    /// RAM at 0x4000_0000, in bytes (QEMU's default: 128 MiB).
    public var ramSize: UInt64 = 128 << 20
    /// 2 or 3.
    public var gicVersion = 3
    /// The firmware policy: conduits, filter ranges, services.
    public var policy = FirmwarePolicy()
    /// Handlers for the policy's `forward` ranges (board services, user code).
    public var forwardHandlers: [any FirmwareService] = []
    public var clockMode: ClockMode = .realTime
    /// SYSTEM_RESET restarts the machine; false ends the run instead (`--no-reboot`).
    public var rebootOnReset = true
    /// Instructions a vCPU runs before the scheduler moves to the next one.
    public var quantum = 20_000
    /// The CPU's optional features (the ID registers follow).
    public var cpuFeatures: CPUFeatures = .cortexA57
    /// The board on top of `virt`: its firmware services, conventions and blob.
    public var profile: MachineProfile = .virt
    /// How the vCPUs execute guest code (`--engine`).
    public var engine: ExecutionEngine = .interpreter
    /// The translator's code cache and threshold (`--code-cache`).
    public var translator = TranslatorSettings()

    public init() {}

    /// The largest vCPU count for the GIC version.
    public var maximumCPUs: Int { gicVersion == 2 ? 8 : Int(VirtMemoryMap.gicRedistributorsSize / VirtMemoryMap.gicRedistributorStride) }

    /// Checks the values against the board's limits.
    public func validate() throws(MachineError) {
        guard gicVersion == 2 || gicVersion == 3 else { throw .invalid("--gic", "\(gicVersion) is not a GIC version this board has (2 or 3)") }
        guard cpuCount >= 1, cpuCount <= maximumCPUs else {
            throw .invalid("--smp", "\(cpuCount) vCPUs: GICv\(gicVersion) allows 1 to \(maximumCPUs)")
        }
        guard ramSize >= 1 << 20, ramSize % 4096 == 0 else {
            throw .invalid("-m", "RAM must be a whole number of 4 KiB pages and at least 1 MiB")
        }
        guard ramSize <= VirtMemoryMap.maximumRAM else { throw .invalid("-m", "the virt board holds at most 255 GiB of RAM") }
        guard quantum > 0 else { throw .invalid("quantum", "must be positive") }
        guard engine.isAvailable else { throw .invalid("--engine", "\(engine.rawValue) needs an x86-64 host") }
        guard TranslatorSettings.codeCacheSizes.contains(translator.codeCacheSize) else {
            throw .invalid("--code-cache", "\(translator.codeCacheSize >> 10) KiB is outside 64K to 1G")
        }
    }
}

/// A machine that cannot be built or booted as asked. The description is one line naming the
/// place (flag or file) and the problem.
public enum MachineError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case image(String, String)
    case firmware(String)

    public var description: String {
        switch self {
        case .invalid(let place, let problem): return "\(place): \(problem)"
        case .image(let file, let problem): return "\(file): \(problem)"
        case .firmware(let problem): return "firmware policy: \(problem)"
        }
    }
}
