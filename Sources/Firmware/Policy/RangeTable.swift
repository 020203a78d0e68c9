/// Non-overlapping function-ID ranges, each with a value, sorted for binary search: the shape
/// of the filter and of the tables that say which service answers which IDs.
public struct RangeTable<Value: Sendable>: Sendable {
    /// The ranges in ascending order, with their values.
    public private(set) var elements: [(range: FunctionIDRange, value: Value)] = []

    public init() {}

    public var isEmpty: Bool { elements.isEmpty }

    /// Inserts `range`; when it overlaps a range already present, nothing changes and the index
    /// of that range is returned.
    @discardableResult
    public mutating func insert(_ range: FunctionIDRange, _ value: Value) -> Int? {
        var low = 0
        var high = elements.count
        while low < high {
            let mid = (low + high) / 2
            if elements[mid].range.first < range.first { low = mid + 1 } else { high = mid }
        }
        for neighbour in [low - 1, low] where elements.indices.contains(neighbour) {
            if elements[neighbour].range.overlaps(range) { return neighbour }
        }
        elements.insert((range, value), at: low)
        return nil
    }

    /// The index of the range that contains `id`, or nil.
    public func index(containing id: UInt32) -> Int? {
        var low = 0
        var high = elements.count
        while low < high {
            let mid = (low + high) / 2
            let range = elements[mid].range
            if id < range.first {
                high = mid
            } else if id > range.last {
                low = mid + 1
            } else {
                return mid
            }
        }
        return nil
    }

    /// The value of the range that contains `id`, or nil.
    public func value(containing id: UInt32) -> Value? { index(containing: id).map { elements[$0].value } }
}

extension RangeTable: Equatable where Value: Equatable {
    public static func == (lhs: RangeTable, rhs: RangeTable) -> Bool {
        lhs.elements.count == rhs.elements.count
            && zip(lhs.elements, rhs.elements).allSatisfy { $0.range == $1.range && $0.value == $1.value }
    }
}
