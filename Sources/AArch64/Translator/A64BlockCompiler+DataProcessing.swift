// The integer data-processing instructions as x86-64 templates: each computes what its
// interpreter function in Instructions/ computes (named beside it), operands and results in
// the register file. 32-bit (W) forms use 32-bit x86 operations, which zero the upper half as
// A64's W forms do. RAX, RCX, RDX and R8-R11 are scratch.

extension A64BlockCompiler {
    /// Translates one instruction, or says it is not translated.
    mutating func translate(_ op: DecodedInstruction, at here: UInt64, retiredBefore: Int) -> Step {
        // The x86 flags describe NZCV only right after the instruction that set them.
        let flags = liveFlags
        liveFlags = nil
        if op.kind == .bCond { return conditionalBranch(op, at: here, retired: retiredBefore + 1, flags: flags) }
        if let width = Self.arithmeticImmediate(op.kind) {
            arithmeticImmediate(op, width)
            return .next
        }
        if let width = Self.logicalImmediate(op.kind) {
            logicalImmediate(op, width)
            return .next
        }
        if let (operation, width, invert, flags) = Self.logicalRegister(op.kind) {
            logicalRegister(op, operation, width, invert: invert, flags: flags)
            return .next
        }
        if let (extended, subtract, width, flags) = Self.arithmeticRegister(op.kind) {
            load(.rax, op.b)
            if extended {
                extendedOperand(.r8, index: op.c, option: op.e, shift: op.d)
            } else {
                shiftedOperand(.r8, op, width)
            }
            addOrSubtract(op, .r8, subtract: subtract, width, flags: flags)
            return .next
        }
        switch op.kind {
        case .adr: storeConstant(op.a, here &+ op.imm)
        case .adrp: storeConstant(op.a, (here & ~0xFFF) &+ op.imm)
        case .movImm: storeConstant(op.a, op.imm)
        case .movk64, .movk32: moveKeep(op, op.kind == .movk64 ? .qword : .dword)
        case .ubfx64, .ubfx32, .ubfiz64, .ubfiz32, .sbfx64, .sbfx32, .sbfiz64, .sbfiz32: bitfieldMove(op)
        case .bfxil64, .bfxil32, .bfi64, .bfi32: bitfieldInsert(op)
        case .extr64, .extr32: extract(op, op.kind == .extr64 ? .qword : .dword)
        case .movReg64, .movReg32:
            load(.rax, op.b)
            if op.kind == .movReg32 { assembler.move(.dword, .rax, .rax) }
            store(op.a, .rax)
        case .adc64, .adc32, .sbc64, .sbc32, .adcs64, .adcs32, .sbcs64, .sbcs32: withCarry(op)
        case .ccmnReg64, .ccmnReg32, .ccmpReg64, .ccmpReg32, .ccmnImm64, .ccmnImm32, .ccmpImm64, .ccmpImm32:
            conditionalCompare(op)
        case .csel64, .csel32, .csinc64, .csinc32, .csinv64, .csinv32, .csneg64, .csneg32: conditionalSelect(op, flags: flags)
        case .rev64, .rev32:
            load(.rax, op.b)
            assembler.byteSwap(op.kind == .rev64 ? .qword : .dword, .rax)
            store(op.a, .rax)
        case .clz64, .clz32: countLeadingZeros(op, op.kind == .clz64 ? .qword : .dword)
        case .udiv64, .udiv32, .sdiv64, .sdiv32: divide(op)
        case .lslv64, .lslv32, .lsrv64, .lsrv32, .asrv64, .asrv32, .rorv64, .rorv32: variableShift(op)
        case .madd64, .madd32, .msub64, .msub32, .smaddl, .smsubl, .umaddl, .umsubl: multiplyAdd(op)
        case .smulh, .umulh:
            load(.rax, op.b)
            load(.rcx, op.c)
            assembler.multiplyWide(signed: op.kind == .smulh, .rcx)
            store(op.a, .rdx)
        case .nop, .yield, .dmb, .dsb, .prfm, .prfmLiteral:
            // As the interpreter: no effect (Conduit's memory is coherent and ordered as the
            // host's; a prefetch performs no access).
            break
        default:
            return translateBranchOrMemory(op, at: here, retiredBefore: retiredBefore)
        }
        return .next
    }

    // MARK: Immediate forms

    static func arithmeticImmediate(_ kind: OpKind) -> X86Width? {
        switch kind {
        case .addImm64, .subImm64, .addsImm64, .subsImm64: return .qword
        case .addImm32, .subImm32, .addsImm32, .subsImm32: return .dword
        default: return nil
        }
    }

