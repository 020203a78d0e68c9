/// Compiles one block of decoded A64 instructions into x86-64 code.
///
/// A translated block is a function `(x, stop) -> next PC` of the CPU's register file: the same
/// `x` slots the interpreter works on (X0-X30, SP, the zero and discard slots, NZCV, the
/// retired count), read and written in memory at every instruction, so that whenever the code
/// returns the architectural state is exact. It runs straight-line code of one page and falls
/// through conditional branches that are not taken; it returns:
///
/// - at a taken branch, with the branch's target, unless it chains: goes on at the target's
///   translation after the interpreter's chaining test (``exit(to:retired:chained:)``);
/// - before the first instruction it does not translate (system registers, exceptions,
///   SIMD&FP, exclusives, the rarer integer forms), with that instruction's address, so the
///   interpreter executes it;
/// - before a load or store whose fast-TLB lookup misses (or that is misaligned, or SP-based
///   with a misaligned SP under SCTLR.SA), with its address: the interpreter then takes the
///   slow path and any exception, so ELR, ESR and FAR are the interpreter's exactly;
/// - at the end of the page or after ``maxInstructions``.
///
/// Each return first adds the instructions that completed to the retired count.
struct A64BlockCompiler {
    /// The longest block: bounds a block's code (and the time between interrupt checks).
    static let maxInstructions = 128

    /// What every block of a translation shares: the fast-TLB sets of its exception level and
    /// whether SP-based accesses check SP's alignment. A translation is only run with the
    /// context it was made for.
    struct Context {
        var readTLB: UInt64
        var writeTLB: UInt64
        var spCheck: Bool
        /// The CPU's attention word, tested before a chained jump.
        var attention: UInt64
        /// The code of the translation, made for this context, of the instruction at an address
        /// of this block's page, if there is one yet.
        var translation: (UInt64) -> UInt64?
        /// The fetch TLB set of the block's exception level, and the key of the context in the
        /// translation words (``A64Translator``): the chain stub looks targets up through them.
        var fetchTLB: UInt64
        var key: UInt64
    }

    var assembler = X86Assembler()
    let context: Context
    /// Returns whose code goes after the block's: taken branches and missed TLB lookups.
    private var sideExits: [(label: X86Label, pc: UInt64, retired: Int, chained: Bool)] = []
    /// The block's first instruction and its page: a branch back to it chains to this code's
    /// start, and only branches within the page chain.
    private var blockStart: UInt64 = 0
    private var pageBase: UInt64 = 0
    /// Jumps to the chain stub, emitted once after the side exits.
    private var stubJumps: [X86Label] = []
    /// The flags the instruction being translated may read from x86's (``LiveFlags``).
    var liveFlags: LiveFlags?

    // The register file and scratch registers. RDI holds `x` for the whole block and RSI the
    // retired count at which the run stops (the System V calling convention's first two
    // arguments). RBX counts the retired instructions while translated code runs, chained
    // block to block: the entry saves it and loads the count, every return stores the count
    // and restores it (``prologue`` and ``epilogue()``); a count in memory, added to and
    // compared at every chained branch, made a loop carry a store-to-load forwarding delay.
    // The block calls nothing. The templates' scratch registers are RAX, RCX, RDX and R8-R11.
    let file = X86Register.rdi
    let retiredCount = X86Register.rbx

    /// Bytes of the entry sequence: chained jumps go past it, into the block's body.
    static let prologueSize = 8

    init(context: Context) { self.context = context }

    /// The outcome of one instruction's translation.
    enum Step {
        /// Translated; the block goes on after it.
        case next
        /// Translated, and the block ends with it (an unconditional branch).
        case ended
        /// Not translated: the block ends before it.
        case unsupported
    }

