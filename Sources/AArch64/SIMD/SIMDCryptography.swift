/// The Cryptographic Extension of ARMv8.0 (DDI0487 C4.1.95, "Cryptographic AES", "... three-register
/// SHA", "... two-register SHA"; the pseudocode of AESE, SHA1C etc. in C7.2): AES rounds, SHA-1
/// and SHA-256 hash updates, and (in three different) PMULL of 64-bit elements.
extension SIMDFPUnit {
    mutating func cryptographic(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let d = vector(w.rd)
        let n = vector(w.rn)
        let result: Vector128
        switch pattern {
        case .AESE: result = AES.shiftRowsSubBytes(Vector128(low: d.low ^ n.low, high: d.high ^ n.high), inverse: false)
        case .AESD: result = AES.shiftRowsSubBytes(Vector128(low: d.low ^ n.low, high: d.high ^ n.high), inverse: true)
        case .AESMC: result = AES.mixColumns(n, inverse: false)
        case .AESIMC: result = AES.mixColumns(n, inverse: true)
        case .SHA1H: result = Vector128(low: UInt64(SHA.rotateLeft(UInt32(truncatingIfNeeded: n.low), 30)), high: 0)
        case .SHA1SU1: result = SHA.sha1ScheduleUpdate1(d, n)
        case .SHA256SU0: result = SHA.sha256ScheduleUpdate0(d, n)
        default:
            let m = vector(w.rm)
            switch pattern {
            case .SHA1C, .SHA1P, .SHA1M: result = SHA.sha1Hash(d, UInt32(truncatingIfNeeded: n.low), m, pattern)
            case .SHA1SU0:
                // (Vn<63:0> : Vd<127:64>) EOR Vd EOR Vm.
                result = Vector128(low: d.high ^ d.low ^ m.low, high: n.low ^ d.high ^ m.high)
            case .SHA256H, .SHA256H2: result = SHA.sha256Hash(d, n, m, part1: pattern == .SHA256H)
            case .SHA256SU1: result = SHA.sha256ScheduleUpdate1(d, n, m)
            default: return false
            }
        }
        setVector(w.rd, result)
        return true
    }
}

/// The AES round steps of AESE/AESD (SubBytes and ShiftRows, or their inverses) and
/// AESMC/AESIMC (MixColumns or its inverse), on the state as 16 bytes, column-major (FIPS 197).
enum AES {
    static let sbox: [UInt8] = makeSBox()
    static let inverseSBox: [UInt8] = {
        var inverse = [UInt8](repeating: 0, count: 256)
        for (index, value) in sbox.enumerated() { inverse[Int(value)] = UInt8(index) }
        return inverse
    }()

    /// The S-box from its definition: the multiplicative inverse in GF(2^8), then the affine map.
    private static func makeSBox() -> [UInt8] {
        var box = [UInt8](repeating: 0, count: 256)
        for value in 0..<256 {
            var inverse: UInt8 = 0
            if value != 0 {
                for candidate in 1..<256 where multiply(UInt8(value), UInt8(candidate)) == 1 {
                    inverse = UInt8(candidate)
                    break
                }
            }
            var result = inverse
            for shift in 1...4 { result ^= inverse << UInt8(shift) | inverse >> UInt8(8 - shift) }
            box[value] = result ^ 0x63
        }
        return box
    }

    /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        while b != 0 {
            if b & 1 != 0 { product ^= a }
            a = a & 0x80 != 0 ? (a << 1) ^ 0x1B : a << 1
            b >>= 1
        }
        return product
    }

    static func bytes(_ value: Vector128) -> [UInt8] { (0..<16).map { value.byte($0) } }

    static func vector(_ bytes: [UInt8]) -> Vector128 {
        var result = Vector128.zero
        for (index, byte) in bytes.enumerated() { result.setLane(index, bits: 8, UInt64(byte)) }
        return result
    }

    /// ShiftRows then SubBytes (AESE), or InvShiftRows then InvSubBytes (AESD). Byte i is row
    /// i % 4 of column i / 4; row r moves r columns left (right for the inverse).
    static func shiftRowsSubBytes(_ state: Vector128, inverse: Bool) -> Vector128 {
        let input = bytes(state)
        var output = [UInt8](repeating: 0, count: 16)
        for column in 0..<4 {
            for row in 0..<4 {
                let source = inverse ? (column - row + 4) % 4 : (column + row) % 4
                let byte = input[source * 4 + row]
                output[column * 4 + row] = inverse ? inverseSBox[Int(byte)] : sbox[Int(byte)]
            }
        }
        return vector(output)
    }

    static func mixColumns(_ state: Vector128, inverse: Bool) -> Vector128 {
        let input = bytes(state)
        let coefficients: [UInt8] = inverse ? [0x0E, 0x0B, 0x0D, 0x09] : [0x02, 0x03, 0x01, 0x01]
        var output = [UInt8](repeating: 0, count: 16)
        for column in 0..<4 {
            for row in 0..<4 {
                var value: UInt8 = 0
                for k in 0..<4 { value ^= multiply(coefficients[(k - row + 4) % 4], input[column * 4 + k]) }
                output[column * 4 + row] = value
            }
        }
        return vector(output)
    }
}