    /// addImm/subImm/addsImm/subsImm: the immediate is at most 24 bits, an imm32 always.
    private mutating func arithmeticImmediate(_ op: DecodedInstruction, _ width: X86Width) {
        let subtract = [.subImm64, .subImm32, .subsImm64, .subsImm32].contains(op.kind)
        let flags = [.addsImm64, .addsImm32, .subsImm64, .subsImm32].contains(op.kind)
        load(.rax, op.b)
        assembler.arithmetic(subtract ? .sub : .add, width, .rax, immediate: Int32(truncatingIfNeeded: op.imm))
        store(op.a, .rax)
        if flags { arithmeticFlags(subtraction: subtract) }
    }

    static func logicalImmediate(_ kind: OpKind) -> X86Width? {
        switch kind {
        case .andImm, .orrImm64, .eorImm64, .andsImm64: return .qword
        case .orrImm32, .eorImm32, .andsImm32: return .dword
        default: return nil
        }
    }

    /// andImm, orrImm, eorImm, andsImm: the expanded mask may need all 64 bits.
    private mutating func logicalImmediate(_ op: DecodedInstruction, _ width: X86Width) {
        let operation: X86ArithmeticOperation
        switch op.kind {
        case .orrImm64, .orrImm32: operation = .or
        case .eorImm64, .eorImm32: operation = .xor
        default: operation = .and
        }
        load(.rax, op.b)
        assembler.moveImmediate(.rcx, op.imm)
        assembler.arithmetic(operation, width, .rax, .rcx)
        store(op.a, .rax)
        if op.kind == .andsImm64 || op.kind == .andsImm32 { logicalFlags(width, of: .rax) }
    }

    /// movk: the 16-bit field at `d` replaced by `imm`.
    private mutating func moveKeep(_ op: DecodedInstruction, _ width: X86Width) {
        load(.rax, op.a)
        assembler.moveImmediate(.rcx, ~(0xFFFF << UInt64(op.d)))
        assembler.arithmetic(.and, .qword, .rax, .rcx)
        assembler.moveImmediate(.rcx, op.imm)
        assembler.arithmetic(.or, width, .rax, .rcx)
        store(op.a, .rax)
    }

    /// ubfx, ubfiz, sbfx, sbfiz: `d` the field's position, `e` its width, `imm` its mask.
    private mutating func bitfieldMove(_ op: DecodedInstruction) {
        let wide = [.ubfx64, .ubfiz64, .sbfx64, .sbfiz64].contains(op.kind)
        let width: X86Width = wide ? .qword : .dword
        let bits: UInt8 = wide ? 64 : 32
        load(.rax, op.b)
        switch op.kind {
        case .ubfx64, .ubfx32:
            assembler.shift(.shr, width, .rax, by: op.d)
            assembler.moveImmediate(.rcx, op.imm)
            assembler.arithmetic(.and, .qword, .rax, .rcx)
        case .ubfiz64, .ubfiz32:
            assembler.moveImmediate(.rcx, op.imm)
            assembler.arithmetic(.and, .qword, .rax, .rcx)
            assembler.shift(.shl, width, .rax, by: op.d)
        case .sbfx64, .sbfx32:
            // The field's top bit to the register's top, then an arithmetic shift down.
            assembler.shift(.shl, width, .rax, by: bits &- op.d &- op.e)
            assembler.shift(.sar, width, .rax, by: bits &- op.e)
        default:
            assembler.shift(.shl, width, .rax, by: bits &- op.e)
            assembler.shift(.sar, width, .rax, by: bits &- op.e)
            assembler.shift(.shl, width, .rax, by: op.d)
        }
        if !wide { assembler.move(.dword, .rax, .rax) }
        store(op.a, .rax)
    }

    /// bfxil, bfi: a field of Rn into Rd, the rest of Rd kept.
    private mutating func bitfieldInsert(_ op: DecodedInstruction) {
        let wide = op.kind == .bfxil64 || op.kind == .bfi64
        let width: X86Width = wide ? .qword : .dword
        load(.rcx, op.b)
        let kept: UInt64
        if op.kind == .bfxil64 || op.kind == .bfxil32 {
            assembler.shift(.shr, width, .rcx, by: op.d)
            assembler.moveImmediate(.rdx, op.imm)
            assembler.arithmetic(.and, .qword, .rcx, .rdx)
            kept = ~op.imm
        } else {
            assembler.moveImmediate(.rdx, op.imm)
            assembler.arithmetic(.and, .qword, .rcx, .rdx)
            assembler.shift(.shl, .qword, .rcx, by: op.d)
            kept = ~(op.imm << UInt64(op.d))
        }
        load(.rax, op.a)
        assembler.moveImmediate(.rdx, kept)
        assembler.arithmetic(.and, .qword, .rax, .rdx)
        assembler.arithmetic(.or, width, .rax, .rcx)
        store(op.a, .rax)
    }