    /// Translates from `slot` of the decoded page `ops` (at virtual `pageBase`), decoding
    /// undecoded slots with `decode`. Returns how many instructions the block holds, 0 when the
    /// first one is not translated (nothing worth running).
    mutating func compile(_ ops: UnsafeMutablePointer<DecodedInstruction>, slot first: Int, pageBase: UInt64,
                          decode: (Int) -> Void) -> Int {
        var slot = first
        self.pageBase = pageBase
        blockStart = pageBase &+ UInt64(first << 2)
        prologue()
        while true {
            let count = slot - first
            let here = pageBase &+ UInt64(slot << 2)
            if slot == 1024 || count == Self.maxInstructions {
                exit(to: here, retired: count, chained: true)
                break
            }
            if ops[slot].kind == .undecoded { decode(slot) }
            switch translate(ops[slot], at: here, retiredBefore: count) {
            case .next:
                slot += 1
                continue
            case .ended:
                slot += 1
            case .unsupported:
                if count == 0 { return 0 }
                exit(to: here, retired: count)
            }
            break
        }
        for sideExit in sideExits {
            assembler.bind(sideExit.label)
            exit(to: sideExit.pc, retired: sideExit.retired, chained: sideExit.chained)
        }
        if !stubJumps.isEmpty { chainStub() }
        return slot - first
    }

    // MARK: Exits

    /// Counts `retired` instructions and returns `pc`, or, `chained`, goes on at the
    /// translation of `pc` when there is one in this page (this block's start, or a block
    /// translated before it for the same context) and the run may go on: budget left (RSI holds
    /// the retired count at which the run stops) and nothing needing attention, the
    /// interpreter's chaining test. A direct jump to another translation is made only within the
    /// page: whatever discards the page's translations discards every block that could jump to
    /// them that way. Other chained exits go through ``chainStub()``, which looks the target up
    /// each time.
    private mutating func exit(to pc: UInt64, retired: Int, chained: Bool = false) {
        countRetired(retired)
        assembler.moveImmediate(.rax, pc)
        let target: ChainTarget?
        if !chained {
            target = nil
        } else if pc & ~0xFFF != pageBase {
            stubJumps.append(assembler.jump())
            return
        } else if pc == blockStart {
            target = .start
        } else {
            target = context.translation(pc).map(ChainTarget.code)
        }
        if let target {
            assembler.arithmetic(.cmp, .qword, retiredCount, .rsi)
            let spent = assembler.jump(if: .aboveOrEqual)
            assembler.moveImmediate(.rcx, context.attention)
            assembler.arithmeticMemory(.cmp, .dword, .rcx, 0, immediate: 0)
            let attention = assembler.jump(if: .notEqual)
            switch target {
            case .start:
                assembler.jump(back: Self.prologueSize)
            case .code(let code):
                assembler.moveImmediate(.rcx, code &+ UInt64(Self.prologueSize))
                assembler.jump(to: .rcx)
            }
            assembler.bind(spent)
            assembler.bind(attention)
        } else if chained {
            // Not translated yet when this block was: look it up when the branch is taken.
            stubJumps.append(assembler.jump())
            return
        }
        epilogue()
    }

    /// PUSH RBX; MOV RBX, [x + retired]: exactly ``prologueSize`` bytes.
    private mutating func prologue() {
        assembler.push(retiredCount)
        assembler.load(.qword, retiredCount, file, Self.slot(AArch64CPU.retiredSlot))
        assert(assembler.count == Self.prologueSize)
    }

    /// Stores the retired count, restores RBX, returns RAX as the next PC.
    private mutating func epilogue() {
        assembler.store(bytes: 8, file, Self.slot(AArch64CPU.retiredSlot), retiredCount)
        assembler.pop(retiredCount)
        assembler.return()
    }