/// The SHA-1 and SHA-256 steps of the SHA1* and SHA256* instructions (FIPS 180-4), four rounds
/// or four schedule words at a time, on 32-bit lanes.
enum SHA {
    @inline(__always) static func rotateLeft(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
    @inline(__always) static func rotateRight(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    static func words(_ value: Vector128) -> [UInt32] { (0..<4).map { UInt32(truncatingIfNeeded: value.lane($0, bits: 32)) } }

    static func vector(_ words: [UInt32]) -> Vector128 {
        Vector128(low: UInt64(words[0]) | UInt64(words[1]) << 32, high: UInt64(words[2]) | UInt64(words[3]) << 32)
    }

    /// SHA1C (choose), SHA1P (parity), SHA1M (majority): four rounds on abcd (Qd) and e (Sn)
    /// with the schedule words in Vm.
    static func sha1Hash(_ abcd: Vector128, _ e: UInt32, _ schedule: Vector128, _ pattern: A64.Pattern) -> Vector128 {
        var x = words(abcd)
        var y = e
        let w = words(schedule)
        for index in 0..<4 {
            let t: UInt32
            switch pattern {
            case .SHA1C: t = (x[1] & x[2]) | (~x[1] & x[3])
            case .SHA1P: t = x[1] ^ x[2] ^ x[3]
            default: t = (x[1] & x[2]) | (x[1] & x[3]) | (x[2] & x[3])
            }
            y = y &+ rotateLeft(x[0], 5) &+ t &+ w[index]
            x[1] = rotateLeft(x[1], 30)
            // Rotate the five words: y:x[3]:x[2]:x[1]:x[0] becomes x[3]:x[2]:x[1]:x[0]:y.
            let newY = x[3]
            x = [y, x[0], x[1], x[2]]
            y = newY
        }
        return vector(x)
    }

    static func sha1ScheduleUpdate1(_ d: Vector128, _ n: Vector128) -> Vector128 {
        let x = words(d)
        let y = words(n)
        let t = [x[0] ^ y[1], x[1] ^ y[2], x[2] ^ y[3], x[3]]
        var result = [UInt32](repeating: 0, count: 4)
        result[0] = rotateLeft(t[0], 1)
        result[1] = rotateLeft(t[1], 1)
        result[2] = rotateLeft(t[2], 1)
        result[3] = rotateLeft(t[3], 1) ^ rotateLeft(t[0], 2)
        return vector(result)
    }

    static func sha256Hash(_ d: Vector128, _ n: Vector128, _ schedule: Vector128, part1: Bool) -> Vector128 {
        // SHA256H: X = abcd (Qd), Y = efgh (Qn), result the new abcd; SHA256H2: X = efgh (Qd),
        // Y = abcd (Qn), result the new efgh.
        var x = part1 ? words(d) : words(n)
        var y = part1 ? words(n) : words(d)
        let w = words(schedule)
        for index in 0..<4 {
            let choose = (y[0] & y[1]) ^ (~y[0] & y[2])
            let majority = (x[0] & x[1]) ^ (x[0] & x[2]) ^ (x[1] & x[2])
            let sigma1 = rotateRight(y[0], 6) ^ rotateRight(y[0], 11) ^ rotateRight(y[0], 25)
            let sigma0 = rotateRight(x[0], 2) ^ rotateRight(x[0], 13) ^ rotateRight(x[0], 22)
            let t = y[3] &+ sigma1 &+ choose &+ w[index]
            let newX0 = t &+ sigma0 &+ majority
            let newY0 = x[3] &+ t
            y = [newY0, y[0], y[1], y[2]]
            x = [newX0, x[0], x[1], x[2]]
        }
        return vector(part1 ? x : y)
    }

    static func sha256ScheduleUpdate0(_ d: Vector128, _ n: Vector128) -> Vector128 {
        let x = words(d)
        let y = words(n)
        let next = [x[1], x[2], x[3], y[0]]
        func sigma0(_ v: UInt32) -> UInt32 { rotateRight(v, 7) ^ rotateRight(v, 18) ^ (v >> 3) }
        return vector((0..<4).map { x[$0] &+ sigma0(next[$0]) })
    }

    static func sha256ScheduleUpdate1(_ d: Vector128, _ n: Vector128, _ m: Vector128) -> Vector128 {
        let x = words(d)
        let y = words(n)
        let z = words(m)
        func sigma1(_ v: UInt32) -> UInt32 { rotateRight(v, 17) ^ rotateRight(v, 19) ^ (v >> 10) }
        // W[t-7] for the four words: y[1], y[2], y[3], z[0].
        let minus7 = [y[1], y[2], y[3], z[0]]
        var result = [UInt32](repeating: 0, count: 4)
        result[0] = x[0] &+ minus7[0] &+ sigma1(z[2])
        result[1] = x[1] &+ minus7[1] &+ sigma1(z[3])
        result[2] = x[2] &+ minus7[2] &+ sigma1(result[0])
        result[3] = x[3] &+ minus7[3] &+ sigma1(result[1])
        return vector(result)
    }
}
