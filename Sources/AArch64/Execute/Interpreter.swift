/// The run loop.
///
/// Structure (see ../shared/reference/performance-and-style.md): the outer loop is the block
/// boundary, where interrupts, exit requests and the budget are checked and the PC is looked up
/// in the fetch TLB; the inner loop executes decoded instructions of one page in sequence until
/// a branch, an exception or the end of the page. A branch within the page is chained: it goes
/// on at its target with one test (budget left, nothing needing attention) instead of the
/// boundary's work (issue 12's "chained blocks"; within a page, as QEMU chains). Registers and
/// NZCV are reached through one pointer; the PC lives in a local and is recomputed from the page
/// and slot only when needed; loads and stores try the fast TLB inline and fall back to
/// out-of-line slow paths.
extension AArch64CPU {
    /// Runs until `maxInstructions` have retired (checked at block boundaries), or an exit, with
    /// the CPU's ``engine``.
    public func run(maxInstructions: Int) -> CPUExit {
        let limit = UInt64(max(maxInstructions, 1))
        if engine == .translator && !interpreterOnly { return runTranslated(limit: limit) }
        return runInterpreted(limit: limit)
    }

    func runInterpreted(limit: UInt64) -> CPUExit {
        let interpreter = Interpreter(cpu: self)
        // The first block boundary brings counting PMU counters up to date and cuts the run
        // short of their next overflow; the last instructions are counted when the run ends.
        if pmuActive { attention.pointee |= Self.pmuAttention }
        let exit = interpreter.run(limit: limit)
        if pmuActive { synchronizePMU() }
        return exit
    }

    /// Decodes the instruction in `slot` of a decoded page (its first execution). The page's
    /// host address sits in the slot after the end-of-page sentinel.
    @inline(never)
    func decodeSlot(_ instructions: UnsafeMutablePointer<DecodedInstruction>, slot: Int) {
        let host = UnsafeRawPointer(bitPattern: UInt(instructions[DecodedPage.hostSlot].imm))!
        let word = host.load(fromByteOffset: slot << 2, as: UInt32.self)
        var decoded = A64Decoder.decode(word, features: features)
        if x[Self.pmuSlot] & Self.pmuCountsBranches != 0, let index = Self.countedBranchKinds.firstIndex(of: decoded.kind) {
            decoded.f = UInt8(index)
            decoded.kind = .countedBranch
        }
        instructions[slot] = decoded
    }
}

/// What a block runs with, fixed from its first instruction to its last: PSTATE.EL, the fast TLB
/// sets of that EL's loads and stores, and whether SP-based accesses check SP's alignment
/// (SCTLR_EL1.SA at EL1, SA0 at EL0). Anything that changes them ends the block.
struct BlockState {
    let el: UInt8
    let readTLB: UnsafeMutablePointer<DataTLBEntry>
    let writeTLB: UnsafeMutablePointer<DataTLBEntry>
    let spCheck: Bool
    /// Whether SIMD&FP instructions may execute (CPACR_EL1.FPEN); if not, they trap with EC 0x07.
    let fp: Bool
}

struct Interpreter {
    let cpu: AArch64CPU
    let x: UnsafeMutablePointer<UInt64>
    /// V0-V31, two 64-bit halves each.
    let v: UnsafeMutablePointer<UInt64>
    let conditions: UnsafeMutablePointer<UInt16>
    /// The fast TLB's storage, fetched once: reaching it through `cpu` at every block boundary
    /// cost a retain and a release of the `FastTLB` object each time.
    let dataTLB: UnsafeMutablePointer<DataTLBEntry>
    let fetchTLB: UnsafeMutablePointer<FetchTLBEntry>
    /// The CPU's attention word, fetched once for block chaining's test.
    let attention: UnsafeMutablePointer<UInt32>
    /// Read once per run: reading the CPU's property at every call cost an exclusivity check
    /// and a retain. Unretained, as the CPU's: the machine that set it owns the CPU.
    let firmwareCallHandler: Unmanaged<FirmwareCallHandler>?

    init(cpu: AArch64CPU) {
        self.cpu = cpu
        self.x = cpu.x
        self.v = cpu.v
        self.conditions = cpu.conditionTable
        self.dataTLB = cpu.fastTLB.data
        self.fetchTLB = cpu.fastTLB.fetch
        self.attention = cpu.attention
        self.firmwareCallHandler = cpu.firmwareCallHandler.map { Unmanaged.passUnretained($0) }
    }