    /// The chain stub: with the next PC in RAX and the retired count up to date, goes on at the
    /// PC's translation if the run may go on (the chaining test) and it has one for this
    /// context, found as the dispatcher finds it: the fetch TLB entry of the PC, its decoded
    /// page's translation words (for the PC's virtual page) and the slot's word with this
    /// context's key. Anything else returns the PC to the dispatcher. Indirect branches (RET,
    /// BR, BLR) and branches to other pages go this way: QEMU's lookup_and_goto_ptr.
    private mutating func chainStub() {
        for jump in stubJumps { assembler.bind(jump) }
        var out: [X86Label] = []
        assembler.arithmetic(.cmp, .qword, retiredCount, .rsi)
        out.append(assembler.jump(if: .aboveOrEqual))
        assembler.moveImmediate(.rcx, context.attention)
        assembler.arithmeticMemory(.cmp, .dword, .rcx, 0, immediate: 0)
        out.append(assembler.jump(if: .notEqual))
        // The PC's fetch TLB entry (a PC is 4-byte aligned).
        fastTLBEntry(of: .rax, in: context.fetchTLB, stride: MemoryLayout<FetchTLBEntry>.stride,
                     tag: MemoryLayout<FetchTLBEntry>.offset(of: \.tag)!, alignment: 4, entry: .rdx, scratch: .rcx)
        out.append(assembler.jump(if: .notEqual))
        // Its decoded page, and the page's translation words.
        assembler.load(.qword, .rdx, .rdx, Int32(MemoryLayout<FetchTLBEntry>.offset(of: \.instructions)!))
        assembler.test(.qword, .rdx, .rdx)
        out.append(assembler.jump(if: .equal))
        let wordsField = MemoryLayout<DecodedInstruction>.stride * DecodedPage.translationSlot + MemoryLayout<DecodedInstruction>.offset(of: \.imm)!
        assembler.load(.qword, .rdx, .rdx, Int32(wordsField))
        assembler.test(.qword, .rdx, .rdx)
        out.append(assembler.jump(if: .equal))
        // Made for this virtual page.
        assembler.move(.qword, .rcx, .rax)
        assembler.arithmetic(.and, .qword, .rcx, immediate: -4096)
        assembler.arithmetic(.cmp, .qword, .rcx, .rdx, Int32(8 * A64Translator.virtualPageSlot))
        out.append(assembler.jump(if: .notEqual))
        // The slot's word: (pc & 0xFFC) / 4 words of 8 bytes in.
        assembler.move(.dword, .rcx, .rax)
        assembler.arithmetic(.and, .dword, .rcx, immediate: 0xFFC)
        assembler.shift(.shl, .dword, .rcx, by: 1)
        assembler.arithmetic(.add, .qword, .rdx, .rcx)
        assembler.load(.qword, .rcx, .rdx, 0)
        assembler.move(.dword, .rdx, .rcx)
        assembler.arithmetic(.and, .dword, .rdx, immediate: 15)
        assembler.arithmetic(.cmp, .dword, .rdx, immediate: Int32(context.key))
        out.append(assembler.jump(if: .notEqual))
        assembler.arithmetic(.and, .qword, .rcx, immediate: -16)
        assembler.arithmetic(.add, .qword, .rcx, immediate: Int32(Self.prologueSize))
        assembler.jump(to: .rcx)
        for label in out { assembler.bind(label) }
        epilogue()
    }

    /// Sets `entry` to the fast-TLB entry (of the set at `set`, entries `stride` bytes apart)
    /// of the virtual address in `address`, and ZF to whether the entry's tag, at byte `tag` of
    /// it, matches: the address's page with its low bits under `alignment` clear, the test of
    /// `FastTLB`'s lookups (a misaligned address matches no tag).
    mutating func fastTLBEntry(of address: X86Register, in set: UInt64, stride: Int, tag: Int, alignment: Int,
                               entry: X86Register, scratch: X86Register) {
        assembler.move(.qword, scratch, address)
        assembler.shift(.shr, .qword, scratch, by: 12)
        assembler.arithmetic(.and, .dword, scratch, immediate: Int32(FastTLB.indexMask))
        assembler.multiply(.dword, scratch, scratch, immediate: Int8(stride))
        assembler.moveImmediate(entry, set)
        assembler.arithmetic(.add, .qword, entry, scratch)
        assembler.move(.qword, scratch, address)
        assembler.arithmetic(.and, .qword, scratch, immediate: Int32(truncatingIfNeeded: Int64(bitPattern: ~0xFFF | UInt64(alignment - 1))))
        assembler.arithmetic(.cmp, .qword, scratch, entry, Int32(tag))
    }

