/// The Advanced SIMD groups that move elements without arithmetic (DDI0487 C4.1.95): copy (DUP,
/// INS, SMOV, UMOV and scalar DUP), permute (UZP, TRN, ZIP), extract (EXT), table lookup (TBL,
/// TBX) and modified immediate (MOVI, MVNI, ORR, BIC, FMOV).
extension SIMDFPUnit {
    /// imm5's lowest set bit gives the element size, the bits above it the index.
    private static func element(imm5: Int) -> (bits: Int, index: Int)? {
        guard imm5 & 0xF != 0 else { return nil }
        let size = (imm5 & 0xF).trailingZeroBitCount
        return (8 << size, imm5 >> (size + 1))
    }

    mutating func copy(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard let (bits, index) = Self.element(imm5: w.bits(20, 16)) else { return false }
        let n = vector(w.rn)
        switch pattern {
        case .DUP_elem_s:
            setScalar(w.rd, n.lane(index, bits: bits))
        case .DUP_elem_v, .DUP_gen:
            guard !(bits == 64 && !w.q) else { return false }
            let element = pattern == .DUP_gen ? general(w.rn, bits: bits) : n.lane(index, bits: bits)
            let half = SIMDLanes.replicate(element, bytes: bits / 8)
            setVector(w.rd, Vector128(low: half, high: half), q: w.q)
        case .INS_gen:
            var d = vector(w.rd)
            d.setLane(index, bits: bits, general(w.rn, bits: bits))
            setVector(w.rd, d)
        case .INS_elem:
            let source = w.bits(14, 11) >> (bits / 8).trailingZeroBitCount
            var d = vector(w.rd)
            d.setLane(index, bits: bits, n.lane(source, bits: bits))
            setVector(w.rd, d)
        case .SMOV:
            // To W: bytes and halfwords; to X: up to words.
            guard bits < (w.q ? 64 : 32) else { return false }
            let value = UInt64(bitPattern: n.signedLane(index, bits: bits))
            setGeneral(w.rd, value, bits: w.q ? 64 : 32)
        case .UMOV:
            // To W: up to words; to X: doublewords only (MOV Xd, Vn.D[i]).
            guard w.q ? bits == 64 : bits < 64 else { return false }
            setGeneral(w.rd, n.lane(index, bits: bits), bits: 64)
        default: return false
        }
        return true
    }

    mutating func permute(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        guard !(w.size == 3 && !w.q) else { return false }
        let bits = 8 << w.size
        let count = (w.q ? 128 : 64) / bits
        let n = vector(w.rn)
        let m = vector(w.rm)
        var result = Vector128.zero
        let half = count / 2
        for e in 0..<count {
            let value: UInt64
            switch pattern {
            case .UZP1, .UZP2:
                // Even (UZP1) or odd elements of the concatenation m:n.
                let source = 2 * e + (pattern == .UZP2 ? 1 : 0)
                value = source < count ? n.lane(source, bits: bits) : m.lane(source - count, bits: bits)
            case .TRN1, .TRN2:
                let pair = e & ~1
                let offset = pattern == .TRN2 ? 1 : 0
                value = e & 1 == 0 ? n.lane(pair + offset, bits: bits) : m.lane(pair + offset, bits: bits)
            case .ZIP1, .ZIP2:
                let source = e / 2 + (pattern == .ZIP2 ? half : 0)
                value = e & 1 == 0 ? n.lane(source, bits: bits) : m.lane(source, bits: bits)
            default: return false
            }
            result.setLane(e, bits: bits, value)
        }
        setVector(w.rd, result, q: w.q)
        return true
    }

