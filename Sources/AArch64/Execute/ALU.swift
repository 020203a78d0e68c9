// Integer semantics shared by the interpreter, from the ARM ARM's shared pseudocode (DDI0487 J1).
// NZCV is kept as a 4-bit value: N = 8, Z = 4, C = 2, V = 1 (PSTATE bits 31:28 shifted down).

enum ALU {
    static let N: UInt32 = 8
    static let Z: UInt32 = 4
    static let C: UInt32 = 2
    static let V: UInt32 = 1

    /// AddWithCarry for 64-bit operands: the sum and its NZCV.
    @_transparent
    static func add64(_ x: UInt64, _ y: UInt64, carry: UInt64) -> (UInt64, UInt32) {
        let (partial, c1) = x.addingReportingOverflow(y)
        let (result, c2) = partial.addingReportingOverflow(carry)
        let n = UInt32(truncatingIfNeeded: result >> 63) << 3
        let z: UInt32 = result == 0 ? 4 : 0
        let c: UInt32 = (c1 || c2) ? 2 : 0
        let v = UInt32(truncatingIfNeeded: ((x ^ result) & (y ^ result)) >> 63)
        return (result, n | z | c | v)
    }

    /// AddWithCarry for 32-bit operands (the inputs' upper halves are ignored).
    @_transparent
    static func add32(_ x: UInt64, _ y: UInt64, carry: UInt64) -> (UInt64, UInt32) {
        let a = x & 0xFFFF_FFFF
        let b = y & 0xFFFF_FFFF
        let wide = a &+ b &+ carry
        let result = wide & 0xFFFF_FFFF
        let n = UInt32(truncatingIfNeeded: result >> 31) << 3
        let z: UInt32 = result == 0 ? 4 : 0
        let c: UInt32 = wide >> 32 != 0 ? 2 : 0
        let v = UInt32(truncatingIfNeeded: ((a ^ result) & (b ^ result)) >> 31) & 1
        return (result, n | z | c | v)
    }

    /// N and Z of a logical result, C and V clear.
    @_transparent
    static func logicFlags64(_ result: UInt64) -> UInt32 {
        (UInt32(truncatingIfNeeded: result >> 63) << 3) | (result == 0 ? 4 : 0)
    }

    @_transparent
    static func logicFlags32(_ result: UInt64) -> UInt32 {
        (UInt32(truncatingIfNeeded: result >> 31) & 1) << 3 | (result & 0xFFFF_FFFF == 0 ? 4 : 0)
    }

    /// For each condition code (DDI0487 C1.2.4), a 16-bit set of the NZCV values that pass it.
    static let conditionTable: [UInt16] = (0..<16).map { cond in
        var set: UInt16 = 0
        for nzcv in 0..<16 {
            let n = nzcv & 8 != 0
            let z = nzcv & 4 != 0
            let c = nzcv & 2 != 0
            let v = nzcv & 1 != 0
            var result: Bool
            switch cond >> 1 {
            case 0: result = z
            case 1: result = c
            case 2: result = n
            case 3: result = v
            case 4: result = c && !z
            case 5: result = n == v
            case 6: result = n == v && !z
            default: result = true
            }
            if cond & 1 == 1 && cond != 15 { result = !result }
            if result { set |= 1 << nzcv }
        }
        return set
    }

    /// ShiftReg: LSL (0), LSR (1), ASR (2), ROR (3) of a 64-bit value.
    @_transparent
    static func shift64(_ value: UInt64, type: UInt8, amount: UInt8) -> UInt64 {
        let n = UInt64(amount & 63)
        switch type {
        case 0: return value << n
        case 1: return value >> n
        case 2: return UInt64(bitPattern: Int64(bitPattern: value) >> Int64(n))
        default: return n == 0 ? value : (value >> n) | (value << (64 - n))
        }
    }

    /// ShiftReg of a 32-bit value; the result is zero-extended.
    @_transparent
    static func shift32(_ value: UInt64, type: UInt8, amount: UInt8) -> UInt64 {
        let v = UInt32(truncatingIfNeeded: value)
        let n = UInt32(amount & 31)
        switch type {
        case 0: return UInt64(v << n)
        case 1: return UInt64(v >> n)
        case 2: return UInt64(UInt32(bitPattern: Int32(bitPattern: v) >> Int32(n)))
        default: return UInt64(n == 0 ? v : (v >> n) | (v << (32 - n)))
        }
    }

    /// ExtendReg: UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX (option 0-7), then LSL #amount.
    @_transparent
    static func extend(_ value: UInt64, option: UInt8, shift: UInt8) -> UInt64 {
        let extended: UInt64
        switch option & 7 {
        case 0: extended = value & 0xFF
        case 1: extended = value & 0xFFFF
        case 2: extended = value & 0xFFFF_FFFF
        case 3: extended = value
        case 4: extended = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: value)))
        case 5: extended = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: value)))
        case 6: extended = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        default: extended = value
        }
        return extended << UInt64(shift)
    }

    /// Sign-extends the low `width` bits of `value` to 64 bits.
    @_transparent
    static func signExtend(_ value: UInt64, width: UInt8) -> UInt64 {
        let shift = UInt64(64 - Int(width))
        return UInt64(bitPattern: Int64(bitPattern: value << shift) >> Int64(shift))
    }

    /// CLS: the number of bits after the sign bit that equal it.
    @_transparent
    static func cls64(_ value: UInt64) -> UInt64 {
        UInt64(((value ^ (value << 1)) | 1).leadingZeroBitCount)
    }

    @_transparent
    static func cls32(_ value: UInt64) -> UInt64 {
        let v = UInt32(truncatingIfNeeded: value)
        return UInt64(((v ^ (v << 1)) | 1).leadingZeroBitCount)
    }

    // MARK: - CRC32

    /// Byte tables for the reflected CRC-32 (polynomial 0x04C11DB7) and CRC-32C (0x1EDC6F41).
    static let crc32Table = makeCRCTable(reflectedPolynomial: 0xEDB8_8320)
    static let crc32cTable = makeCRCTable(reflectedPolynomial: 0x82F6_3B78)

    static func makeCRCTable(reflectedPolynomial: UInt32) -> [UInt32] {
        (0..<256).map { byte in
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1 }
            return crc
        }
    }

    /// CRC32{B,H,W,X} and CRC32C{...}: accumulate the low `bytes` bytes of `value` into `crc`.
    static func crc(_ crc: UInt64, _ value: UInt64, bytes: Int, castagnoli: Bool) -> UInt64 {
        let table = castagnoli ? crc32cTable : crc32Table
        var accumulator = UInt32(truncatingIfNeeded: crc)
        for index in 0..<bytes {
            let byte = UInt8(truncatingIfNeeded: value >> UInt64(8 * index))
            accumulator = table[Int((accumulator ^ UInt32(byte)) & 0xFF)] ^ (accumulator >> 8)
        }
        return UInt64(accumulator)
    }
}