    /// extr: bits of the pair Rn:Rm from `d` up.
    private mutating func extract(_ op: DecodedInstruction, _ width: X86Width) {
        load(.rax, op.c)
        if op.d != 0 {
            load(.rcx, op.b)
            assembler.shift(.shr, width, .rax, by: op.d)
            assembler.shift(.shl, width, .rcx, by: (width.isQword ? 64 : 32) &- op.d)
            assembler.arithmetic(.or, width, .rax, .rcx)
        } else if !width.isQword {
            assembler.move(.dword, .rax, .rax)
        }
        store(op.a, .rax)
    }

    // MARK: Register forms

    static func logicalRegister(_ kind: OpKind) -> (X86ArithmeticOperation, X86Width, invert: Bool, flags: Bool)? {
        switch kind {
        case .andReg64: return (.and, .qword, false, false)
        case .andReg32: return (.and, .dword, false, false)
        case .bicReg64: return (.and, .qword, true, false)
        case .bicReg32: return (.and, .dword, true, false)
        case .orrReg64: return (.or, .qword, false, false)
        case .orrReg32: return (.or, .dword, false, false)
        case .ornReg64: return (.or, .qword, true, false)
        case .ornReg32: return (.or, .dword, true, false)
        case .eorReg64: return (.xor, .qword, false, false)
        case .eorReg32: return (.xor, .dword, false, false)
        case .eonReg64: return (.xor, .qword, true, false)
        case .eonReg32: return (.xor, .dword, true, false)
        case .andsReg64: return (.and, .qword, false, true)
        case .andsReg32: return (.and, .dword, false, true)
        case .bicsReg64: return (.and, .qword, true, true)
        case .bicsReg32: return (.and, .dword, true, true)
        default: return nil
        }
    }

    private mutating func logicalRegister(_ op: DecodedInstruction, _ operation: X86ArithmeticOperation, _ width: X86Width, invert: Bool, flags: Bool) {
        load(.rax, op.b)
        shiftedOperand(.r8, op, width)
        if invert { assembler.not(width, .r8) }
        assembler.arithmetic(operation, width, .rax, .r8)
        store(op.a, .rax)
        if flags { logicalFlags(width, of: .rax) }
    }

    /// The add/subtract (shifted register) and (extended register) forms: which operand form,
    /// which operation, which width, whether NZCV is set.
    static func arithmeticRegister(_ kind: OpKind) -> (extended: Bool, subtract: Bool, X86Width, flags: Bool)? {
        switch kind {
        case .addReg64: return (false, false, .qword, false)
        case .addReg32: return (false, false, .dword, false)
        case .subReg64: return (false, true, .qword, false)
        case .subReg32: return (false, true, .dword, false)
        case .addsReg64: return (false, false, .qword, true)
        case .addsReg32: return (false, false, .dword, true)
        case .subsReg64: return (false, true, .qword, true)
        case .subsReg32: return (false, true, .dword, true)
        case .addExt64: return (true, false, .qword, false)
        case .addExt32: return (true, false, .dword, false)
        case .subExt64: return (true, true, .qword, false)
        case .subExt32: return (true, true, .dword, false)
        case .addsExt64: return (true, false, .qword, true)
        case .addsExt32: return (true, false, .dword, true)
        case .subsExt64: return (true, true, .qword, true)
        case .subsExt32: return (true, true, .dword, true)
        default: return nil
        }
    }

    /// RAX = RAX + or - `operand`, to Rd, with NZCV if asked.
    private mutating func addOrSubtract(_ op: DecodedInstruction, _ operand: X86Register, subtract: Bool, _ width: X86Width, flags: Bool) {
        assembler.arithmetic(subtract ? .sub : .add, width, .rax, operand)
        store(op.a, .rax)
        if flags { arithmeticFlags(subtraction: subtract) }
    }