    /// Where a chained exit goes: this block's first instruction, or another translation.
    private enum ChainTarget {
        case start
        case code(UInt64)
    }

    private mutating func countRetired(_ retired: Int) {
        if retired > 0 { assembler.arithmetic(.add, .qword, retiredCount, immediate: Int32(retired)) }
    }

    /// A branch, taken when the x86 condition holds, to a return of `pc` after `retired`
    /// (`chained`: a taken A64 branch, which may chain).
    mutating func sideExit(if condition: X86Condition, to pc: UInt64, retired: Int, chained: Bool = false) {
        sideExits.append((assembler.jump(if: condition), pc, retired, chained))
    }

    /// Goes on at the value in RAX, through the chain stub (BR, BLR, RET).
    mutating func indirectExit(retired: Int) {
        countRetired(retired)
        stubJumps.append(assembler.jump())
    }

    /// Ends the block with a taken branch to `pc`.
    mutating func directExit(to pc: UInt64, retired: Int) { exit(to: pc, retired: retired, chained: true) }

    // MARK: The register file

    static func slot(_ index: Int) -> Int32 { Int32(8 * index) }

    /// Loads guest register `index` (a decoded operand: 0-30, SP, or the zero register),
    /// leaving the x86 flags alone.
    mutating func load(_ register: X86Register, _ index: UInt8) {
        if index == DecodedInstruction.zeroRegister {
            // MOV r32, imm32 rather than XOR, which would change the flags a fused condition
            // is about to read.
            assembler.moveImmediate(register, 0, keepingFlags: true)
        } else {
            assembler.load(.qword, register, file, Self.slot(Int(index)))
        }
    }

    /// Stores to guest register `index` (nothing for the discard register).
    mutating func store(_ index: UInt8, _ register: X86Register) {
        guard index != DecodedInstruction.discardRegister else { return }
        assembler.store(bytes: 8, file, Self.slot(Int(index)), register)
    }

    /// Stores a constant to guest register `index`.
    mutating func storeConstant(_ index: UInt8, _ value: UInt64) {
        guard index != DecodedInstruction.discardRegister else { return }
        assembler.moveImmediate(.rax, value)
        store(index, .rax)
    }

    // MARK: NZCV

    /// Stores NZCV from the x86 flags of an addition (C is CF) or subtraction (C is NOT CF,
    /// ARM's carry being the inverse of x86's borrow), through `into`. The x86 flags are left
    /// as they are, for a condition that follows (``liveFlags``).
    mutating func arithmeticFlags(subtraction: Bool, into result: X86Register = .rcx, store: Bool = true) {
        assembler.set(.sign, result)
        assembler.set(.equal, .rdx)
        assembler.set(subtraction ? .aboveOrEqual : .below, .r8)
        assembler.set(.overflow, .r9)
        combineFlags(into: result, carry: .r8, overflow: .r9, store: store)
        liveFlags = subtraction ? .subtraction : .addition
    }

    /// Stores NZCV for a logical result of `width` in `value`: N and Z, C and V clear.
    mutating func logicalFlags(_ width: X86Width, of value: X86Register) {
        assembler.test(width, value, value)
        assembler.set(.sign, .rcx)
        assembler.set(.equal, .rdx)
        combineFlags(into: .rcx, carry: nil, overflow: nil, store: true)
        liveFlags = .logical
    }

