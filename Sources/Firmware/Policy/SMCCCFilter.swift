import SMCCC

/// The per-VM filter: non-overlapping function-ID ranges, each with an action. It follows KVM's
/// SMCCC filter (`KVM_ARM_VM_SMCCC_FILTER`, Documentation/virt/kvm/devices/vm.rst §6.1):
///
/// - ranges accumulate, never overlap and are never removed;
/// - the first range inserted also inserts the two Arm Architecture ranges, 0x80000000-0x8000ffff
///   and 0xc0000000-0xc000ffff, as `handle`, so that no range can overlap them: the VMM cannot make
///   the guest believe a Spectre mitigation is absent or present;
/// - an ID outside every range is `handle`, so an empty filter changes nothing.
public struct SMCCCFilter: Sendable, Equatable {
    /// One range of the filter.
    public struct Entry: Sendable, Equatable {
        public let range: FunctionIDRange
        public let action: PolicyAction
        /// For `forward`: the name of the handler that must answer, or nil for whichever
        /// registered handler claims the function.
        public let handler: String?
        /// Where the range came from, for messages: a policy-file location, or a setting.
        public let origin: String?
        /// True for the two Arm Architecture ranges the filter inserts itself.
        public let isReserved: Bool
    }

    /// The Arm Architecture ranges: SMC32 and SMC64 function numbers 0x0000-0xffff of owner 0.
    public static let reservedRanges = [
        FunctionIDRange(first: 0x8000_0000, last: 0x8000_FFFF),
        FunctionIDRange(first: 0xC000_0000, last: 0xC000_FFFF),
    ]

    private var table = RangeTable<Entry>()

    public init() {}

    /// The ranges, sorted by first ID.
    public var entries: [Entry] { table.elements.map(\.value) }

    /// False until a range has been inserted; an unconfigured filter is never consulted.
    public var isConfigured: Bool { !table.isEmpty }

    /// Adds a range, validated as KVM does: overlapping any earlier range, or the reserved
    /// ranges, is EEXIST.
    public mutating func insert(
        _ range: FunctionIDRange, action: PolicyAction, handler: String? = nil, origin: String? = nil
    ) throws(PolicyError) {
        if table.isEmpty {
            for reserved in Self.reservedRanges {
                table.insert(reserved, Entry(range: reserved, action: .handle, handler: nil,
                                             origin: "Arm Architecture Calls", isReserved: true))
            }
        }
        let entry = Entry(range: range, action: action, handler: handler, origin: origin, isReserved: false)
        if let clash = table.insert(range, entry) {
            let existing = table.elements[clash].value
            if existing.isReserved {
                throw .overlapsReservedRange(range, origin: origin, reserved: existing.range)
            }
            throw .overlapsRange(range, origin: origin, existing: existing.range, existingOrigin: existing.origin)
        }
    }

    /// Installs a filter from KVM's 24-byte `struct kvm_smccc_filter { u32 base; u32 nr_functions;
    /// u8 action; u8 pad[15]; }` (little-endian), checking it in KVM's order: padding, range and
    /// action, then overlap.
    public mutating func insert(kvmFilter bytes: [UInt8]) throws(PolicyError) {
        guard bytes.count == 24 else { throw .conflictingSettings("struct kvm_smccc_filter is 24 bytes, not \(bytes.count)") }
        func u32(_ offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
        }
        guard bytes[9...].allSatisfy({ $0 == 0 }) else { throw .filterPaddingNotZero }
        let base = u32(0)
        let count = u32(4)
        let range = try FunctionIDRange(base: base, count: count)
        guard let action = PolicyAction(kvmFilterAction: bytes[8]) else { throw .reservedFilterAction(bytes[8]) }
        try insert(range, action: action)
    }

    /// The index in ``entries`` of the range that contains `id`, or nil when none does.
    public func index(containing id: UInt32) -> Int? { table.index(containing: id) }

    /// The entry at `index` of ``entries``, without copying the others.
    public func entry(at index: Int) -> Entry { table.elements[index].value }

    /// The entry whose range contains `id`, or nil when none does (the action is then `handle`).
    public func entry(containing id: UInt32) -> Entry? { table.value(containing: id) }

    /// The action for `id`: its range's, or `handle` outside every range (KVM's "absent == HANDLE").
    public func action(for id: UInt32) -> PolicyAction { entry(containing: id)?.action ?? .handle }
}
