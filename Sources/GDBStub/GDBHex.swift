/// Hex as the remote protocol writes numbers, bytes and register contents.
enum GDBHex {
    /// `bytes` as two hex digits each.
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map(RSPEncoder.hex).joined()
    }

    /// Text as hex, as `O` packets and monitor replies carry it.
    static func encode(text: String) -> String { encode(Array(text.utf8)) }

    /// Pairs of hex digits as bytes; nil if the text is not that.
    static func decode<S: Collection>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = RSPDecoder.hexValue(high), let l = RSPDecoder.hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    /// A hex number of at most 16 digits (an address, a length, a register number); nil for
    /// anything else, so no input overflows.
    static func number<S: Collection>(_ text: S) -> UInt64? where S.Element == UInt8 {
        guard !text.isEmpty, text.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard let digit = RSPDecoder.hexValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    static func number(_ text: Substring) -> UInt64? { number(Array(text.utf8)) }

    /// `value`'s low `size` bytes, little-endian, as a register travels.
    static func littleEndian(_ value: UInt64, size: Int) -> String {
        encode((0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) })
    }

    /// The value of up to eight little-endian bytes.
    static func value(littleEndian bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