    /// N (in `n`'s low byte), Z (in DL), C and V into one 4-bit NZCV value, with MOVZX and LEA,
    /// which leave the flags alone.
    private mutating func combineFlags(into n: X86Register, carry: X86Register?, overflow: X86Register?, store: Bool) {
        assembler.extend(signed: false, bytes: 1, to: .dword, n, n)
        assembler.extend(signed: false, bytes: 1, to: .dword, .rdx, .rdx)
        assembler.loadAddress32(n, base: .rdx, index: n, scale: 2)  // N:Z
        if let carry, let overflow {
            assembler.extend(signed: false, bytes: 1, to: .dword, carry, carry)
            assembler.extend(signed: false, bytes: 1, to: .dword, overflow, overflow)
            assembler.loadAddress32(n, base: carry, index: n, scale: 2)  // N:Z:C
            assembler.loadAddress32(n, base: overflow, index: n, scale: 2)  // N:Z:C:V
        } else {
            assembler.loadAddress32(n, base: n, index: n, scale: 1)
            assembler.loadAddress32(n, base: n, index: n, scale: 1)  // N:Z:0:0
        }
        if store { assembler.store(bytes: 8, file, Self.slot(AArch64CPU.nzcvSlot), n) }
    }

    /// What the x86 flags hold when they still describe the NZCV just stored: the operation
    /// that set them. Set by the flag-setting templates, cleared before every other instruction.
    enum LiveFlags {
        case addition, subtraction, logical
    }

    /// The x86 condition equal to A64 condition `condition` on flags set by `flags`, if there is
    /// one (DDI0487 C1.2.4 against the SDM's Jcc table). After an addition x86's CF is A64's C;
    /// after a subtraction its inverse; a logical operation's TEST clears CF and OF as A64
    /// clears C and V. HI and LS need C and Z together, which x86's A and BE give only for a
    /// subtraction's inverted carry.
    static func x86Condition(_ condition: UInt8, after flags: LiveFlags) -> X86Condition? {
        switch condition & 15 {
        case 0: return .equal
        case 1: return .notEqual
        case 2: return flags == .subtraction ? .aboveOrEqual : .below
        case 3: return flags == .subtraction ? .below : .aboveOrEqual
        case 4: return .sign
        case 5: return .noSign
        case 6: return .overflow
        case 7: return .noOverflow
        case 8: return flags == .subtraction ? .above : nil
        case 9: return flags == .subtraction ? .belowOrEqual : nil
        case 10: return .greaterOrEqual
        case 11: return .less
        case 12: return .greater
        case 13: return .lessOrEqual
        default: return nil
        }
    }

    /// An x86 condition true exactly when A64 condition `condition` holds: read from the live
    /// x86 flags when the previous instruction set them and the condition maps, or else
    /// computed from the stored NZCV into CF (``conditionToCarry(_:scratch:)``).
    mutating func holds(_ condition: UInt8, flags: LiveFlags?, scratch: X86Register = .rcx) -> X86Condition {
        if let flags, let direct = Self.x86Condition(condition, after: flags) { return direct }
        conditionToCarry(condition, scratch: scratch)
        return .below
    }

    /// Sets CF to whether A64 condition `condition` holds for the stored NZCV, through the
    /// same table the interpreter uses (bit NZCV of the condition's 16-bit set). Uses `scratch`
    /// and EDX.
    mutating func conditionToCarry(_ condition: UInt8, scratch: X86Register = .rcx) {
        assembler.load(.dword, scratch, file, Self.slot(AArch64CPU.nzcvSlot))
        assembler.arithmetic(.and, .dword, scratch, immediate: 15)
        assembler.moveImmediate(.rdx, UInt64(ALU.conditionTable[Int(condition & 15)]))
        assembler.bitTest(.rdx, scratch)
    }

    /// Sets CF to NZCV's C.
    mutating func carryToCarry() {
        assembler.load(.dword, .rcx, file, Self.slot(AArch64CPU.nzcvSlot))
        assembler.bitTest(.dword, .rcx, bit: 1)
    }

    /// Whether a condition always holds (AL and NV).
    static func always(_ condition: UInt8) -> Bool { condition & 15 >= 14 }
}
