import SMCCC

/// The instruction a guest used to make a firmware call (DEN0028 §2.1: "conduit").
public enum Conduit: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// `HVC`: a hypervisor call, taken to EL2. Conduit plays EL2.
    case hvc
    /// `SMC`: a secure monitor call, taken to EL3. Conduit plays EL3 when the policy enables it.
    case smc

    public var description: String {
        switch self {
        case .hvc: return "HVC"
        case .smc: return "SMC"
        }
    }
}

/// A set of conduits: which of `HVC` and `SMC` reach the firmware router.
public struct ConduitSet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hvc = ConduitSet(rawValue: 1 << Conduit.hvc.rawValue)
    public static let smc = ConduitSet(rawValue: 1 << Conduit.smc.rawValue)
    public static let both: ConduitSet = [.hvc, .smc]

    @inlinable
    public func contains(_ conduit: Conduit) -> Bool { rawValue & (1 << conduit.rawValue) != 0 }

    public var description: String {
        switch self {
        case .hvc: return "hvc"
        case .smc: return "smc"
        case .both: return "both"
        default: return "none"
        }
    }
}

/// The register width the calling vCPU executes in.
public enum ExecutionState: UInt8, Sendable {
    case aarch64
    case aarch32
}

/// What the firmware needs to know about the vCPU that made a call.
public struct CallerState: Sendable, Equatable {
    /// Index of the calling vCPU in the VM (0-based).
    public var vcpu: Int
    public var executionState: ExecutionState
    /// The exception level the instruction was executed at, 0-3.
    public var exceptionLevel: UInt8
    /// The caller's data endianness at EL1 (SCTLR_EL1.EE, or CPSR.E in AArch32). PSCI CPU_ON gives
    /// the caller's endianness to the CPU it starts, as KVM does.
    public var isBigEndian: Bool
    /// True while the vCPU runs the guest-side firmware blob rather than the guest kernel.
    public var isInFirmwareWorld: Bool

    public init(
        vcpu: Int = 0,
        executionState: ExecutionState = .aarch64,
        exceptionLevel: UInt8 = 1,
        isBigEndian: Bool = false,
        isInFirmwareWorld: Bool = false
    ) {
        self.vcpu = vcpu
        self.executionState = executionState
        self.exceptionLevel = exceptionLevel
        self.isBigEndian = isBigEndian
        self.isInFirmwareWorld = isInFirmwareWorld
    }
}