    // The helpers and the instructions' semantics (Instructions/) are @_transparent, inlined
    // before the optimiser's own inlining: `run` is large enough that the performance inliner
    // stops inlining into it part-way, even functions marked @inline(__always), and a call per
    // instruction costs more than the instruction.
    @_transparent func r(_ index: UInt8) -> UInt64 { x[Int(index)] }
    @_transparent func w(_ index: UInt8, _ value: UInt64) { x[Int(index)] = value }
    @_transparent var nzcv: UInt32 {
        get { UInt32(truncatingIfNeeded: x[AArch64CPU.nzcvSlot]) }
        nonmutating set { x[AArch64CPU.nzcvSlot] = UInt64(newValue) }
    }
    @_transparent func holds(_ condition: UInt8) -> Bool {
        (conditions[Int(condition & 15)] >> UInt16(x[AArch64CPU.nzcvSlot] & 15)) & 1 != 0
    }

    /// The host address for an aligned access of `mask + 1` bytes through `set`, or nil.
    @_transparent
    func fast(_ set: UnsafeMutablePointer<DataTLBEntry>, _ va: UInt64, _ mask: UInt64) -> UnsafeMutableRawPointer? {
        let entry = set + FastTLB.index(va)
        guard va & (~0xFFF | mask) == entry.pointee.tag else { return nil }
        return UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: entry.pointee.addend &+ va))
    }

    /// Moves the run's retired count into the CPU's, where what runs next can see it, and takes
    /// it out of the remaining budget.
    @_transparent func publishRetired(_ retired: inout UInt64, limit: inout UInt64) {
        cpu.instructionsRetired &+= retired
        limit &-= min(retired, limit)
        retired = 0
    }

    func run(limit: UInt64) -> CPUExit {
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
                if attention & AArch64CPU.pmuAttention != 0 {
                    // Before anything that can change the exception level: the instructions
                    // so far ran at the level the PMU last saw.
                    publishRetired(&retired, limit: &limit)
                    if let untilOverflow = cpu.synchronizePMU() { limit = min(limit, max(untilOverflow, 1)) }
                }
                if attention & 1 != 0 {
                    // Before debug: a host step set up at this boundary must not be left
                    // half done by a return.
                    cpu.attention.pointee &= ~1
                    return .exitRequested
                }
                var interruptible = true
                if attention & AArch64CPU.debugAttention != 0 {
                    // First: a pending Software Step exception comes before the next instruction,
                    // and an interrupt taken instead must see a completed step's PSTATE.SS.
                    switch cpu.debugBoundary(at: pc) {
                    case .proceed: break
                    case .proceedUninterrupted: interruptible = false
                    case .hostStop(let stop): return .hostDebugStop(stop)
                    case .exceptionTaken:
                        pc = cpu.pc
                        continue outer
                    case .fetchFaulted:
                        retired &+= 1  // as below: a faulting fetch counts against the budget
                        pc = cpu.pc
                        continue outer
                    }
                }
                if attention & AArch64CPU.retiredPagesAttention != 0 {
                    // Block boundary: a safe point to free stale decoded pages.
                    cpu.retiredPages.removeAll(keepingCapacity: true)
                    cpu.attention.pointee &= ~AArch64CPU.retiredPagesAttention
                }
                if interruptible && attention & 4 != 0 && cpu.daif & 1 == 0 {
                    cpu.takeException(.fiq, syndrome: nil, returnAddress: pc)
                    pc = cpu.pc
                    continue outer
                }
                if interruptible && attention & 2 != 0 && cpu.daif & 2 == 0 {
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
            var ops: UnsafeMutablePointer<DecodedInstruction>
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
            let block = BlockState(el: el, readTLB: readTLB, writeTLB: readTLB + FastTLB.entries,
                                   spCheck: x[AArch64CPU.sctlrSlot] & (el == 0 ? 0x10 : 0x8) != 0,
                                   fp: AArch64CPU.floatingPointEnabled(cpacr: x[AArch64CPU.cpacrSlot], el: el))
            var pageBase = pc & ~0xFFF
            var slot = Int((pc & 0xFFF) >> 2)

            // The block: decoded instructions of one page in sequence, each case one line that
            // hands the instruction to its semantics (Instructions/, by encoding class) and
            // says how the run goes on. A taken branch leaves `inner` with `pc` at its target,
            // and `chained` goes on from there in this page when the boundary has nothing to do.
            chained: while true {
                inner: while true {
                    let op = ops[slot]
                    retired &+= 1
                    // The address of this instruction (a plain local: a nested function reading `slot`
                    // would capture it, and every capture of a var costs a dynamic exclusivity check).
                    let here = pageBase | UInt64(truncatingIfNeeded: slot &<< 2)

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
                    case .stepEnd:
                        retired &-= 1
                        pc = here
                        continue outer
                    case .undefined, .hlt:
                        cpu.takeUndefined(at: here)
                        pc = cpu.pc
                        continue outer

                    // MARK: Data processing, immediate
                    case .adr: adr(op, at: here)
                    case .adrp: adrp(op, at: here)
                    case .addImm64: addImm64(op)
                    case .addImm32: addImm32(op)
                    case .subImm64: subImm64(op)
                    case .subImm32: subImm32(op)
                    case .addsImm64: addsImm64(op)
                    case .addsImm32: addsImm32(op)
                    case .subsImm64: subsImm64(op)
                    case .subsImm32: subsImm32(op)
                    case .andImm: andImm(op)
                    case .orrImm64: orrImm64(op)
                    case .orrImm32: orrImm32(op)
                    case .eorImm64: eorImm64(op)
                    case .eorImm32: eorImm32(op)
                    case .andsImm64: andsImm64(op)
                    case .andsImm32: andsImm32(op)
                    case .movImm: movImm(op)
                    case .movk64: movk64(op)
                    case .movk32: movk32(op)
                    case .ubfx64: ubfx64(op)
                    case .ubfx32: ubfx32(op)
                    case .ubfiz64: ubfiz64(op)
                    case .ubfiz32: ubfiz32(op)
                    case .sbfx64: sbfx64(op)
                    case .sbfx32: sbfx32(op)
                    case .sbfiz64: sbfiz64(op)
                    case .sbfiz32: sbfiz32(op)
                    case .bfxil64: bfxil64(op)
                    case .bfxil32: bfxil32(op)
                    case .bfi64: bfi64(op)
                    case .bfi32: bfi32(op)
                    case .extr64: extr64(op)
                    case .extr32: extr32(op)

                    // MARK: Branches
                    case .b:
                        pc = here &+ op.imm
                        break inner
                    case .bl:
                        pc = bl(op, at: here)
                        break inner
                    case .bCond:
                        if let target = bCond(op, at: here) { pc = target; break inner }
                    case .cbz64:
                        if let target = cbz64(op, at: here) { pc = target; break inner }
                    case .cbz32:
                        if let target = cbz32(op, at: here) { pc = target; break inner }
                    case .cbnz64:
                        if let target = cbnz64(op, at: here) { pc = target; break inner }
                    case .cbnz32:
                        if let target = cbnz32(op, at: here) { pc = target; break inner }
                    case .tbz:
                        if let target = tbz(op, at: here) { pc = target; break inner }
                    case .tbnz:
                        if let target = tbnz(op, at: here) { pc = target; break inner }
                    case .br, .ret:
                        pc = r(op.b)
                        break inner
                    case .blr:
                        pc = blr(op, at: here)
                        break inner
                    case .countedBranch:
                        x[AArch64CPU.branchesSlot] &+= 1
                        if let target = countedBranch(op, at: here) { pc = target; continue outer }

                    // MARK: Exceptions and system
                    case .svc:
                        svc(op, at: here)
                        pc = cpu.pc
                        continue outer
                    case .hvc, .smc:
                        if block.el == 0 {
                            cpu.takeUndefined(at: here)
                            pc = cpu.pc
                            continue outer
                        }
                        pc = here &+ 4
                        let instruction: FirmwareCallInstruction = op.kind == .hvc ? .hvc : .smc
                        if let handler = firmwareCallHandler {
                            // Answered in place: no return from the run loop, as TCG does not
                            // leave its translated code for QEMU's PSCI.
                            cpu.pc = pc
                            publishRetired(&retired, limit: &limit)
                            let resume = handler._withUnsafeGuaranteedRef {
                                $0.handleFirmwareCall(instruction, immediate: UInt16(op.imm), cpu: cpu)
                            }
                            pc = cpu.pc
                            if resume { continue outer }
                            return .firmwareCallHandled
                        }
                        return .firmwareCall(instruction, immediate: UInt16(op.imm))
                    case .brk:
                        brk(op, at: here)
                        pc = cpu.pc
                        continue outer
                    case .eret:
                        eret(at: here, block)
                        pc = cpu.pc
                        continue outer
                    case .nop, .yield, .dsb, .dmb:
                        break
                    case .sevl: sevl()
                    case .clrex: clrex()
                    case .isb:
                        pc = here &+ 4
                        continue outer
                    case .wfi, .wfe, .sev, .msrImmediate, .mrs, .msr, .sys:
                        // System registers may read the count (the PMU's counters, the counted
                        // clock): publish it.
                        publishRetired(&retired, limit: &limit)
                        switch system(op, at: here, block) {
                        case .next: break
                        case .jump(let target):
                            pc = target
                            continue outer
                        case .exception:
                            pc = cpu.pc
                            continue outer
                        case .exit(let exit, let at):
                            pc = at
                            return exit
                        }

                    // MARK: Data processing, register
                    case .andReg64: andReg64(op)
                    case .andReg32: andReg32(op)
                    case .bicReg64: bicReg64(op)
                    case .bicReg32: bicReg32(op)
                    case .orrReg64: orrReg64(op)
                    case .orrReg32: orrReg32(op)
                    case .ornReg64: ornReg64(op)
                    case .ornReg32: ornReg32(op)
                    case .eorReg64: eorReg64(op)
                    case .eorReg32: eorReg32(op)
                    case .eonReg64: eonReg64(op)
                    case .eonReg32: eonReg32(op)
                    case .andsReg64: andsReg64(op)
                    case .andsReg32: andsReg32(op)
                    case .bicsReg64: bicsReg64(op)
                    case .bicsReg32: bicsReg32(op)
                    case .movReg64: movReg64(op)
                    case .movReg32: movReg32(op)
                    case .addReg64: addReg64(op)
                    case .addReg32: addReg32(op)
                    case .subReg64: subReg64(op)
                    case .subReg32: subReg32(op)
                    case .addsReg64: addsReg64(op)
                    case .addsReg32: addsReg32(op)
                    case .subsReg64: subsReg64(op)
                    case .subsReg32: subsReg32(op)
                    case .addExt64: addExt64(op)
                    case .addExt32: addExt32(op)
                    case .subExt64: subExt64(op)
                    case .subExt32: subExt32(op)
                    case .addsExt64: addsExt64(op)
                    case .addsExt32: addsExt32(op)
                    case .subsExt64: subsExt64(op)
                    case .subsExt32: subsExt32(op)
                    case .adc64: adc64(op)
                    case .adc32: adc32(op)
                    case .sbc64: sbc64(op)
                    case .sbc32: sbc32(op)
                    case .adcs64: adcs64(op)
                    case .adcs32: adcs32(op)
                    case .sbcs64: sbcs64(op)
                    case .sbcs32: sbcs32(op)
                    case .ccmnReg64: ccmnReg64(op)
                    case .ccmnReg32: ccmnReg32(op)
                    case .ccmpReg64: ccmpReg64(op)
                    case .ccmpReg32: ccmpReg32(op)
                    case .ccmnImm64: ccmnImm64(op)
                    case .ccmnImm32: ccmnImm32(op)
                    case .ccmpImm64: ccmpImm64(op)
                    case .ccmpImm32: ccmpImm32(op)
                    case .csel64: csel64(op)
                    case .csel32: csel32(op)
                    case .csinc64: csinc64(op)
                    case .csinc32: csinc32(op)
                    case .csinv64: csinv64(op)
                    case .csinv32: csinv32(op)
                    case .csneg64: csneg64(op)
                    case .csneg32: csneg32(op)
                    case .rbit64: rbit64(op)
                    case .rbit32: rbit32(op)
                    case .rev16_64: rev16_64(op)
                    case .rev16_32: rev16_32(op)
                    case .rev32_64: rev32_64(op)
                    case .rev64: rev64(op)
                    case .rev32: rev32(op)
                    case .clz64: clz64(op)
                    case .clz32: clz32(op)
                    case .cls64: cls64(op)
                    case .cls32: cls32(op)
                    case .udiv64: udiv64(op)
                    case .udiv32: udiv32(op)
                    case .sdiv64: sdiv64(op)
                    case .sdiv32: sdiv32(op)
                    case .lslv64: lslv64(op)
                    case .lslv32: lslv32(op)
                    case .lsrv64: lsrv64(op)
                    case .lsrv32: lsrv32(op)
                    case .asrv64: asrv64(op)
                    case .asrv32: asrv32(op)
                    case .rorv64: rorv64(op)
                    case .rorv32: rorv32(op)
                    case .crc32b: crc(op, bytes: 1, castagnoli: false)
                    case .crc32h: crc(op, bytes: 2, castagnoli: false)
                    case .crc32w: crc(op, bytes: 4, castagnoli: false)
                    case .crc32x: crc(op, bytes: 8, castagnoli: false)
                    case .crc32cb: crc(op, bytes: 1, castagnoli: true)
                    case .crc32ch: crc(op, bytes: 2, castagnoli: true)
                    case .crc32cw: crc(op, bytes: 4, castagnoli: true)
                    case .crc32cx: crc(op, bytes: 8, castagnoli: true)
                    case .madd64: madd64(op)
                    case .madd32: madd32(op)
                    case .msub64: msub64(op)
                    case .msub32: msub32(op)
                    case .smaddl: smaddl(op)
                    case .smsubl: smsubl(op)
                    case .umaddl: umaddl(op)
                    case .umsubl: umsubl(op)
                    case .smulh: smulh(op)
                    case .umulh: umulh(op)

                    // MARK: Loads and stores: false means an exception was taken.
                    case .ldrxImm:
                        if !ldrxImm(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrwImm:
                        if !ldrwImm(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrhImm, .ldrbImm, .ldrsbxImm, .ldrsbwImm, .ldrshxImm, .ldrshwImm, .ldrswImm:
                        if !loadImmediate(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .strxImm:
                        if !strxImm(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .strwImm:
                        if !strwImm(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .strhImm, .strbImm:
                        if !storeImmediate(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrb, .ldrh, .ldrw, .ldrx, .ldrsbx, .ldrsbw, .ldrshx, .ldrshw, .ldrsw:
                        if !load(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .strb, .strh, .strw, .strx:
                        if !store(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .prfm, .prfmLiteral:
                        break  // a hint: no access, no fault
                    case .ldrLiteral32:
                        if !loadLiteral(op, at: here, size: 4, block) { pc = cpu.pc; continue outer }
                    case .ldrLiteral64:
                        if !loadLiteral(op, at: here, size: 8, block) { pc = cpu.pc; continue outer }
                    case .ldrswLiteral:
                        if !loadLiteral(op, at: here, size: 4, signed: true, block) { pc = cpu.pc; continue outer }
                    case .ldp64, .ldp32, .ldpsw:
                        if !loadPair(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .stp64, .stp32:
                        if !storePair(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldxr, .ldaxr, .stxr, .stlxr, .ldxp, .ldaxp, .stxp, .stlxp, .ldar, .stlr,
                        .cas, .casp, .atomicAdd, .atomicClear, .atomicEor, .atomicSet,
                        .atomicSmax, .atomicSmin, .atomicUmax, .atomicUmin, .swp:
                        if !synchronizing(op, at: here, block) { pc = cpu.pc; continue outer }

                    // MARK: SIMD&FP loads and stores
                    case .ldrFP8:
                        if !loadFP(op, bytes: 1, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrFP16:
                        if !loadFP(op, bytes: 2, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrFP32:
                        if !loadFP(op, bytes: 4, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrFP64:
                        if !loadFP(op, bytes: 8, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrFP128:
                        if !loadFP(op, bytes: 16, at: here, block) { pc = cpu.pc; continue outer }
                    case .strFP8:
                        if !storeFP(op, bytes: 1, at: here, block) { pc = cpu.pc; continue outer }
                    case .strFP16:
                        if !storeFP(op, bytes: 2, at: here, block) { pc = cpu.pc; continue outer }
                    case .strFP32:
                        if !storeFP(op, bytes: 4, at: here, block) { pc = cpu.pc; continue outer }
                    case .strFP64:
                        if !storeFP(op, bytes: 8, at: here, block) { pc = cpu.pc; continue outer }
                    case .strFP128:
                        if !storeFP(op, bytes: 16, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldrFPLiteral:
                        if !loadFPLiteral(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldpFP:
                        if !loadPairFP(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .stpFP:
                        if !storePairFP(op, at: here, block) { pc = cpu.pc; continue outer }
                    case .ldStructures:
                        if !structures(op, load: true, at: here, block) { pc = cpu.pc; continue outer }
                    case .stStructures:
                        if !structures(op, load: false, at: here, block) { pc = cpu.pc; continue outer }

                    // MARK: SIMD&FP data processing
                    case .simdFloatingPoint:
                        if !simdFloatingPoint(op, at: here, block) { pc = cpu.pc; continue outer }
                    }
                    slot &+= 1
                }
                // Block chaining: a branch taken to an instruction of this page goes on there when
                // the slice has budget left and nothing needs attention (the boundary's two tests,
                // as one). The same page is the same decoded page, and a branch changes neither the
                // exception level nor a control register, so `block` holds. Anything else, a
                // misaligned target among them, takes the boundary.
                guard (retired < limit) && (self.attention.pointee == 0) else { continue outer }
                if pc & (~0xFFF | 3) != pageBase {
                    let entry = (fetchTLB + Int(block.el) &* FastTLB.entries)[FastTLB.index(pc)]
                    guard pc & (~0xFFF | 3) == entry.tag, let cached = entry.instructions else { continue outer }
                    ops = cached
                    pageBase = pc & ~0xFFF
                }
                slot = Int(truncatingIfNeeded: (pc & 0xFFF) >> 2)
            }
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