    /// ALU.shift64/shift32 of Rm (`c`) by `d`, type `e`, into `register`.
    private mutating func shiftedOperand(_ register: X86Register, _ op: DecodedInstruction, _ width: X86Width) {
        load(register, op.c)
        let operations: [X86ShiftOperation] = [.shl, .shr, .sar, .ror]
        assembler.shift(operations[Int(op.e & 3)], width, register, by: op.d)
    }

    /// ALU.extend of Rm (`index`) by option and shift, into `register`.
    mutating func extendedOperand(_ register: X86Register, index: UInt8, option: UInt8, shift: UInt8) {
        load(register, index)
        switch option & 7 {
        case 0: assembler.extend(signed: false, bytes: 1, to: .dword, register, register)
        case 1: assembler.extend(signed: false, bytes: 2, to: .dword, register, register)
        case 2: assembler.extend(signed: false, bytes: 4, to: .dword, register, register)
        case 4: assembler.extend(signed: true, bytes: 1, to: .qword, register, register)
        case 5: assembler.extend(signed: true, bytes: 2, to: .qword, register, register)
        case 6: assembler.extend(signed: true, bytes: 4, to: .qword, register, register)
        default: break
        }
        assembler.shift(.shl, .qword, register, by: shift)
    }

    /// adc, sbc, adcs, sbcs: x86's ADC with CF = C; SBB with CF = NOT C, x86's borrow being
    /// ARM's inverted carry.
    private mutating func withCarry(_ op: DecodedInstruction) {
        let wide = [.adc64, .sbc64, .adcs64, .sbcs64].contains(op.kind)
        let subtract = [.sbc64, .sbc32, .sbcs64, .sbcs32].contains(op.kind)
        let flags = [.adcs64, .adcs32, .sbcs64, .sbcs32].contains(op.kind)
        let width: X86Width = wide ? .qword : .dword
        load(.rax, op.b)
        load(.r8, op.c)
        carryToCarry()
        if subtract { assembler.complementCarry() }
        assembler.arithmetic(subtract ? .sbb : .adc, width, .rax, .r8)
        store(op.a, .rax)
        if flags { arithmeticFlags(subtraction: subtract) }
    }

    /// ccmn, ccmp: the comparison's NZCV if the condition `d` holds, else `e`.
    private mutating func conditionalCompare(_ op: DecodedInstruction) {
        let wide = [.ccmnReg64, .ccmpReg64, .ccmnImm64, .ccmpImm64].contains(op.kind)
        let subtract = [.ccmpReg64, .ccmpReg32, .ccmpImm64, .ccmpImm32].contains(op.kind)
        let immediate = [.ccmnImm64, .ccmnImm32, .ccmpImm64, .ccmpImm32].contains(op.kind)
        let width: X86Width = wide ? .qword : .dword
        load(.rax, op.b)
        if immediate { assembler.moveImmediate(.r8, op.imm) } else { load(.r8, op.c) }
        assembler.arithmetic(subtract ? .sub : .add, width, .rax, .r8)
        arithmeticFlags(subtraction: subtract, into: .rcx, store: false)
        if !Self.always(op.d) {
            // Before the test: a zero is moved with XOR, which would clear CF.
            assembler.moveImmediate(.r11, UInt64(op.e))
            conditionToCarry(op.d, scratch: .r10)
            assembler.conditionalMove(.aboveOrEqual, .dword, .rcx, .r11)
        }
        assembler.store(bytes: 8, file, Self.slot(AArch64CPU.nzcvSlot), .rcx)
        liveFlags = nil  // the comparison's flags, not the NZCV stored
    }

    /// csel, csinc, csinv, csneg: Rn if the condition `d` holds, else Rm transformed (by LEA
    /// and NOT, which keep the flags a fused condition reads; NEG does not, so csneg reads NZCV).
    private mutating func conditionalSelect(_ op: DecodedInstruction, flags: LiveFlags?) {
        let wide = [.csel64, .csinc64, .csinv64, .csneg64].contains(op.kind)
        let width: X86Width = wide ? .qword : .dword
        var flags = flags
        load(.rax, op.b)
        load(.r8, op.c)
        switch op.kind {
        case .csinc64, .csinc32: assembler.loadAddress(.r8, .r8, 1)
        case .csinv64, .csinv32: assembler.not(width, .r8)
        case .csneg64, .csneg32:
            assembler.negate(width, .r8)
            flags = nil
        default: break
        }
        if Self.always(op.d) {
            if !wide { assembler.move(.dword, .rax, .rax) }
        } else {
            // Rm's form where the condition fails. A 32-bit CMOV zeroes the upper half whether
            // or not it moves.
            assembler.conditionalMove(holds(op.d, flags: flags).inverse, width, .rax, .r8)
        }
        store(op.a, .rax)
    }

