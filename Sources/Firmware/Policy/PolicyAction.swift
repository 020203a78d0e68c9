/// What the policy does with a call whose function ID falls in a range.
///
/// The first three are KVM's `KVM_SMCCC_FILTER_HANDLE`, `_DENY` and `_FWD_TO_USER`; `undefined`
/// and `firmware` are Conduit's.
public enum PolicyAction: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A built-in service answers, if one implements the function and its feature is enabled;
    /// otherwise the call is denied. This is what an ID outside every range gets.
    case handle
    /// X0 = NOT_SUPPORTED (-1, sign-extended), X1-X3 = 0, and the guest continues.
    case deny
    /// A handler the VMM registered for the range answers: board firmware or user code.
    case forward
    /// The guest takes an undefined-instruction exception at the `SMC`/`HVC`: what hypervisors
    /// historically did with calls they did not know.
    case undefined
    /// The guest-side firmware blob answers, entered through its emulated monitor vector.
    case firmware

    public var description: String { rawValue }

    /// KVM's numeric action in `struct kvm_smccc_filter`, for the actions KVM has.
    public var kvmFilterAction: UInt8? {
        switch self {
        case .handle: return 0
        case .deny: return 1
        case .forward: return 2
        case .undefined, .firmware: return nil
        }
    }

    /// The action KVM's `struct kvm_smccc_filter` encodes as `value`; values 3 and up are
    /// reserved there (`NR_SMCCC_FILTER_ACTIONS`).
    public init?(kvmFilterAction value: UInt8) {
        switch value {
        case 0: self = .handle
        case 1: self = .deny
        case 2: self = .forward
        default: return nil
        }
    }
}
