/// How a vCPU starts after CPU_ON, or resumes after SYSTEM_SUSPEND: the reset KVM records as
/// `reset_state` and applies before the vCPU next runs.
public struct VCPUReset: Sendable, Equatable {
    /// Where the vCPU starts (PSCI's `entry_point_address`). For an AArch32 vCPU, bit 0 set
    /// means Thumb.
    public var entryPoint: UInt64
    /// Put in X0 (R0) before the first instruction (PSCI's `context_id`).
    public var contextID: UInt64
    /// Start big-endian: PSCI gives the started CPU the endianness of its caller.
    public var isBigEndian: Bool

    public init(entryPoint: UInt64, contextID: UInt64, isBigEndian: Bool = false) {
        self.entryPoint = entryPoint
        self.contextID = contextID
        self.isBigEndian = isBigEndian
    }
}

/// Whether a vCPU is powered. PSCI's AFFINITY_INFO reports ON for anything not OFF, including a
/// vCPU in standby or a suspended system.
public enum VCPUPowerState: UInt8, Sendable {
    case off
    case on
}

/// The small interface through which PSCI powers vCPUs on and off. The machine implements it
/// over its real vCPUs; tests implement it with a fake. Calls may come from any vCPU's thread.
public protocol VCPUPowerControl: AnyObject, Sendable {
    /// MPIDR_EL1 of each vCPU, by vCPU index. Fixed for the life of the VM.
    var mpidrs: [UInt64] { get }

    /// The power state of `vcpu`.
    func powerState(of vcpu: Int) -> VCPUPowerState

    /// Atomically moves `vcpu` from off to on, recording `reset` to apply before it runs, and
    /// wakes it. Returns false, changing nothing, when the vCPU was not off: when many callers
    /// race to start one vCPU, exactly one gets true.
    func powerOn(_ vcpu: Int, reset: VCPUReset) -> Bool

    /// CPU_OFF: the calling vCPU stops before its next instruction and stays off until a CPU_ON.
    func powerOff(_ vcpu: Int)

    /// CPU_SUSPEND, treated as a standby state: the vCPU waits as for `WFI` and then continues
    /// after the call with every register preserved.
    func standby(_ vcpu: Int)

    /// SYSTEM_SUSPEND with every other vCPU off: `vcpu` sleeps until a wake-up event and then
    /// starts at `resume` as after CPU_ON.
    func suspendSystem(_ vcpu: Int, resume: VCPUReset)

    /// SYSTEM_OFF, SYSTEM_RESET and their variants: every vCPU stops.
    func stopAll()

    /// Whether `address` can hold code the vCPU can start at (PSCI's INVALID_ADDRESS check).
    func isValidEntryPoint(_ address: UInt64) -> Bool
}
