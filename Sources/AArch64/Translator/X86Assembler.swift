// A small x86-64 encoder: the instructions the A64 translator emits, and nothing else.
//
// Encodings from the Intel SDM vol. 2 (REX prefix 2.2.1, ModRM/SIB 2.1.5, the opcode tables of
// appendix A). Every memory operand is [base + disp] with an 8- or 32-bit displacement, which
// keeps ModRM simple: mod 01 or 10 (never 00, so RBP and R13 need no special case), and a SIB
// byte of 0x24 when the base is RSP or R12.

/// An x86-64 general register, by its encoding number.
enum X86Register: UInt8 {
    case rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    /// The low three bits, for ModRM and opcode+register forms.
    var low: UInt8 { rawValue & 7 }
    /// The fourth bit, which goes into REX.R, REX.X or REX.B.
    var high: UInt8 { rawValue >> 3 }
}

/// An x86 condition code: the low nibble of Jcc, SETcc and CMOVcc (SDM vol. 1 B.1).
enum X86Condition: UInt8 {
    case overflow = 0, noOverflow, below, aboveOrEqual, equal, notEqual, belowOrEqual, above
    case sign, noSign, parity, noParity, less, greaterOrEqual, lessOrEqual, greater

    /// The opposite condition: the encodings pair up, differing in the low bit.
    var inverse: X86Condition { X86Condition(rawValue: rawValue ^ 1)! }
}

/// The group-1 integer operations: `/digit` of 81 and 83, and `digit << 3 | 1` (r/m, r) or
/// `| 3` (r, r/m) as the register forms' opcode.
enum X86ArithmeticOperation: UInt8 {
    case add = 0, or, adc, sbb, and, sub, xor, cmp
}

/// The group-2 shifts and rotates: `/digit` of C1 (by an immediate) and D3 (by CL).
enum X86ShiftOperation: UInt8 {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7
}

/// Operand width of an integer instruction: 32-bit forms zero the upper half of a register
/// destination, as A64's W forms do.
enum X86Width {
    case dword, qword
    var isQword: Bool { self == .qword }
}

/// A forward branch whose 32-bit displacement is filled in by ``X86Assembler/bind(_:)``.
struct X86Label {
    /// Offset of the rel32 field in the code.
    fileprivate let field: Int
}

