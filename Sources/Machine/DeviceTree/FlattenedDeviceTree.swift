/// The flattened device tree format (DTSpec 0.4, chapter 5): serialising a ``DeviceTreeNode``
/// tree to a blob, and parsing a blob back (for `--dtb`, which Conduit then patches).
public enum FlattenedDeviceTree {
    static let magic: UInt32 = 0xD00D_FEED
    static let beginNode: UInt32 = 1, endNode: UInt32 = 2, prop: UInt32 = 3, nop: UInt32 = 4, end: UInt32 = 9
    static let headerSize = 40

    /// The largest blob Conduit reads: Linux arm64 maps at most 2 MiB of device tree
    /// (`MAX_FDT_SIZE`), so a larger one could not boot anyway.
    public static let maximumSize = 2 << 20
    /// The deepest node nesting a blob may have, root included: Linux's `FDT_MAX_DEPTH`.
    public static let maximumDepth = 64

    /// The blob for `root`, version 17, with an empty memory reservation map.
    public static func serialize(_ root: DeviceTreeNode, bootCPU: UInt32 = 0) -> [UInt8] {
        var structure: [UInt8] = []
        var strings: [UInt8] = []
        var stringOffsets: [String: Int] = [:]

        func append32(_ value: UInt32, to bytes: inout [UInt8]) {
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        func align(_ bytes: inout [UInt8]) { while bytes.count % 4 != 0 { bytes.append(0) } }
        func offset(of name: String) -> Int {
            if let known = stringOffsets[name] { return known }
            let position = strings.count
            strings += Array(name.utf8) + [0]
            stringOffsets[name] = position
            return position
        }
        // Depth-first with an explicit stack: a tree built by a library user may be deeper than
        // the host's stack. Each entry is a node and how many of its children are written.
        var stack: [(node: DeviceTreeNode, next: Int)] = [(root, 0)]
        func begin(_ node: DeviceTreeNode) {
            append32(beginNode, to: &structure)
            structure += Array(node.name.utf8) + [0]
            align(&structure)
            for property in node.properties {
                append32(prop, to: &structure)
                append32(UInt32(truncatingIfNeeded: property.value.count), to: &structure)
                append32(UInt32(truncatingIfNeeded: offset(of: property.name)), to: &structure)
                structure += property.value
                align(&structure)
            }
        }
        begin(root)
        while let top = stack.last {
            if top.next < top.node.children.count {
                let child = top.node.children[top.next]
                stack[stack.count - 1].next += 1
                begin(child)
                stack.append((child, 0))
            } else {
                append32(endNode, to: &structure)
                stack.removeLast()
            }
        }
        append32(end, to: &structure)

        let reservationOffset = headerSize + 8  // 8-byte aligned after the header
        let reservationSize = 16  // the terminating entry
        let structureOffset = reservationOffset + reservationSize
        let stringsOffset = structureOffset + structure.count
        let total = stringsOffset + strings.count

        var blob: [UInt8] = []
        blob.reserveCapacity(total)
        for value in [magic, UInt32(truncatingIfNeeded: total), UInt32(structureOffset), UInt32(truncatingIfNeeded: stringsOffset),
                      UInt32(reservationOffset), 17, 16, bootCPU, UInt32(truncatingIfNeeded: strings.count),
                      UInt32(truncatingIfNeeded: structure.count)] {
            append32(value, to: &blob)
        }
        blob += [UInt8](repeating: 0, count: reservationOffset - headerSize)
        blob += [UInt8](repeating: 0, count: reservationSize)
        blob += structure
        blob += strings
        return blob
    }

    /// Why a blob could not be parsed.
    public struct ParseError: Error, CustomStringConvertible {
        public let offset: Int
        public let problem: String
        public var description: String { "\(problem) (at byte \(offset))" }
    }

    /// Parses a blob into a tree. NOP tokens are skipped; the memory reservation map is dropped.
    public static func parse(_ blob: [UInt8]) throws(ParseError) -> DeviceTreeNode {
        func read32(_ at: Int) throws(ParseError) -> UInt32 {
            guard at >= 0, at + 4 <= blob.count else { throw ParseError(offset: at, problem: "truncated device tree") }
            return UInt32(blob[at]) << 24 | UInt32(blob[at + 1]) << 16 | UInt32(blob[at + 2]) << 8 | UInt32(blob[at + 3])
        }
        guard try read32(0) == magic else { throw ParseError(offset: 0, problem: "not a flattened device tree (bad magic)") }
        let total = Int(try read32(4))
        guard total <= blob.count else { throw ParseError(offset: 4, problem: "totalsize \(total) is larger than the file (\(blob.count) bytes)") }
        let structureOffset = Int(try read32(8))
        let stringsOffset = Int(try read32(12))
        let version = try read32(20)
        guard version >= 16 else { throw ParseError(offset: 20, problem: "version \(version) is older than 16") }
        let stringsSize = Int(try read32(32))
        guard stringsOffset + stringsSize <= total else { throw ParseError(offset: 32, problem: "strings block runs past the end") }
        guard structureOffset < total else { throw ParseError(offset: 8, problem: "structure block starts past the end") }

        func cString(_ at: Int, limit: Int) throws(ParseError) -> (String, Int) {
            var end = at
            while end < limit && blob[end] != 0 { end += 1 }
            guard end < limit else { throw ParseError(offset: at, problem: "unterminated string") }
            return (String(decoding: blob[at..<end], as: UTF8.self), end + 1)
        }

        var position = structureOffset
        var stack: [DeviceTreeNode] = []
        var root: DeviceTreeNode?
        while true {
            guard position < total else { throw ParseError(offset: position, problem: "structure block runs past totalsize") }
            let token = try read32(position)
            position += 4
            switch token {
            case beginNode:
                let (name, next) = try cString(position, limit: total)
                position = (next + 3) & ~3
                let node = DeviceTreeNode(name)
                if let parent = stack.last { parent.add(node) } else if root == nil { root = node } else {
                    throw ParseError(offset: position, problem: "more than one root node")
                }
                guard stack.count < maximumDepth else {
                    throw ParseError(offset: position, problem: "nodes nested more than \(maximumDepth) deep (Linux's limit)")
                }
                stack.append(node)
            case endNode:
                guard stack.popLast() != nil else { throw ParseError(offset: position - 4, problem: "unbalanced end of node") }
            case prop:
                let length = Int(try read32(position))
                let nameOffset = Int(try read32(position + 4))
                position += 8
                guard position + length <= total, let node = stack.last else {
                    throw ParseError(offset: position, problem: "property outside a node or past the end")
                }
                guard nameOffset < stringsSize else {
                    throw ParseError(offset: position - 4, problem: "property name offset \(nameOffset) is past the strings block (\(stringsSize) bytes)")
                }
                let (name, _) = try cString(stringsOffset + nameOffset, limit: stringsOffset + stringsSize)
                node.set(name, bytes: Array(blob[position..<position + length]))
                position = (position + length + 3) & ~3
            case nop:
                continue
            case end:
                guard stack.isEmpty, let root else { throw ParseError(offset: position - 4, problem: "end token inside a node") }
                return root
            default:
                throw ParseError(offset: position - 4, problem: "unknown token \(token)")
            }
        }
    }
}
