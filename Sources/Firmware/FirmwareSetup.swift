/// Everything a VM's firmware needs before the VM starts: the policy, the machine interfaces,
/// the VMM's forward handlers, the stolen-time records, and whether a firmware blob is loaded.
///
/// Building a ``FirmwareRouter`` from it is starting the VM: the router validates the whole
/// setup and freezes it.
public struct FirmwareSetup: Sendable {
    public var policy: FirmwarePolicy
    public var host: FirmwareHost
    /// Handlers for `forward` ranges, in registration order.
    public private(set) var forwardHandlers: [any FirmwareService] = []
    /// True when the machine has loaded a guest-side firmware blob, so `firmware` ranges have
    /// somewhere to go.
    public var hasFirmwareBlob = false
    /// Board conventions outside SMCCC, declared by a board profile.
    public private(set) var legacyABIs: [LegacyCallABI] = []
    /// Each vCPU's stolen-time record address, or nil.
    public private(set) var stolenTimeAddresses: [UInt64?]

    public init(policy: FirmwarePolicy = FirmwarePolicy(), host: FirmwareHost) {
        self.policy = policy
        self.host = host
        self.stolenTimeAddresses = Array(repeating: nil, count: host.power.mpidrs.count)
    }

    /// Registers a handler for `forward` ranges: calls in the ranges its ``FirmwareService/functions``
    /// list reach it, and a range in the policy may name it by ``FirmwareService/name``.
    public mutating func addForwardHandler(_ handler: any FirmwareService) {
        forwardHandlers.append(handler)
    }

    /// Declares a board's non-SMCCC convention (see ``LegacyCallABI``). The register must be
    /// one a call record carries (X1-X17).
    public mutating func addLegacyABI(_ abi: LegacyCallABI) throws(PolicyError) {
        guard (1...17).contains(abi.functionRegister) else {
            throw .conflictingSettings("board ABI '\(abi.name)': register \(abi.functionRegister) is not one of X1-X17")
        }
        legacyABIs.append(abi)
    }

    /// Gives `vcpu` a PV-time stolen-time record at `address`, as KVM's `KVM_ARM_VCPU_PVTIME_IPA`:
    /// the address must be 64-byte aligned and in guest RAM (EINVAL), and can be set once (EEXIST).
    public mutating func setStolenTimeAddress(_ address: UInt64, vcpu: Int) throws(PolicyError) {
        guard stolenTimeAddresses.indices.contains(vcpu) else { throw .noSuchVCPU(vcpu) }
        guard address % PVTimeService.recordSize == 0 else {
            throw .invalidStolenTimeAddress(vcpu: vcpu, address: address, reason: "it must be 64-byte aligned")
        }
        guard let memory = host.memory, memory.isRAM(address, length: PVTimeService.recordSize) else {
            throw .invalidStolenTimeAddress(vcpu: vcpu, address: address, reason: "it is not in guest RAM")
        }
        guard stolenTimeAddresses[vcpu] == nil else { throw .stolenTimeAddressAlreadySet(vcpu: vcpu) }
        stolenTimeAddresses[vcpu] = address
    }
}
