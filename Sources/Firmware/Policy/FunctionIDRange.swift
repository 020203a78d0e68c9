import SMCCC

/// A non-empty, closed range of 32-bit function identifiers.
public struct FunctionIDRange: Hashable, Sendable, CustomStringConvertible {
    public let first: UInt32
    public let last: UInt32

    /// A range from `first` through `last`; `first` must not exceed `last`.
    public init(first: UInt32, last: UInt32) {
        precondition(first <= last, "FunctionIDRange needs first <= last")
        self.first = first
        self.last = last
    }

    /// A single function.
    public init(_ id: FunctionID) {
        self.first = id.rawValue
        self.last = id.rawValue
    }

    /// The range KVM's filter describes as `[base, base + nr_functions)`, validated as
    /// `kvm_smccc_set_filter` does: the last ID is `base + nr_functions - 1` in 32-bit
    /// arithmetic, and a range whose last ID comes before its base (it wraps, or it is empty) is
    /// invalid (EINVAL). An empty range at base 0 is EINVAL too, as Linux has returned since
    /// commit 64dc6f1db7e6 (older kernels answer EEXIST there).
    public init(base: UInt32, count: UInt32) throws(PolicyError) {
        let last = base &+ count &- 1
        guard count != 0 else { throw PolicyError.emptyRange(base: base) }
        guard last >= base else { throw PolicyError.wrappingRange(base: base, count: count) }
        self.first = base
        self.last = last
    }

    /// The number of identifiers in the range (up to 2^32).
    public var count: UInt64 { UInt64(last) - UInt64(first) + 1 }

    @inlinable
    public func contains(_ id: UInt32) -> Bool { id >= first && id <= last }

    public func overlaps(_ other: FunctionIDRange) -> Bool { first <= other.last && other.first <= last }

    /// `0x84000000-0x8400001f`, or a single `0x84000000`.
    public var description: String {
        first == last ? hex32(first) : "\(hex32(first))-\(hex32(last))"
    }
}

/// Formats a 32-bit value as `0x` and eight lower-case hex digits.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// Formats a 64-bit value as `0x` and sixteen lower-case hex digits.
func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}
