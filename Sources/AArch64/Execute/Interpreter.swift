/// The run loop.
///
/// Structure (see ../shared/reference/performance-and-style.md): the outer loop is the block
/// boundary, where interrupts, exit requests and the budget are checked and the PC is looked up
/// in the fetch TLB; the inner loop executes decoded instructions of one page in sequence until
/// a branch, an exception or the end of the page. Registers and NZCV are reached through one
/// pointer; the PC lives in a local and is recomputed from the page and slot only when needed;
/// loads and stores try the fast TLB inline and fall back to out-of-line slow paths.
extension AArch64CPU {
    /// Runs until `maxInstructions` have retired (checked at block boundaries), or an exit.
    public func run(maxInstructions: Int) -> CPUExit {
        var interpreter = Interpreter(cpu: self)
        return interpreter.run(limit: UInt64(max(maxInstructions, 1)))
    }

    /// Decodes the instruction in `slot` of a decoded page (its first execution). The page's
    /// host address sits in the slot after the end-of-page sentinel.
    @inline(never)
    func decodeSlot(_ instructions: UnsafeMutablePointer<DecodedInstruction>, slot: Int) {
        let host = UnsafeRawPointer(bitPattern: UInt(instructions[DecodedPage.hostSlot].imm))!
        let word = host.load(fromByteOffset: slot << 2, as: UInt32.self)
        instructions[slot] = A64Decoder.decode(word, features: features)
    }
}

struct Interpreter {
    let cpu: AArch64CPU
    let x: UnsafeMutablePointer<UInt64>
    let conditions: UnsafeMutablePointer<UInt16>
    /// The fast TLB's storage, fetched once: reaching it through `cpu` at every block boundary
    /// cost a retain and a release of the `FastTLB` object each time.
    let dataTLB: UnsafeMutablePointer<DataTLBEntry>
    let fetchTLB: UnsafeMutablePointer<FetchTLBEntry>
    /// Read once per run: reading the CPU's property at every call cost an exclusivity check
    /// and a retain.
    let firmwareCallHandler: FirmwareCallHandler?

    init(cpu: AArch64CPU) {
        self.cpu = cpu
        self.x = cpu.x
        self.conditions = cpu.conditionTable
        self.dataTLB = cpu.fastTLB.data
        self.fetchTLB = cpu.fastTLB.fetch
        self.firmwareCallHandler = cpu.firmwareCallHandler
    }

    @inline(__always) func r(_ index: UInt8) -> UInt64 { x[Int(index)] }
    @inline(__always) func w(_ index: UInt8, _ value: UInt64) { x[Int(index)] = value }
    @inline(__always) var nzcv: UInt32 {
        get { UInt32(truncatingIfNeeded: x[AArch64CPU.nzcvSlot]) }
        nonmutating set { x[AArch64CPU.nzcvSlot] = UInt64(newValue) }
    }
    @inline(__always) func holds(_ condition: UInt8) -> Bool {
        (conditions[Int(condition & 15)] >> UInt16(x[AArch64CPU.nzcvSlot] & 15)) & 1 != 0
    }