/// Appends x86-64 machine code to a byte buffer.
struct X86Assembler {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(4096) }

    var count: Int { bytes.count }

    // MARK: Encoding pieces

    private mutating func emit(_ byte: UInt8) { bytes.append(byte) }

    private mutating func emit32(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    private mutating func emit64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A REX prefix when one is needed: a 64-bit operand, an extended register, or (`byteRegister`)
    /// an 8-bit access to SPL, BPL, SIL or DIL, which without REX would mean AH, CH, DH or BH.
    private mutating func rex(_ width: X86Width, reg: UInt8 = 0, base: UInt8 = 0, byteRegister: UInt8? = nil) {
        let value: UInt8 = 0x40 | (width.isQword ? 8 : 0) | (reg >> 3) << 2 | (base >> 3)
        let needsByteREX = byteRegister.map { $0 >= 4 && $0 < 8 } ?? false
        if value != 0x40 || needsByteREX { emit(value) }
    }

    /// ModRM for two registers.
    private mutating func direct(reg: UInt8, rm: UInt8) { emit(0xC0 | (reg & 7) << 3 | (rm & 7)) }

    /// ModRM (and SIB) for [base + displacement].
    private mutating func memory(reg: UInt8, base: X86Register, _ displacement: Int32) {
        let short = Int32(Int8(truncatingIfNeeded: displacement)) == displacement
        emit((short ? 0x40 : 0x80) | (reg & 7) << 3 | base.low)
        if base.low == 4 { emit(0x24) }
        if short { emit(UInt8(bitPattern: Int8(truncatingIfNeeded: displacement))) } else { emit32(displacement) }
    }

    // MARK: Moves

    /// MOV reg, [base + disp] (8B).
    mutating func load(_ width: X86Width, _ destination: X86Register, _ base: X86Register, _ displacement: Int32) {
        rex(width, reg: destination.rawValue, base: base.rawValue)
        emit(0x8B)
        memory(reg: destination.rawValue, base: base, displacement)
    }

    /// MOVZX r32, byte or word [base + disp] (0F B6, 0F B7): zero-extended to 64 bits.
    mutating func loadZeroExtended(bytes size: Int, _ destination: X86Register, _ base: X86Register, _ displacement: Int32) {
        rex(.dword, reg: destination.rawValue, base: base.rawValue)
        emit(0x0F)
        emit(size == 1 ? 0xB6 : 0xB7)
        memory(reg: destination.rawValue, base: base, displacement)
    }

    /// MOVSX/MOVSXD of a byte, word or doubleword [base + disp] to `width` (0F BE, 0F BF, 63).
    mutating func loadSignExtended(bytes size: Int, to width: X86Width, _ destination: X86Register, _ base: X86Register, _ displacement: Int32) {
        rex(width, reg: destination.rawValue, base: base.rawValue)
        switch size {
        case 1: emit(0x0F); emit(0xBE)
        case 2: emit(0x0F); emit(0xBF)
        default: emit(0x63)
        }
        memory(reg: destination.rawValue, base: base, displacement)
    }

    /// MOV [base + disp], reg of 1, 2, 4 or 8 bytes (88, 66 89, 89, REX.W 89).
    mutating func store(bytes size: Int, _ base: X86Register, _ displacement: Int32, _ source: X86Register) {
        if size == 2 { emit(0x66) }
        rex(size == 8 ? .qword : .dword, reg: source.rawValue, base: base.rawValue, byteRegister: size == 1 ? source.rawValue : nil)
        emit(size == 1 ? 0x88 : 0x89)
        memory(reg: source.rawValue, base: base, displacement)
    }

    /// MOV destination, source (89).
    mutating func move(_ width: X86Width, _ destination: X86Register, _ source: X86Register) {
        rex(width, reg: source.rawValue, base: destination.rawValue)
        emit(0x89)
        direct(reg: source.rawValue, rm: destination.rawValue)
    }

    /// The shortest move of a 64-bit constant: XOR for zero (which changes the flags, unless
    /// `keepingFlags`), MOV r32
    /// (zero-extending), MOV r/m64 with a sign-extended imm32, or MOVABS.
    mutating func moveImmediate(_ destination: X86Register, _ value: UInt64, keepingFlags: Bool = false) {
        if value == 0 && !keepingFlags {
            arithmetic(.xor, .dword, destination, destination)
        } else if value <= UInt64(UInt32.max) {
            rex(.dword, base: destination.rawValue)
            emit(0xB8 | destination.low)
            emit32(Int32(bitPattern: UInt32(value)))
        } else if let short = Self.signExtended32(value) {
            rex(.qword, base: destination.rawValue)
            emit(0xC7)
            direct(reg: 0, rm: destination.rawValue)
            emit32(short)
        } else {
            rex(.qword, base: destination.rawValue)
            emit(0xB8 | destination.low)
            emit64(value)
        }
    }

    /// LEA destination, [base + disp] (8D).
    mutating func loadAddress(_ destination: X86Register, _ base: X86Register, _ displacement: Int32) {
        rex(.qword, reg: destination.rawValue, base: base.rawValue)
        emit(0x8D)
        memory(reg: destination.rawValue, base: base, displacement)
    }

    /// LEA destination, [base + index * scale] with a 32-bit result: arithmetic that leaves
    /// the flags alone. `base` must not be RBP or R13 (mod 00 would mean no base), `index` not
    /// RSP.
    mutating func loadAddress32(_ destination: X86Register, base: X86Register, index: X86Register, scale: Int) {
        let scaleBits: UInt8 = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0
        let value: UInt8 = 0x40 | (destination.high << 2) | (index.high << 1) | base.high
        if value != 0x40 { emit(value) }
        emit(0x8D)
        emit(destination.low << 3 | 4)
        emit(scaleBits << 6 | index.low << 3 | base.low)
    }

    // MARK: Arithmetic

    /// `operation` destination, source (the r/m, r form).
    mutating func arithmetic(_ operation: X86ArithmeticOperation, _ width: X86Width, _ destination: X86Register, _ source: X86Register) {
        rex(width, reg: source.rawValue, base: destination.rawValue)
        emit(operation.rawValue << 3 | 1)
        direct(reg: source.rawValue, rm: destination.rawValue)
    }

    /// `operation` destination, [base + disp] (the r, r/m form).
    mutating func arithmetic(_ operation: X86ArithmeticOperation, _ width: X86Width, _ destination: X86Register, _ base: X86Register, _ displacement: Int32) {
        rex(width, reg: destination.rawValue, base: base.rawValue)
        emit(operation.rawValue << 3 | 3)
        memory(reg: destination.rawValue, base: base, displacement)
    }

    /// `operation` destination, imm32 sign-extended (81 /digit, or 83 /digit for an imm8).
    mutating func arithmetic(_ operation: X86ArithmeticOperation, _ width: X86Width, _ destination: X86Register, immediate: Int32) {
        rex(width, base: destination.rawValue)
        let short = Int32(Int8(truncatingIfNeeded: immediate)) == immediate
        emit(short ? 0x83 : 0x81)
        direct(reg: operation.rawValue, rm: destination.rawValue)
        if short { emit(UInt8(bitPattern: Int8(truncatingIfNeeded: immediate))) } else { emit32(immediate) }
    }

    /// `operation` [base + disp], imm32 sign-extended (81 /digit with a memory operand).
    mutating func arithmeticMemory(_ operation: X86ArithmeticOperation, _ width: X86Width, _ base: X86Register, _ displacement: Int32, immediate: Int32) {
        rex(width, base: base.rawValue)
        emit(0x81)
        memory(reg: operation.rawValue, base: base, displacement)
        emit32(immediate)
    }

    /// TEST a, b (85).
    mutating func test(_ width: X86Width, _ a: X86Register, _ b: X86Register) {
        rex(width, reg: b.rawValue, base: a.rawValue)
        emit(0x85)
        direct(reg: b.rawValue, rm: a.rawValue)
    }

    /// TEST register, imm32 (F7 /0).
    mutating func test(_ width: X86Width, _ register: X86Register, immediate: Int32) {
        rex(width, base: register.rawValue)
        emit(0xF7)
        direct(reg: 0, rm: register.rawValue)
        emit32(immediate)
    }

    /// A shift or rotate by a constant (C1 /digit ib); nothing for a zero count.
    mutating func shift(_ operation: X86ShiftOperation, _ width: X86Width, _ register: X86Register, by amount: UInt8) {
        guard amount != 0 else { return }
        rex(width, base: register.rawValue)
        emit(0xC1)
        direct(reg: operation.rawValue, rm: register.rawValue)
        emit(amount)
    }

    /// A shift or rotate by CL, masked to 5 or 6 bits by the processor, as A64's variable shifts
    /// mask theirs (D3 /digit).
    mutating func shiftByCL(_ operation: X86ShiftOperation, _ width: X86Width, _ register: X86Register) {
        rex(width, base: register.rawValue)
        emit(0xD3)
        direct(reg: operation.rawValue, rm: register.rawValue)
    }

    /// NOT (F7 /2).
    mutating func not(_ width: X86Width, _ register: X86Register) {
        rex(width, base: register.rawValue)
        emit(0xF7)
        direct(reg: 2, rm: register.rawValue)
    }

    /// NEG (F7 /3).
    mutating func negate(_ width: X86Width, _ register: X86Register) {
        rex(width, base: register.rawValue)
        emit(0xF7)
        direct(reg: 3, rm: register.rawValue)
    }

    /// IMUL destination, source: the low half of the product (0F AF).
    mutating func multiply(_ width: X86Width, _ destination: X86Register, _ source: X86Register) {
        rex(width, reg: destination.rawValue, base: source.rawValue)
        emit(0x0F)
        emit(0xAF)
        direct(reg: destination.rawValue, rm: source.rawValue)
    }

    /// IMUL destination, source, imm8 (6B /r ib).
    mutating func multiply(_ width: X86Width, _ destination: X86Register, _ source: X86Register, immediate: Int8) {
        rex(width, reg: destination.rawValue, base: source.rawValue)
        emit(0x6B)
        direct(reg: destination.rawValue, rm: source.rawValue)
        emit(UInt8(bitPattern: immediate))
    }

    /// The full 128-bit product of RAX and `source` into RDX:RAX, unsigned (MUL, F7 /4) or
    /// signed (IMUL, F7 /5).
    mutating func multiplyWide(signed: Bool, _ source: X86Register) {
        rex(.qword, base: source.rawValue)
        emit(0xF7)
        direct(reg: signed ? 5 : 4, rm: source.rawValue)
    }

    /// RDX:RAX (or EDX:EAX) divided by `source`: DIV (F7 /6) or IDIV (F7 /7). The caller rules
    /// out the divisions that fault on x86 (by zero, and the most negative value by -1).
    mutating func divide(signed: Bool, _ width: X86Width, _ source: X86Register) {
        rex(width, base: source.rawValue)
        emit(0xF7)
        direct(reg: signed ? 7 : 6, rm: source.rawValue)
    }

    /// CQO / CDQ: RDX:RAX (EDX:EAX) = the sign extension of RAX (EAX).
    mutating func signExtendAccumulator(_ width: X86Width) {
        rex(width)
        emit(0x99)
    }

    /// BSWAP (0F C8+r).
    mutating func byteSwap(_ width: X86Width, _ register: X86Register) {
        rex(width, base: register.rawValue)
        emit(0x0F)
        emit(0xC8 | register.low)
    }

    /// BSR destination, source: the index of the highest set bit; ZF set when source is zero
    /// (0F BD).
    mutating func bitScanReverse(_ width: X86Width, _ destination: X86Register, _ source: X86Register) {
        rex(width, reg: destination.rawValue, base: source.rawValue)
        emit(0x0F)
        emit(0xBD)
        direct(reg: destination.rawValue, rm: source.rawValue)
    }

    /// MOVSX or MOVZX of a register's low byte, word or doubleword to `width` (0F BE/BF/B6/B7,
    /// 63; a zero-extended doubleword is a 32-bit MOV).
    mutating func extend(signed: Bool, bytes size: Int, to width: X86Width, _ destination: X86Register, _ source: X86Register) {
        if size == 4 {
            if signed {
                rex(.qword, reg: destination.rawValue, base: source.rawValue)
                emit(0x63)
                direct(reg: destination.rawValue, rm: source.rawValue)
            } else {
                move(.dword, destination, source)
            }
            return
        }
        rex(width, reg: destination.rawValue, base: source.rawValue, byteRegister: size == 1 ? source.rawValue : nil)
        emit(0x0F)
        emit((signed ? 0xBE : 0xB6) | (size == 2 ? 1 : 0))
        direct(reg: destination.rawValue, rm: source.rawValue)
    }

    // MARK: Flags and conditions

    /// SETcc on a byte register (0F 90+cc).
    mutating func set(_ condition: X86Condition, _ register: X86Register) {
        rex(.dword, base: register.rawValue, byteRegister: register.rawValue)
        emit(0x0F)
        emit(0x90 | condition.rawValue)
        direct(reg: 0, rm: register.rawValue)
    }

    /// CMOVcc destination, source (0F 40+cc).
    mutating func conditionalMove(_ condition: X86Condition, _ width: X86Width, _ destination: X86Register, _ source: X86Register) {
        rex(width, reg: destination.rawValue, base: source.rawValue)
        emit(0x0F)
        emit(0x40 | condition.rawValue)
        direct(reg: destination.rawValue, rm: source.rawValue)
    }

    /// BT value, bit: CF = bit `bit` of `value` (0F A3, doubleword: the bit index is taken mod 32).
    mutating func bitTest(_ value: X86Register, _ bit: X86Register) {
        rex(.dword, reg: bit.rawValue, base: value.rawValue)
        emit(0x0F)
        emit(0xA3)
        direct(reg: bit.rawValue, rm: value.rawValue)
    }

    /// BT register, imm8 (0F BA /4 ib).
    mutating func bitTest(_ width: X86Width, _ register: X86Register, bit: UInt8) {
        rex(width, base: register.rawValue)
        emit(0x0F)
        emit(0xBA)
        direct(reg: 4, rm: register.rawValue)
        emit(bit)
    }

    /// CMC: CF = NOT CF (F5).
    mutating func complementCarry() { emit(0xF5) }

    // MARK: Control flow

    /// Jcc rel32 to a label bound later.
    mutating func jump(if condition: X86Condition) -> X86Label {
        emit(0x0F)
        emit(0x80 | condition.rawValue)
        let label = X86Label(field: bytes.count)
        emit32(0)
        return label
    }

    /// JMP rel32 to a label bound later.
    mutating func jump() -> X86Label {
        emit(0xE9)
        let label = X86Label(field: bytes.count)
        emit32(0)
        return label
    }

    /// JMP rel32 back to `offset`, an earlier position in this code.
    mutating func jump(back offset: Int) {
        emit(0xE9)
        emit32(Int32(offset - (bytes.count + 4)))
    }

    /// JMP register (FF /4).
    mutating func jump(to register: X86Register) {
        rex(.dword, base: register.rawValue)
        emit(0xFF)
        direct(reg: 4, rm: register.rawValue)
    }

    /// Points `label`'s branch at the current position.
    mutating func bind(_ label: X86Label) {
        let displacement = Int32(bytes.count - (label.field + 4))
        let bits = UInt32(bitPattern: displacement)
        for index in 0..<4 { bytes[label.field + index] = UInt8(truncatingIfNeeded: bits >> UInt32(8 * index)) }
    }

    /// PUSH register (50+r).
    mutating func push(_ register: X86Register) {
        rex(.dword, base: register.rawValue)
        emit(0x50 | register.low)
    }

    /// POP register (58+r).
    mutating func pop(_ register: X86Register) {
        rex(.dword, base: register.rawValue)
        emit(0x58 | register.low)
    }

    /// RET (C3).
    mutating func `return`() { emit(0xC3) }

    /// The value as a sign-extended imm32, if it is one.
    static func signExtended32(_ value: UInt64) -> Int32? {
        let signed = Int64(bitPattern: value)
        return signed >= Int64(Int32.min) && signed <= Int64(Int32.max) ? Int32(signed) : nil
    }
}
