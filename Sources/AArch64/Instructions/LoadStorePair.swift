/// Load/store register pair (DDI0487 C4.1.88): LDP, STP, LDPSW, LDNP and STNP, with signed
/// offset, pre- and post-index. opc 00 is a pair of W registers, 10 of X registers; 01 is LDPSW
/// (or, for stores, STGP of MTE) and 11 is reserved.
extension A64Lowering {
    func pair(_ word: UInt32, load: Bool, mode: AddressingMode, signedWords: Bool = false) -> DecodedInstruction {
        let kind: OpKind
        let scale: UInt64
        switch (word >> 30, load) {
        case (0, false): (kind, scale) = (.stp32, 2)
        case (0, true): (kind, scale) = (.ldp32, 2)
        case (1, true) where signedWords: (kind, scale) = (.ldpsw, 2)
        case (2, false): (kind, scale) = (.stp64, 3)
        case (2, true): (kind, scale) = (.ldp64, 3)
        default: return undefined
        }
        let offset = Self.signExtend((word >> 15) & 0x7F, bits: 7) << scale
        let rt = word & 31
        let rt2 = (word >> 10) & 31
        return DecodedInstruction(kind, a: load ? Self.destination(rt) : Self.source(rt), b: UInt8((word >> 5) & 31),
                                  c: load ? Self.destination(rt2) : Self.source(rt2), e: mode.rawValue, imm: offset)
    }

    // The non-temporal forms are signed-offset pairs: Conduit models no caches to hint.
    func STNP(_ i: A64.STNP) -> DecodedInstruction { pair(i.word, load: false, mode: .offset) }
    func LDNP(_ i: A64.LDNP) -> DecodedInstruction { pair(i.word, load: true, mode: .offset) }
    func STP_post(_ i: A64.STP_post) -> DecodedInstruction { pair(i.word, load: false, mode: .postIndex) }
    func LDP_post(_ i: A64.LDP_post) -> DecodedInstruction { pair(i.word, load: true, mode: .postIndex) }
    func STP_offset(_ i: A64.STP_offset) -> DecodedInstruction { pair(i.word, load: false, mode: .offset) }
    func LDP_offset(_ i: A64.LDP_offset) -> DecodedInstruction { pair(i.word, load: true, mode: .offset) }
    func STP_pre(_ i: A64.STP_pre) -> DecodedInstruction { pair(i.word, load: false, mode: .preIndex) }
    func LDP_pre(_ i: A64.LDP_pre) -> DecodedInstruction { pair(i.word, load: true, mode: .preIndex) }
    func LDPSW_post(_ i: A64.LDPSW_post) -> DecodedInstruction { pair(i.word, load: true, mode: .postIndex, signedWords: true) }
    func LDPSW_offset(_ i: A64.LDPSW_offset) -> DecodedInstruction { pair(i.word, load: true, mode: .offset, signedWords: true) }
    func LDPSW_pre(_ i: A64.LDPSW_pre) -> DecodedInstruction { pair(i.word, load: true, mode: .preIndex, signedWords: true) }
}