    /// EXT: bytes imm4.. of the concatenation m:n.
    mutating func extract(_ w: SIMDFields) -> Bool {
        let position = w.bits(14, 11)
        guard w.q || position < 8 else { return false }
        let bytes = w.q ? 16 : 8
        let n = vector(w.rn)
        let m = vector(w.rm)
        var result = Vector128.zero
        for i in 0..<bytes {
            let source = position + i
            let byte = source < bytes ? n.byte(source) : m.byte(source - bytes)
            result.setLane(i, bits: 8, UInt64(byte))
        }
        setVector(w.rd, result, q: w.q)
        return true
    }

    /// TBL and TBX: each index byte of Vm selects a byte of the table Vn..Vn+len (registers
    /// modulo 32); an index past the table gives zero (TBL) or keeps Vd's byte (TBX).
    mutating func tableLookup(_ pattern: A64.Pattern, _ w: SIMDFields) -> Bool {
        let registers = w.bits(14, 13) + 1
        let indices = vector(w.rm)
        let original = vector(w.rd)
        var result = Vector128.zero
        for i in 0..<(w.q ? 16 : 8) {
            let index = Int(indices.byte(i))
            if index < registers * 16 {
                result.setLane(i, bits: 8, UInt64(vector((w.rn + index / 16) & 31).byte(index % 16)))
            } else if pattern == .TBX {
                result.setLane(i, bits: 8, UInt64(original.byte(i)))
            }
        }
        setVector(w.rd, result, q: w.q)
        return true
    }

    /// MOVI, MVNI, ORR, BIC (vector, immediate) and FMOV (vector, immediate): AdvSIMDExpandImm
    /// of op:cmode and abc:defgh.
    mutating func modifiedImmediate(_ w: SIMDFields) -> Bool {
        let op = w.bit(29)
        let cmode = w.bits(15, 12)
        let imm8 = UInt64(w.bits(18, 16) << 5 | w.bits(9, 5))
        // FMOV Vd.2D needs Q = 1; FMOV with op = 0 and cmode 1111 is the single form.
        if op && cmode == 0xF && !w.q { return false }
        let imm64 = Self.expandAdvancedSIMDImmediate(op: op, cmode: cmode, imm8)
        let d = vector(w.rd)
        var value = Vector128(low: imm64, high: imm64)
        let orOrBic = cmode < 12 && cmode & 1 == 1
        if orOrBic {
            value = op ? Vector128(low: d.low & ~imm64, high: d.high & ~imm64) : Vector128(low: d.low | imm64, high: d.high | imm64)
        } else if op && cmode != 0xE && cmode != 0xF {
            value = Vector128(low: ~imm64, high: ~imm64)  // MVNI
        }
        setVector(w.rd, value, q: w.q)
        return true
    }

    /// AdvSIMDExpandImm (DDI0487 J1 "shared/functions/vector/advsimdexpandimm").
    static func expandAdvancedSIMDImmediate(op: Bool, cmode: Int, _ imm8: UInt64) -> UInt64 {
        switch cmode >> 1 {
        case 0, 1, 2, 3: return SIMDLanes.replicate(imm8 << UInt64(8 * (cmode >> 1)), bytes: 4)
        case 4, 5: return SIMDLanes.replicate(imm8 << UInt64(8 * ((cmode >> 1) & 1)), bytes: 2)
        case 6:
            // Shifted ones: imm8 followed by 8 or 16 one bits.
            let ones: UInt64 = cmode & 1 == 0 ? 0xFF : 0xFFFF
            return SIMDLanes.replicate(imm8 << UInt64(cmode & 1 == 0 ? 8 : 16) | ones, bytes: 4)
        default:
            if cmode & 1 == 0 {
                if !op { return SIMDLanes.replicate(imm8, bytes: 1) }
                // Each bit of imm8 becomes a byte of ones or zeros.
                var result: UInt64 = 0
                for i in 0..<8 where (imm8 >> UInt64(i)) & 1 != 0 { result |= 0xFF << UInt64(8 * i) }
                return result
            }
            return op ? expandImmediate(imm8, .double) : SIMDLanes.replicate(expandImmediate(imm8, .single), bytes: 4)
        }
    }
}
