/// The error number KVM returns for the same mistake, so that tests can hold Conduit to KVM's
/// rules row by row and a future KVM backend can translate one into the other.
public enum KVMErrno: String, Sendable {
    case EINVAL, EEXIST, EBUSY, ENOENT, ENXIO
}

/// A policy or firmware-configuration mistake, with a message that names the range or value at fault.
public enum PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `nr_functions` is 0.
    case emptyRange(base: UInt32)
    /// `base + nr_functions - 1` wraps past 0xFFFFFFFF.
    case wrappingRange(base: UInt32, count: UInt32)
    /// The padding of a `struct kvm_smccc_filter` is not all zero.
    case filterPaddingNotZero
    /// A `struct kvm_smccc_filter` action that KVM reserves (3 and up).
    case reservedFilterAction(UInt8)
    /// A range overlaps one of the Arm Architecture ranges Conduit always handles itself.
    case overlapsReservedRange(FunctionIDRange, origin: String?, reserved: FunctionIDRange)
    /// A range overlaps one inserted before it. Ranges never overlap and are never removed.
    case overlapsRange(FunctionIDRange, origin: String?, existing: FunctionIDRange, existingOrigin: String?)
    /// The VM has started; the policy is frozen.
    case vmStarted(String)
    /// No firmware pseudo-register has this ID.
    case unknownRegister(UInt64)
    /// A firmware pseudo-register cannot hold this value.
    case invalidRegisterValue(FirmwareRegister, UInt64, reason: String)
    /// A firmware pseudo-register cannot change once the VM has run.
    case registerBusy(FirmwareRegister, current: UInt64, requested: UInt64)
    /// A `forward` range names a handler nobody registered.
    case unknownForwardHandler(FunctionIDRange, origin: String?, name: String, known: [String])
    /// A `firmware` range, but the VM has no guest-side firmware blob.
    case firmwareWithoutBlob(FunctionIDRange, origin: String?)
    /// A stolen-time address that is not 64-byte aligned, or not in guest RAM.
    case invalidStolenTimeAddress(vcpu: Int, address: UInt64, reason: String)
    /// The vCPU's stolen-time address was already set.
    case stolenTimeAddressAlreadySet(vcpu: Int)
    /// A vCPU index outside the VM.
    case noSuchVCPU(Int)
    /// Two settings contradict each other.
    case conflictingSettings(String)

    /// KVM's error number for the same condition.
    public var kvmErrno: KVMErrno {
        switch self {
        case .emptyRange, .wrappingRange, .filterPaddingNotZero, .reservedFilterAction,
            .invalidRegisterValue, .invalidStolenTimeAddress, .unknownForwardHandler,
            .firmwareWithoutBlob, .conflictingSettings:
            return .EINVAL
        case .overlapsReservedRange, .overlapsRange, .stolenTimeAddressAlreadySet:
            return .EEXIST
        case .vmStarted, .registerBusy:
            return .EBUSY
        case .unknownRegister, .noSuchVCPU:
            return .ENOENT
        }
    }

    public var description: String {
        func at(_ origin: String?) -> String { origin.map { " (\($0))" } ?? "" }
        switch self {
        case .emptyRange(let base):
            return "range at \(hex32(base)) is empty: it must cover at least one function ID"
        case .wrappingRange(let base, let count):
            return "range at \(hex32(base)) with \(count) function IDs runs past 0xffffffff"
        case .filterPaddingNotZero:
            return "struct kvm_smccc_filter padding must be zero"
        case .reservedFilterAction(let action):
            return "filter action \(action) is reserved (KVM knows 0 handle, 1 deny, 2 forward)"
        case .overlapsReservedRange(let range, let origin, let reserved):
            return "range \(range)\(at(origin)) overlaps \(reserved), which is reserved for the Arm "
                + "Architecture Calls: Conduit always handles them itself, so they cannot be "
                + "denied, forwarded or remapped"
        case .overlapsRange(let range, let origin, let existing, let existingOrigin):
            return "range \(range)\(at(origin)) overlaps range \(existing)\(at(existingOrigin)); "
                + "ranges must not overlap"
        case .vmStarted(let what):
            return "cannot \(what): the VM has started and its firmware policy is frozen"
        case .unknownRegister(let id):
            return "no firmware register has ID \(hex64(id))"
        case .invalidRegisterValue(let register, let value, let reason):
            return "\(register.name) cannot be set to \(hex64(value)): \(reason)"
        case .registerBusy(let register, let current, let requested):
            return "\(register.name) cannot change from \(hex64(current)) to \(hex64(requested)) "
                + "after the VM has run"
        case .unknownForwardHandler(let range, let origin, let name, let known):
            let list = known.isEmpty ? "none is registered" : "registered: \(known.joined(separator: ", "))"
            return "range \(range)\(at(origin)) forwards to handler '\(name)', which this VM does not have (\(list))"
        case .firmwareWithoutBlob(let range, let origin):
            return "range \(range)\(at(origin)) sends calls to the guest-side firmware, but this VM loads no firmware blob"
        case .invalidStolenTimeAddress(let vcpu, let address, let reason):
            return "vCPU \(vcpu) stolen-time address \(hex64(address)) is invalid: \(reason)"
        case .stolenTimeAddressAlreadySet(let vcpu):
            return "vCPU \(vcpu) already has a stolen-time address"
        case .noSuchVCPU(let index):
            return "the VM has no vCPU \(index)"
        case .conflictingSettings(let message):
            return message
        }
    }
}