    /// clz: 63 (31) minus the index of the top set bit; BSR's "no bit" becomes -1, giving 64 (32).
    private mutating func countLeadingZeros(_ op: DecodedInstruction, _ width: X86Width) {
        load(.rcx, op.b)
        assembler.moveImmediate(.rdx, UInt64.max)
        assembler.bitScanReverse(width, .rax, .rcx)
        assembler.conditionalMove(.equal, .qword, .rax, .rdx)
        assembler.moveImmediate(.rcx, width.isQword ? 63 : 31)
        assembler.arithmetic(.sub, .qword, .rcx, .rax)
        if !width.isQword { assembler.move(.dword, .rcx, .rcx) }
        store(op.a, .rcx)
    }

    /// udiv, sdiv: division by zero gives 0, and the most negative value over -1 itself (A64
    /// does not trap); both are kept away from x86's DIV and IDIV, which would fault.
    private mutating func divide(_ op: DecodedInstruction) {
        let wide = op.kind == .udiv64 || op.kind == .sdiv64
        let signed = op.kind == .sdiv64 || op.kind == .sdiv32
        let width: X86Width = wide ? .qword : .dword
        load(.rax, op.b)
        load(.rcx, op.c)
        assembler.test(width, .rcx, .rcx)
        let byZero = assembler.jump(if: .equal)
        var byMinusOne: X86Label?
        if signed {
            assembler.arithmetic(.cmp, width, .rcx, immediate: -1)
            byMinusOne = assembler.jump(if: .equal)
            assembler.signExtendAccumulator(width)
        } else {
            assembler.moveImmediate(.rdx, 0)
        }
        assembler.divide(signed: signed, width, .rcx)
        let done = assembler.jump()
        if let byMinusOne {
            assembler.bind(byMinusOne)
            assembler.negate(width, .rax)
        }
        let doneNegated = signed ? assembler.jump() : nil
        assembler.bind(byZero)
        assembler.moveImmediate(.rax, 0)
        assembler.bind(done)
        if let doneNegated { assembler.bind(doneNegated) }
        if !wide { assembler.move(.dword, .rax, .rax) }
        store(op.a, .rax)
    }

    /// lslv, lsrv, asrv, rorv: x86 masks a shift count by CL to 6 (5) bits, as A64 takes the
    /// amount modulo the register size.
    private mutating func variableShift(_ op: DecodedInstruction) {
        let (operation, width): (X86ShiftOperation, X86Width)
        switch op.kind {
        case .lslv64: (operation, width) = (.shl, .qword)
        case .lslv32: (operation, width) = (.shl, .dword)
        case .lsrv64: (operation, width) = (.shr, .qword)
        case .lsrv32: (operation, width) = (.shr, .dword)
        case .asrv64: (operation, width) = (.sar, .qword)
        case .asrv32: (operation, width) = (.sar, .dword)
        case .rorv64: (operation, width) = (.ror, .qword)
        default: (operation, width) = (.ror, .dword)
        }
        load(.rax, op.b)
        load(.rcx, op.c)
        assembler.shiftByCL(operation, width, .rax)
        store(op.a, .rax)
    }

    /// madd, msub, smaddl, smsubl, umaddl, umsubl: Ra (`d`) plus or minus Rn times Rm.
    private mutating func multiplyAdd(_ op: DecodedInstruction) {
        load(.rax, op.b)
        load(.rcx, op.c)
        var width = X86Width.qword
        switch op.kind {
        case .madd32, .msub32: width = .dword
        case .smaddl, .smsubl:
            assembler.extend(signed: true, bytes: 4, to: .qword, .rax, .rax)
            assembler.extend(signed: true, bytes: 4, to: .qword, .rcx, .rcx)
        case .umaddl, .umsubl:
            assembler.move(.dword, .rax, .rax)
            assembler.move(.dword, .rcx, .rcx)
        default: break
        }
        assembler.multiply(width, .rax, .rcx)
        load(.rdx, op.d)
        if [.msub64, .msub32, .smsubl, .umsubl].contains(op.kind) {
            assembler.arithmetic(.sub, width, .rdx, .rax)
        } else {
            assembler.arithmetic(.add, width, .rdx, .rax)
        }
        store(op.a, .rdx)
    }
}
