/// A range of function IDs a service answers, and whether the VM enables it.
public struct ServiceFunctions: Sendable, Equatable {
    public let range: FunctionIDRange
    /// False when a feature bitmap switches these functions off: they are then denied, exactly
    /// as if no service implemented them (KVM's bitmap gating).
    public let isEnabled: Bool
    /// What the range is, for `policy show`: "PSCI 1.3", "TRNG 1.0", "KVM_PTP".
    public let label: String

    public init(_ range: FunctionIDRange, label: String, isEnabled: Bool = true) {
        self.range = range
        self.label = label
        self.isEnabled = isEnabled
    }
}

/// What the machine must do once a handler has run.
public enum CallOutcome: Sendable, Equatable {
    /// Write ``FirmwareCall/results`` (``FirmwareCall/resultCount`` registers from X0) and
    /// continue after the `SMC`/`HVC`. Effects on vCPU power (CPU_OFF, CPU_SUSPEND) have already
    /// been requested through ``VCPUPowerControl``.
    case resume
    /// Inject an undefined-instruction exception at the `SMC`/`HVC`; write no register.
    case undefinedInstruction
    /// Switch the vCPU into the guest-side firmware world with this call; its results come later.
    case enterFirmware
    /// The whole VM stops. The result registers are preloaded so that a vCPU resumed anyway sees
    /// a legal failure (INTERNAL_FAILURE), as KVM does.
    case systemEvent(SystemEvent)
}

/// A request to stop or restart the whole VM (KVM's `KVM_EXIT_SYSTEM_EVENT`).
public enum SystemEvent: Sendable, Equatable {
    /// PSCI SYSTEM_OFF.
    case systemOff
    /// PSCI SYSTEM_OFF2 with its type (0, or 1 for HIBERNATE_OFF).
    case systemOff2(type: UInt32)
    /// PSCI SYSTEM_RESET.
    case systemReset
    /// PSCI SYSTEM_RESET2 with its reset type and cookie.
    case systemReset2(type: UInt32, cookie: UInt64)

    /// True for the events that power the VM off rather than reset it.
    public var isShutdown: Bool {
        switch self {
        case .systemOff, .systemOff2: return true
        case .systemReset, .systemReset2: return false
        }
    }
}

/// Firmware that answers calls: a built-in service, or a handler the VMM registers for `forward`.
///
/// All share one signature, as Trusted Firmware-A's runtime services do: the handler reads the
/// call's arguments, writes its results into the call (which start as NOT_SUPPORTED) and says
/// what happens next. A handler never traps on guest input: any argument value has an answer.
public protocol FirmwareService: AnyObject, Sendable {
    /// The name traces and `policy show` use.
    var name: String { get }
    /// The function IDs this service answers.
    var functions: [ServiceFunctions] { get }
    /// Answers one call. Called from the calling vCPU's thread; may run concurrently for
    /// different vCPUs.
    func handle(_ call: inout FirmwareCall) -> CallOutcome
}
