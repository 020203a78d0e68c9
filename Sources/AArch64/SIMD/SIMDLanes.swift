/// A 128-bit SIMD&FP register value as the Advanced SIMD instructions see it: lanes of 8, 16, 32
/// or 64 bits, lane 0 in the least significant bits (DDI0487 A1.4, "Vector formats"; `Elem[]`
/// in the pseudocode).
struct Vector128: Equatable {
    var low: UInt64
    var high: UInt64

    @inline(__always) init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    static let zero = Vector128(low: 0, high: 0)

    /// Lane `index` of `bits` width, zero-extended.
    @inline(__always) func lane(_ index: Int, bits: Int) -> UInt64 {
        if bits == 64 { return index == 0 ? low : high }
        let perHalf = 64 / bits
        let half = index < perHalf ? low : high
        let shift = UInt64((index % perHalf) * bits)
        return (half >> shift) & SIMDLanes.mask(bits: bits)
    }

    /// Lane `index` of `bits` width, sign-extended.
    @inline(__always) func signedLane(_ index: Int, bits: Int) -> Int64 {
        SIMDLanes.signExtend(lane(index, bits: bits), bits: bits)
    }

    @inline(__always) mutating func setLane(_ index: Int, bits: Int, _ value: UInt64) {
        if bits == 64 {
            if index == 0 { low = value } else { high = value }
            return
        }
        let perHalf = 64 / bits
        let shift = UInt64((index % perHalf) * bits)
        let mask = SIMDLanes.mask(bits: bits) << shift
        let bitsValue = (value << shift) & mask
        if index < perHalf { low = low & ~mask | bitsValue } else { high = high & ~mask | bitsValue }
    }

    /// Byte `index` (0-15).
    @inline(__always) func byte(_ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (index < 8 ? low : high) >> UInt64((index & 7) * 8))
    }
}

/// Lane arithmetic shared by the SIMD instructions.
enum SIMDLanes {
    /// The all-ones value of a `bits`-wide lane.
    @inline(__always) static func mask(bits: Int) -> UInt64 {
        bits >= 64 ? ~0 : (1 << UInt64(bits)) &- 1
    }

    @inline(__always) static func signExtend(_ value: UInt64, bits: Int) -> Int64 {
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: value << shift) >> shift
    }

    /// `element` (of `bytes` bytes) repeated across 64 bits.
    static func replicate(_ element: UInt64, bytes: Int) -> UInt64 {
        switch bytes {
        case 1: return (element & 0xFF) &* 0x0101_0101_0101_0101
        case 2: return (element & 0xFFFF) &* 0x0001_0001_0001_0001
        case 4: return (element & 0xFFFF_FFFF) &* 0x0000_0001_0000_0001
        default: return element
        }
    }
}
