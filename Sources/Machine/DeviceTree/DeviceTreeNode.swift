/// A device tree node under construction: a name, properties in order, and children.
/// ``FlattenedDeviceTree`` turns a tree of them into the blob the guest reads (DTSpec 0.4, ch. 5).
public final class DeviceTreeNode {
    public let name: String
    public private(set) var properties: [(name: String, value: [UInt8])] = []
    public private(set) var children: [DeviceTreeNode] = []

    public init(_ name: String) { self.name = name }

    deinit {
        // Take the subtree apart iteratively: freeing a deep chain of nodes recursively could
        // overflow the stack.
        var pending = children
        children = []
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.children)
                node.children = []
            }
        }
    }

    /// Adds (or replaces) a property with raw bytes.
    public func set(_ property: String, bytes: [UInt8]) {
        if let index = properties.firstIndex(where: { $0.name == property }) {
            properties[index].value = bytes
        } else {
            properties.append((property, bytes))
        }
    }

    /// An empty property (a flag such as `interrupt-controller`).
    public func set(_ property: String) { set(property, bytes: []) }

    /// A string.
    public func set(_ property: String, string: String) { set(property, strings: [string]) }

    /// A string list: each NUL-terminated.
    public func set(_ property: String, strings: [String]) {
        set(property, bytes: strings.flatMap { Array($0.utf8) + [0] })
    }

    /// 32-bit cells, big-endian.
    public func set(_ property: String, cells: [UInt32]) {
        set(property, bytes: cells.flatMap { cell in (0..<4).map { UInt8(truncatingIfNeeded: cell >> (24 - $0 * 8)) } })
    }

    /// 64-bit values as pairs of cells (for `#address-cells = 2`, `#size-cells = 2`).
    public func set(_ property: String, u64s: [UInt64]) {
        set(property, cells: u64s.flatMap { [UInt32(truncatingIfNeeded: $0 >> 32), UInt32(truncatingIfNeeded: $0)] })
    }

    public func property(_ name: String) -> [UInt8]? { properties.first { $0.name == name }?.value }

    public func removeProperty(_ name: String) { properties.removeAll { $0.name == name } }

    /// Adds `child` and returns it.
    @discardableResult
    public func add(_ child: DeviceTreeNode) -> DeviceTreeNode {
        children.append(child)
        return child
    }

    public func child(_ name: String) -> DeviceTreeNode? { children.first { $0.name == name } }

    public func removeChildren(where predicate: (DeviceTreeNode) -> Bool) { children.removeAll(where: predicate) }
}