    /// The host address for an aligned access of `mask + 1` bytes through `set`, or nil.
    @inline(__always)
    func fast(_ set: UnsafeMutablePointer<DataTLBEntry>, _ va: UInt64, _ mask: UInt64) -> UnsafeMutableRawPointer? {
        let entry = set + FastTLB.index(va)
        guard va & (~0xFFF | mask) == entry.pointee.tag else { return nil }
        return UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: entry.pointee.addend &+ va))
    }

    mutating func run(limit: UInt64) -> CPUExit {
        var limit = limit
        var retired: UInt64 = 0
        var pc = cpu.pc
        defer {
            cpu.pc = pc
            cpu.instructionsRetired &+= retired
        }

        outer: while true {
            if retired >= limit { return .budgetExhausted }
            let attention = cpu.attention.pointee
            if attention != 0 {
                if attention & AArch64CPU.retiredPagesAttention != 0 {
                    // Block boundary: a safe point to free stale decoded pages.
                    cpu.retiredPages.removeAll(keepingCapacity: true)
                    cpu.attention.pointee &= ~AArch64CPU.retiredPagesAttention
                }
                if attention & 1 != 0 {
                    cpu.attention.pointee &= ~1
                    return .exitRequested
                }
                if attention & 4 != 0 && cpu.daif & 1 == 0 {
                    cpu.takeException(.fiq, syndrome: nil, returnAddress: pc)
                    pc = cpu.pc
                    continue outer
                }
                if attention & 2 != 0 && cpu.daif & 2 == 0 {
                    cpu.takeException(.irq, syndrome: nil, returnAddress: pc)
                    pc = cpu.pc
                    continue outer
                }
                if attention & AArch64CPU.illegalStateAttention != 0 {
                    cpu.takeSynchronous(.illegalExecutionState, returnAddress: pc)
                    pc = cpu.pc
                    continue outer
                }
            }

            let el = cpu.el
            let fetchEntry = (fetchTLB + Int(el) &* FastTLB.entries)[FastTLB.index(pc)]
            let ops: UnsafeMutablePointer<DecodedInstruction>
            if pc & (~0xFFF | 3) == fetchEntry.tag, let cached = fetchEntry.instructions {
                ops = cached
            } else {
                guard let page = cpu.fetchSlow(pc) else {
                    // The fetch faulted. It counts against the budget, so a guest whose vectors
                    // fault too cannot keep the host in this loop.
                    retired &+= 1
                    pc = cpu.pc
                    continue outer
                }
                ops = page.instructions
            }
            let readTLB = dataTLB + Int(el) &* 2 &* FastTLB.entries
            let writeTLB = readTLB + FastTLB.entries
            let spCheck = x[AArch64CPU.sctlrSlot] & (el == 0 ? 0x10 : 0x8) != 0
            let pageBase = pc & ~0xFFF
            var slot = Int((pc & 0xFFF) >> 2)

            inner: while true {
                let op = ops[slot]
                retired &+= 1
                // The address of this instruction.
                @inline(__always) func here() -> UInt64 { pageBase | UInt64(slot << 2) }

                switch op.kind {
                // MARK: Bookkeeping
                case .undecoded:
                    cpu.decodeSlot(ops, slot: slot)
                    retired &-= 1
                    continue inner
                case .endOfPage:
                    retired &-= 1
                    pc = pageBase &+ 4096
                    continue outer
                case .undefined, .hlt:
                    cpu.takeUndefined(at: here())
                    pc = cpu.pc
                    continue outer

                // MARK: Data processing, immediate
                case .adr: w(op.a, here() &+ op.imm)
                case .adrp: w(op.a, pageBase &+ op.imm)
                case .addImm64: w(op.a, r(op.b) &+ op.imm)
                case .addImm32: w(op.a, (r(op.b) &+ op.imm) & 0xFFFF_FFFF)
                case .subImm64: w(op.a, r(op.b) &- op.imm)
                case .subImm32: w(op.a, (r(op.b) &- op.imm) & 0xFFFF_FFFF)
                case .addsImm64:
                    let (result, flags) = ALU.add64(r(op.b), op.imm, carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .addsImm32:
                    let (result, flags) = ALU.add32(r(op.b), op.imm, carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .subsImm64:
                    let (result, flags) = ALU.add64(r(op.b), ~op.imm, carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .subsImm32:
                    let (result, flags) = ALU.add32(r(op.b), ~op.imm, carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .andImm: w(op.a, r(op.b) & op.imm)
                case .orrImm64: w(op.a, r(op.b) | op.imm)
                case .orrImm32: w(op.a, (r(op.b) | op.imm) & 0xFFFF_FFFF)
                case .eorImm64: w(op.a, r(op.b) ^ op.imm)
                case .eorImm32: w(op.a, (r(op.b) ^ op.imm) & 0xFFFF_FFFF)
                case .andsImm64:
                    let result = r(op.b) & op.imm
                    w(op.a, result)
                    nzcv = ALU.logicFlags64(result)
                case .andsImm32:
                    let result = r(op.b) & op.imm
                    w(op.a, result)
                    nzcv = ALU.logicFlags32(result)
                case .movImm: w(op.a, op.imm)
                case .movk64: w(op.a, (r(op.a) & ~(0xFFFF << UInt64(op.d))) | op.imm)
                case .movk32: w(op.a, ((r(op.a) & ~(0xFFFF << UInt64(op.d))) | op.imm) & 0xFFFF_FFFF)
                case .ubfx64: w(op.a, (r(op.b) >> UInt64(op.d)) & op.imm)
                case .ubfx32: w(op.a, ((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d)) & op.imm)
                case .ubfiz64: w(op.a, (r(op.b) & op.imm) << UInt64(op.d))
                case .ubfiz32: w(op.a, ((r(op.b) & op.imm) << UInt64(op.d)) & 0xFFFF_FFFF)
                case .sbfx64: w(op.a, ALU.signExtend(r(op.b) >> UInt64(op.d), width: op.e))
                case .sbfx32: w(op.a, ALU.signExtend((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d), width: op.e) & 0xFFFF_FFFF)
                case .sbfiz64: w(op.a, ALU.signExtend(r(op.b) & op.imm, width: op.e) << UInt64(op.d))
                case .sbfiz32: w(op.a, (ALU.signExtend(r(op.b) & op.imm, width: op.e) << UInt64(op.d)) & 0xFFFF_FFFF)
                case .bfxil64: w(op.a, (r(op.a) & ~op.imm) | ((r(op.b) >> UInt64(op.d)) & op.imm))
                case .bfxil32: w(op.a, ((r(op.a) & ~op.imm) | (((r(op.b) & 0xFFFF_FFFF) >> UInt64(op.d)) & op.imm)) & 0xFFFF_FFFF)
                case .bfi64: w(op.a, (r(op.a) & ~(op.imm << UInt64(op.d))) | ((r(op.b) & op.imm) << UInt64(op.d)))
                case .bfi32: w(op.a, ((r(op.a) & ~(op.imm << UInt64(op.d))) | ((r(op.b) & op.imm) << UInt64(op.d))) & 0xFFFF_FFFF)
                case .extr64:
                    let lsb = UInt64(op.d)
                    w(op.a, lsb == 0 ? r(op.c) : (r(op.c) >> lsb) | (r(op.b) << (64 - lsb)))
                case .extr32:
                    let lsb = UInt32(op.d)
                    let low = UInt32(truncatingIfNeeded: r(op.c))
                    let high = UInt32(truncatingIfNeeded: r(op.b))
                    w(op.a, UInt64(lsb == 0 ? low : (low >> lsb) | (high << (32 - lsb))))

                // MARK: Branches
                case .b:
                    pc = here() &+ op.imm
                    continue outer
                case .bl:
                    x[30] = here() &+ 4
                    pc = here() &+ op.imm
                    continue outer
                case .bCond:
                    if holds(op.d) {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .cbz64:
                    if r(op.a) == 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .cbz32:
                    if r(op.a) & 0xFFFF_FFFF == 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .cbnz64:
                    if r(op.a) != 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .cbnz32:
                    if r(op.a) & 0xFFFF_FFFF != 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .tbz:
                    if (r(op.a) >> UInt64(op.d)) & 1 == 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .tbnz:
                    if (r(op.a) >> UInt64(op.d)) & 1 != 0 {
                        pc = here() &+ op.imm
                        continue outer
                    }
                case .br, .ret:
                    pc = r(op.b)
                    continue outer
                case .blr:
                    let target = r(op.b)
                    x[30] = here() &+ 4
                    pc = target
                    continue outer

                // MARK: Exceptions and system
                case .svc:
                    cpu.takeSynchronous(.svc64, iss: UInt32(op.imm), returnAddress: here() &+ 4)
                    pc = cpu.pc
                    continue outer
                case .hvc, .smc:
                    if el == 0 {
                        cpu.takeUndefined(at: here())
                        pc = cpu.pc
                        continue outer
                    }
                    pc = here() &+ 4
                    let instruction: FirmwareCallInstruction = op.kind == .hvc ? .hvc : .smc
                    if let handler = firmwareCallHandler {
                        // Answered in place: no return from the run loop, as TCG does not
                        // leave its translated code for QEMU's PSCI.
                        cpu.pc = pc
                        cpu.instructionsRetired &+= retired
                        limit &-= min(retired, limit)
                        retired = 0
                        let resume = handler.handleFirmwareCall(instruction, immediate: UInt16(op.imm), cpu: cpu)
                        pc = cpu.pc
                        if resume { continue outer }
                        return .firmwareCallHandled
                    }
                    return .firmwareCall(instruction, immediate: UInt16(op.imm))
                case .brk:
                    cpu.takeSynchronous(.breakpointInstruction, iss: UInt32(op.imm), returnAddress: here())
                    pc = cpu.pc
                    continue outer
                case .eret:
                    if el == 0 {
                        cpu.takeUndefined(at: here())
                    } else {
                        cpu.exceptionReturn()
                    }
                    pc = cpu.pc
                    continue outer
                case .nop, .yield, .dsb, .dmb:
                    break
                case .wfi:
                    if el == 0 && cpu.sys.sctlr & (1 << 16) == 0 {
                        // Trapped to EL1: ESR.ISS CV = 1, COND = 0b1110, TI = 0 (WFI).
                        cpu.takeSynchronous(.wfxTrap, iss: 1 << 24 | 0xE << 20, returnAddress: here())
                        pc = cpu.pc
                        continue outer
                    }
                    if !cpu.interruptPending {
                        pc = here() &+ 4
                        return .waitForInterrupt
                    }
                case .wfe:
                    if el == 0 && cpu.sys.sctlr & (1 << 18) == 0 {
                        cpu.takeSynchronous(.wfxTrap, iss: 1 << 24 | 0xE << 20 | 1, returnAddress: here())
                        pc = cpu.pc
                        continue outer
                    }
                    if cpu.eventRegister {
                        cpu.eventRegister = false
                    } else {
                        pc = here() &+ 4
                        return .waitForEvent
                    }
                case .sev:
                    cpu.eventRegister = true
                    pc = here() &+ 4
                    return .sendEvent
                case .sevl:
                    cpu.eventRegister = true
                case .clrex:
                    cpu.exclusive.valid = false
                case .isb:
                    pc = here() &+ 4
                    continue outer
                case .msrImmediate:
                    switch cpu.writePSTATEField(op.d, crm: op.e, pc: here()) {
                    case .next: break
                    case .endBlock:
                        pc = here() &+ 4
                        continue outer
                    case .exception:
                        pc = cpu.pc
                        continue outer
                    }
                case .mrs:
                    if case .exception = cpu.readSystemRegister(UInt16(op.imm), into: op.a, pc: here()) {
                        pc = cpu.pc
                        continue outer
                    }
                case .msr:
                    switch cpu.writeSystemRegister(UInt16(op.imm), value: r(op.a), rt: op.a, pc: here()) {
                    case .next: break
                    case .endBlock:
                        pc = here() &+ 4
                        continue outer
                    case .exception:
                        pc = cpu.pc
                        continue outer
                    }
                case .sys:
                    switch cpu.systemInstruction(UInt16(op.imm), operand: r(op.a), rt: op.a, pc: here()) {
                    case .next: break
                    case .endBlock:
                        pc = here() &+ 4
                        continue outer
                    case .exception:
                        pc = cpu.pc
                        continue outer
                    }

                // MARK: Data processing, register
                case .andReg64: w(op.a, r(op.b) & ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .andReg32: w(op.a, r(op.b) & ALU.shift32(r(op.c), type: op.e, amount: op.d))
                case .bicReg64: w(op.a, r(op.b) & ~ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .bicReg32: w(op.a, r(op.b) & ~ALU.shift32(r(op.c), type: op.e, amount: op.d) & 0xFFFF_FFFF)
                case .orrReg64: w(op.a, r(op.b) | ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .orrReg32: w(op.a, (r(op.b) | ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .ornReg64: w(op.a, r(op.b) | ~ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .ornReg32: w(op.a, (r(op.b) | ~ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .eorReg64: w(op.a, r(op.b) ^ ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .eorReg32: w(op.a, (r(op.b) ^ ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .eonReg64: w(op.a, r(op.b) ^ ~ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .eonReg32: w(op.a, (r(op.b) ^ ~ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .andsReg64:
                    let result = r(op.b) & ALU.shift64(r(op.c), type: op.e, amount: op.d)
                    w(op.a, result)
                    nzcv = ALU.logicFlags64(result)
                case .andsReg32:
                    let result = r(op.b) & ALU.shift32(r(op.c), type: op.e, amount: op.d)
                    w(op.a, result)
                    nzcv = ALU.logicFlags32(result)
                case .bicsReg64:
                    let result = r(op.b) & ~ALU.shift64(r(op.c), type: op.e, amount: op.d)
                    w(op.a, result)
                    nzcv = ALU.logicFlags64(result)
                case .bicsReg32:
                    let result = r(op.b) & ~ALU.shift32(r(op.c), type: op.e, amount: op.d) & 0xFFFF_FFFF
                    w(op.a, result)
                    nzcv = ALU.logicFlags32(result)
                case .movReg64: w(op.a, r(op.b))
                case .movReg32: w(op.a, r(op.b) & 0xFFFF_FFFF)
                case .addReg64: w(op.a, r(op.b) &+ ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .addReg32: w(op.a, (r(op.b) &+ ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .subReg64: w(op.a, r(op.b) &- ALU.shift64(r(op.c), type: op.e, amount: op.d))
                case .subReg32: w(op.a, (r(op.b) &- ALU.shift32(r(op.c), type: op.e, amount: op.d)) & 0xFFFF_FFFF)
                case .addsReg64:
                    let (result, flags) = ALU.add64(r(op.b), ALU.shift64(r(op.c), type: op.e, amount: op.d), carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .addsReg32:
                    let (result, flags) = ALU.add32(r(op.b), ALU.shift32(r(op.c), type: op.e, amount: op.d), carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .subsReg64:
                    let (result, flags) = ALU.add64(r(op.b), ~ALU.shift64(r(op.c), type: op.e, amount: op.d), carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .subsReg32:
                    let (result, flags) = ALU.add32(r(op.b), ~ALU.shift32(r(op.c), type: op.e, amount: op.d), carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .addExt64: w(op.a, r(op.b) &+ ALU.extend(r(op.c), option: op.e, shift: op.d))
                case .addExt32: w(op.a, (r(op.b) &+ ALU.extend(r(op.c), option: op.e, shift: op.d)) & 0xFFFF_FFFF)
                case .subExt64: w(op.a, r(op.b) &- ALU.extend(r(op.c), option: op.e, shift: op.d))
                case .subExt32: w(op.a, (r(op.b) &- ALU.extend(r(op.c), option: op.e, shift: op.d)) & 0xFFFF_FFFF)
                case .addsExt64:
                    let (result, flags) = ALU.add64(r(op.b), ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .addsExt32:
                    let (result, flags) = ALU.add32(r(op.b), ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 0)
                    w(op.a, result)
                    nzcv = flags
                case .subsExt64:
                    let (result, flags) = ALU.add64(r(op.b), ~ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .subsExt32:
                    let (result, flags) = ALU.add32(r(op.b), ~ALU.extend(r(op.c), option: op.e, shift: op.d), carry: 1)
                    w(op.a, result)
                    nzcv = flags
                case .adc64: w(op.a, ALU.add64(r(op.b), r(op.c), carry: UInt64((nzcv >> 1) & 1)).0)
                case .adc32: w(op.a, ALU.add32(r(op.b), r(op.c), carry: UInt64((nzcv >> 1) & 1)).0)
                case .sbc64: w(op.a, ALU.add64(r(op.b), ~r(op.c), carry: UInt64((nzcv >> 1) & 1)).0)
                case .sbc32: w(op.a, ALU.add32(r(op.b), ~r(op.c), carry: UInt64((nzcv >> 1) & 1)).0)
                case .adcs64:
                    let (result, flags) = ALU.add64(r(op.b), r(op.c), carry: UInt64((nzcv >> 1) & 1))
                    w(op.a, result)
                    nzcv = flags
                case .adcs32:
                    let (result, flags) = ALU.add32(r(op.b), r(op.c), carry: UInt64((nzcv >> 1) & 1))
                    w(op.a, result)
                    nzcv = flags
                case .sbcs64:
                    let (result, flags) = ALU.add64(r(op.b), ~r(op.c), carry: UInt64((nzcv >> 1) & 1))
                    w(op.a, result)
                    nzcv = flags
                case .sbcs32:
                    let (result, flags) = ALU.add32(r(op.b), ~r(op.c), carry: UInt64((nzcv >> 1) & 1))
                    w(op.a, result)
                    nzcv = flags
                case .ccmnReg64: nzcv = holds(op.d) ? ALU.add64(r(op.b), r(op.c), carry: 0).1 : UInt32(op.e)
                case .ccmnReg32: nzcv = holds(op.d) ? ALU.add32(r(op.b), r(op.c), carry: 0).1 : UInt32(op.e)
                case .ccmpReg64: nzcv = holds(op.d) ? ALU.add64(r(op.b), ~r(op.c), carry: 1).1 : UInt32(op.e)
                case .ccmpReg32: nzcv = holds(op.d) ? ALU.add32(r(op.b), ~r(op.c), carry: 1).1 : UInt32(op.e)
                case .ccmnImm64: nzcv = holds(op.d) ? ALU.add64(r(op.b), op.imm, carry: 0).1 : UInt32(op.e)
                case .ccmnImm32: nzcv = holds(op.d) ? ALU.add32(r(op.b), op.imm, carry: 0).1 : UInt32(op.e)
                case .ccmpImm64: nzcv = holds(op.d) ? ALU.add64(r(op.b), ~op.imm, carry: 1).1 : UInt32(op.e)
                case .ccmpImm32: nzcv = holds(op.d) ? ALU.add32(r(op.b), ~op.imm, carry: 1).1 : UInt32(op.e)
                case .csel64: w(op.a, holds(op.d) ? r(op.b) : r(op.c))
                case .csel32: w(op.a, (holds(op.d) ? r(op.b) : r(op.c)) & 0xFFFF_FFFF)
                case .csinc64: w(op.a, holds(op.d) ? r(op.b) : r(op.c) &+ 1)
                case .csinc32: w(op.a, (holds(op.d) ? r(op.b) : r(op.c) &+ 1) & 0xFFFF_FFFF)
                case .csinv64: w(op.a, holds(op.d) ? r(op.b) : ~r(op.c))
                case .csinv32: w(op.a, (holds(op.d) ? r(op.b) : ~r(op.c)) & 0xFFFF_FFFF)
                case .csneg64: w(op.a, holds(op.d) ? r(op.b) : 0 &- r(op.c))
                case .csneg32: w(op.a, (holds(op.d) ? r(op.b) : 0 &- r(op.c)) & 0xFFFF_FFFF)
                case .rbit64: w(op.a, BitOperations.reverse64(r(op.b)))
                case .rbit32: w(op.a, BitOperations.reverse64(r(op.b)) >> 32)
                case .rev16_64: w(op.a, BitOperations.reverseBytesInHalfwords(r(op.b)))
                case .rev16_32: w(op.a, BitOperations.reverseBytesInHalfwords(r(op.b)) & 0xFFFF_FFFF)
                case .rev32_64:
                    let value = r(op.b)
                    w(op.a, UInt64(UInt32(truncatingIfNeeded: value).byteSwapped) | UInt64(UInt32(truncatingIfNeeded: value >> 32).byteSwapped) << 32)
                case .rev64: w(op.a, r(op.b).byteSwapped)
                case .rev32: w(op.a, UInt64(UInt32(truncatingIfNeeded: r(op.b)).byteSwapped))
                case .clz64: w(op.a, UInt64(r(op.b).leadingZeroBitCount))
                case .clz32: w(op.a, UInt64(UInt32(truncatingIfNeeded: r(op.b)).leadingZeroBitCount))
                case .cls64: w(op.a, ALU.cls64(r(op.b)))
                case .cls32: w(op.a, ALU.cls32(r(op.b)))
                case .udiv64:
                    let divisor = r(op.c)
                    w(op.a, divisor == 0 ? 0 : r(op.b) / divisor)
                case .udiv32:
                    let divisor = r(op.c) & 0xFFFF_FFFF
                    w(op.a, divisor == 0 ? 0 : (r(op.b) & 0xFFFF_FFFF) / divisor)
                case .sdiv64:
                    let divisor = Int64(bitPattern: r(op.c))
                    w(op.a, divisor == 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: r(op.b)).dividedReportingOverflow(by: divisor).partialValue))
                case .sdiv32:
                    let divisor = Int32(truncatingIfNeeded: r(op.c))
                    let quotient = divisor == 0 ? 0 : Int32(truncatingIfNeeded: r(op.b)).dividedReportingOverflow(by: divisor).partialValue
                    w(op.a, UInt64(UInt32(bitPattern: quotient)))
                case .lslv64: w(op.a, r(op.b) << (r(op.c) & 63))
                case .lslv32: w(op.a, ALU.shift32(r(op.b), type: 0, amount: UInt8(r(op.c) & 31)))
                case .lsrv64: w(op.a, r(op.b) >> (r(op.c) & 63))
                case .lsrv32: w(op.a, ALU.shift32(r(op.b), type: 1, amount: UInt8(r(op.c) & 31)))
                case .asrv64: w(op.a, ALU.shift64(r(op.b), type: 2, amount: UInt8(r(op.c) & 63)))
                case .asrv32: w(op.a, ALU.shift32(r(op.b), type: 2, amount: UInt8(r(op.c) & 31)))
                case .rorv64: w(op.a, ALU.shift64(r(op.b), type: 3, amount: UInt8(r(op.c) & 63)))
                case .rorv32: w(op.a, ALU.shift32(r(op.b), type: 3, amount: UInt8(r(op.c) & 31)))
                case .crc32b: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 1, castagnoli: false))
                case .crc32h: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 2, castagnoli: false))
                case .crc32w: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 4, castagnoli: false))
                case .crc32x: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 8, castagnoli: false))
                case .crc32cb: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 1, castagnoli: true))
                case .crc32ch: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 2, castagnoli: true))
                case .crc32cw: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 4, castagnoli: true))
                case .crc32cx: w(op.a, ALU.crc(r(op.b), r(op.c), bytes: 8, castagnoli: true))
                case .madd64: w(op.a, r(op.d) &+ r(op.b) &* r(op.c))
                case .madd32: w(op.a, (r(op.d) &+ r(op.b) &* r(op.c)) & 0xFFFF_FFFF)
                case .msub64: w(op.a, r(op.d) &- r(op.b) &* r(op.c))
                case .msub32: w(op.a, (r(op.d) &- r(op.b) &* r(op.c)) & 0xFFFF_FFFF)
                case .smaddl:
                    let product = Int64(Int32(truncatingIfNeeded: r(op.b))) &* Int64(Int32(truncatingIfNeeded: r(op.c)))
                    w(op.a, r(op.d) &+ UInt64(bitPattern: product))
                case .smsubl:
                    let product = Int64(Int32(truncatingIfNeeded: r(op.b))) &* Int64(Int32(truncatingIfNeeded: r(op.c)))
                    w(op.a, r(op.d) &- UInt64(bitPattern: product))
                case .umaddl: w(op.a, r(op.d) &+ (r(op.b) & 0xFFFF_FFFF) &* (r(op.c) & 0xFFFF_FFFF))
                case .umsubl: w(op.a, r(op.d) &- (r(op.b) & 0xFFFF_FFFF) &* (r(op.c) & 0xFFFF_FFFF))
                case .smulh:
                    w(op.a, UInt64(bitPattern: Int64(bitPattern: r(op.b)).multipliedFullWidth(by: Int64(bitPattern: r(op.c))).high))
                case .umulh: w(op.a, r(op.b).multipliedFullWidth(by: r(op.c)).high)

                // MARK: Loads and stores, [Xn, #imm]
                case .ldrxImm:
                    let va = r(op.b) &+ op.imm
                    if let host = fast(readTLB, va, 7), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        w(op.a, host.load(as: UInt64.self))
                    } else {
                        guard let value = slowLoad(op, va, size: 8, pc: here(), spCheck: spCheck, el: el) else { pc = cpu.pc; continue outer }
                        w(op.a, value)
                    }
                case .ldrwImm:
                    let va = r(op.b) &+ op.imm
                    if let host = fast(readTLB, va, 3), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        w(op.a, UInt64(host.load(as: UInt32.self)))
                    } else {
                        guard let value = slowLoad(op, va, size: 4, pc: here(), spCheck: spCheck, el: el) else { pc = cpu.pc; continue outer }
                        w(op.a, value)
                    }
                case .ldrhImm, .ldrbImm, .ldrsbxImm, .ldrsbwImm, .ldrshxImm, .ldrshwImm, .ldrswImm:
                    let va = r(op.b) &+ op.imm
                    let size = op.kind.accessSize
                    let value: UInt64
                    if let host = fast(readTLB, va, UInt64(size - 1)), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        value = cpu.loadHost(host, size: size)
                    } else {
                        guard let loaded = slowLoad(op, va, size: size, pc: here(), spCheck: spCheck, el: el) else { pc = cpu.pc; continue outer }
                        value = loaded
                    }
                    w(op.a, op.kind.extendLoaded(value))
                case .strxImm:
                    let va = r(op.b) &+ op.imm
                    if let host = fast(writeTLB, va, 7), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        host.storeBytes(of: r(op.a), as: UInt64.self)
                    } else if !slowStore(op, va, size: 8, value: r(op.a), pc: here(), spCheck: spCheck, el: el) {
                        pc = cpu.pc
                        continue outer
                    }
                case .strwImm:
                    let va = r(op.b) &+ op.imm
                    if let host = fast(writeTLB, va, 3), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        host.storeBytes(of: UInt32(truncatingIfNeeded: r(op.a)), as: UInt32.self)
                    } else if !slowStore(op, va, size: 4, value: r(op.a), pc: here(), spCheck: spCheck, el: el) {
                        pc = cpu.pc
                        continue outer
                    }
                case .strhImm, .strbImm:
                    let va = r(op.b) &+ op.imm
                    let size = op.kind.accessSize
                    if let host = fast(writeTLB, va, UInt64(size - 1)), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        cpu.storeHost(host, size: size, value: r(op.a))
                    } else if !slowStore(op, va, size: size, value: r(op.a), pc: here(), spCheck: spCheck, el: el) {
                        pc = cpu.pc
                        continue outer
                    }

                // MARK: Loads and stores, other addressing modes
                case .ldrb, .ldrh, .ldrw, .ldrx, .ldrsbx, .ldrsbw, .ldrshx, .ldrshw, .ldrsw:
                    let (va, writeback) = address(op)
                    let size = op.kind.accessSize
                    let unprivileged = op.e == AddressingMode.unprivileged.rawValue
                    let value: UInt64
                    if !unprivileged, let host = fast(readTLB, va, UInt64(size - 1)), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        value = cpu.loadHost(host, size: size)
                    } else {
                        guard let loaded = slowLoad(op, va, size: size, pc: here(), spCheck: spCheck, el: unprivileged ? 0 : el) else {
                            pc = cpu.pc
                            continue outer
                        }
                        value = loaded
                    }
                    w(op.a, op.kind.extendLoaded(value))
                    if let writeback { w(op.b, writeback) }
                case .strb, .strh, .strw, .strx:
                    let (va, writeback) = address(op)
                    let size = op.kind.accessSize
                    let unprivileged = op.e == AddressingMode.unprivileged.rawValue
                    if !unprivileged, let host = fast(writeTLB, va, UInt64(size - 1)), op.b != 31 || !spCheck || x[31] & 15 == 0 {
                        cpu.storeHost(host, size: size, value: r(op.a))
                    } else if !slowStore(op, va, size: size, value: r(op.a), pc: here(), spCheck: spCheck, el: unprivileged ? 0 : el) {
                        pc = cpu.pc
                        continue outer
                    }
                    if let writeback { w(op.b, writeback) }
                case .prfm, .prfmLiteral:
                    break  // a hint: no access, no fault
                case .ldrLiteral32:
                    guard let value = literal(here() &+ op.imm, size: 4, pc: here(), el: el) else { pc = cpu.pc; continue outer }
                    w(op.a, value)
                case .ldrLiteral64:
                    guard let value = literal(here() &+ op.imm, size: 8, pc: here(), el: el) else { pc = cpu.pc; continue outer }
                    w(op.a, value)
                case .ldrswLiteral:
                    guard let value = literal(here() &+ op.imm, size: 4, pc: here(), el: el) else { pc = cpu.pc; continue outer }
                    w(op.a, ALU.signExtend(value, width: 32))

                // MARK: Pairs
                case .ldp64, .ldp32, .ldpsw:
                    let (va, writeback) = pairAddress(op)
                    let size = op.kind == .ldp64 ? 8 : 4
                    let first: UInt64
                    let second: UInt64
                    if let host = fast(readTLB, va, UInt64(size - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * size),
                        op.b != 31 || !spCheck || x[31] & 15 == 0
                    {
                        first = cpu.loadHost(host, size: size)
                        second = cpu.loadHost(host + size, size: size)
                    } else {
                        guard let a = slowLoad(op, va, size: size, pc: here(), spCheck: spCheck, el: el),
                            let b = cpu.loadSlow(va &+ UInt64(size), size: size, el: el, pc: here())
                        else { pc = cpu.pc; continue outer }
                        first = a
                        second = b
                    }
                    if op.kind == .ldpsw {
                        w(op.a, ALU.signExtend(first, width: 32))
                        w(op.c, ALU.signExtend(second, width: 32))
                    } else {
                        w(op.a, first)
                        w(op.c, second)
                    }
                    if let writeback { w(op.b, writeback) }
                case .stp64, .stp32:
                    let (va, writeback) = pairAddress(op)
                    let size = op.kind == .stp64 ? 8 : 4
                    if let host = fast(writeTLB, va, UInt64(size - 1)), va & 0xFFF <= 0x1000 - UInt64(2 * size),
                        op.b != 31 || !spCheck || x[31] & 15 == 0
                    {
                        cpu.storeHost(host, size: size, value: r(op.a))
                        cpu.storeHost(host + size, size: size, value: r(op.c))
                    } else if !slowStorePair(op, va, size: size, pc: here(), spCheck: spCheck, el: el) {
                        pc = cpu.pc
                        continue outer
                    }
                    if let writeback { w(op.b, writeback) }

                // MARK: Exclusives, ordered accesses and atomics
                case .ldxr, .ldaxr, .stxr, .stlxr, .ldxp, .ldaxp, .stxp, .stlxp, .ldar, .stlr,
                    .cas, .casp, .atomicAdd, .atomicClear, .atomicEor, .atomicSet,
                    .atomicSmax, .atomicSmin, .atomicUmax, .atomicUmin, .swp:
                    if op.b == 31 && spCheck && x[31] & 15 != 0 {
                        cpu.takeSynchronous(.spAlignment, returnAddress: here())
                        pc = cpu.pc
                        continue outer
                    }
                    if !cpu.synchronizingAccess(op, pc: here()) {
                        pc = cpu.pc
                        continue outer
                    }
                }
                slot &+= 1
            }
        }
    }

    // MARK: - Addressing

    /// The address of a single-register load or store in a non-[Xn, #imm] mode, and the value
    /// to write back to Xn, if any.
    @inline(__always)
    func address(_ op: DecodedInstruction) -> (UInt64, UInt64?) {
        let base = r(op.b)
        switch op.e {
        case AddressingMode.preIndex.rawValue:
            let va = base &+ op.imm
            return (va, va)
        case AddressingMode.postIndex.rawValue:
            return (base, base &+ op.imm)
        case AddressingMode.register.rawValue:
            return (base &+ ALU.extend(r(op.c), option: op.f, shift: op.d), nil)
        default:
            return (base &+ op.imm, nil)
        }
    }

    @inline(__always)
    func pairAddress(_ op: DecodedInstruction) -> (UInt64, UInt64?) {
        let base = r(op.b)
        switch op.e {
        case AddressingMode.preIndex.rawValue:
            let va = base &+ op.imm
            return (va, va)
        case AddressingMode.postIndex.rawValue:
            return (base, base &+ op.imm)
        default:
            return (base &+ op.imm, nil)
        }
    }

    // MARK: - Slow paths

    @inline(never)
    func slowLoad(_ op: DecodedInstruction, _ va: UInt64, size: Int, pc: UInt64, spCheck: Bool, el: UInt8) -> UInt64? {
        if op.b == 31 && spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return nil
        }
        return cpu.loadSlow(va, size: size, el: el, pc: pc)
    }

    @inline(never)
    func slowStore(_ op: DecodedInstruction, _ va: UInt64, size: Int, value: UInt64, pc: UInt64, spCheck: Bool, el: UInt8) -> Bool {
        if op.b == 31 && spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        return cpu.storeSlow(va, size: size, value: value, el: el, pc: pc)
    }

    @inline(never)
    func slowStorePair(_ op: DecodedInstruction, _ va: UInt64, size: Int, pc: UInt64, spCheck: Bool, el: UInt8) -> Bool {
        if op.b == 31 && spCheck && x[31] & 15 != 0 {
            cpu.takeSynchronous(.spAlignment, returnAddress: pc)
            return false
        }
        // Alignment faults come before translation faults (DDI0487 J1, Mem[] checks alignment
        // before translating); then both halves must be writable before either is written.
        if va & UInt64(size - 1) != 0 && cpu.alignmentChecks {
            cpu.takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
            return false
        }
        for part in [va, va &+ UInt64(size)] {
            if case .fault(let fault) = cpu.translate(part, kind: .write, el: el) {
                cpu.takeDataAbort(fault, address: part, isWrite: true, pc: pc)
                return false
            }
        }
        return cpu.storeSlow(va, size: size, value: r(op.a), el: el, pc: pc)
            && cpu.storeSlow(va &+ UInt64(size), size: size, value: r(op.c), el: el, pc: pc)
    }

    @inline(never)
    func literal(_ va: UInt64, size: Int, pc: UInt64, el: UInt8) -> UInt64? {
        cpu.loadSlow(va, size: size, el: el, pc: pc)
    }
}

extension OpKind {
    /// The access size in bytes of a single-register load or store.
    @inline(__always)
    var accessSize: Int {
        switch self {
        case .ldrbImm, .ldrsbxImm, .ldrsbwImm, .strbImm, .ldrb, .ldrsbx, .ldrsbw, .strb: return 1
        case .ldrhImm, .ldrshxImm, .ldrshwImm, .strhImm, .ldrh, .ldrshx, .ldrshw, .strh: return 2
        case .ldrwImm, .ldrswImm, .strwImm, .ldrw, .ldrsw, .strw: return 4
        default: return 8
        }
    }

    /// A loaded value extended as the load's kind says.
    @inline(__always)
    func extendLoaded(_ value: UInt64) -> UInt64 {
        switch self {
        case .ldrsbxImm, .ldrsbx: return ALU.signExtend(value, width: 8)
        case .ldrsbwImm, .ldrsbw: return ALU.signExtend(value, width: 8) & 0xFFFF_FFFF
        case .ldrshxImm, .ldrshx: return ALU.signExtend(value, width: 16)
        case .ldrshwImm, .ldrshw: return ALU.signExtend(value, width: 16) & 0xFFFF_FFFF
        case .ldrswImm, .ldrsw: return ALU.signExtend(value, width: 32)
        default: return value
        }
    }
}

/// Bit reversals.
enum BitOperations {
    @inline(__always)
    static func reverse64(_ value: UInt64) -> UInt64 {
        var v = value
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return v.byteSwapped
    }

    @inline(__always)
    static func reverseBytesInHalfwords(_ value: UInt64) -> UInt64 {
        ((value >> 8) & 0x00FF_00FF_00FF_00FF) | ((value & 0x00FF_00FF_00FF_00FF) << 8)
    }
}
