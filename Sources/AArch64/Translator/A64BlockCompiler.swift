/// Compiles one block of decoded A64 instructions into x86-64 code.
///
/// A translated block is a function `(x, stop) -> next PC` of the CPU's register file: the same
/// `x` slots the interpreter works on (X0-X30, SP, the zero and discard slots, NZCV, the
/// retired count), read and written in memory at every instruction, so that whenever the code
/// returns the architectural state is exact. It runs straight-line code of one page and falls
/// through conditional branches that are not taken; it returns:
///
/// - at a taken branch, with the branch's target;
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
    }

    var assembler = X86Assembler()
    let context: Context
    /// Returns whose code goes after the block's: taken branches and missed TLB lookups.
    private var sideExits: [(label: X86Label, pc: UInt64, retired: Int, chained: Bool)] = []
    /// The block's first instruction and its page: a branch back to it chains to this code's
    /// start, and only branches within the page chain.
    private var blockStart: UInt64 = 0
    private var pageBase: UInt64 = 0

    // The register file and scratch registers. RDI holds `x` for the whole block and RSI the
    // retired count at which the run stops (the System V calling convention's first two
    // arguments); the block calls nothing, so only caller-saved registers are used and nothing
    // needs saving. The templates' scratch registers are RAX, RCX, RDX and R8-R11.
    let file = X86Register.rdi

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
        while true {
            let count = slot - first
            let here = pageBase &+ UInt64(slot << 2)
            if slot == 1024 || count == Self.maxInstructions {
                exit(to: here, retired: count)
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
        return slot - first
    }

    // MARK: Exits

    /// Counts `retired` instructions and returns `pc`, or, `chained`, goes on at the
    /// translation of `pc` when there is one in this page (this block's start, or a block
    /// translated before it for the same context) and the run may go on: budget left (RSI holds
    /// the retired count at which the run stops) and nothing needing attention, the
    /// interpreter's chaining test. A translation is only reached through its decoded page's
    /// words, and a block only chains within its page, so whatever discards the page's
    /// translations discards every block that could jump to them.
    private mutating func exit(to pc: UInt64, retired: Int, chained: Bool = false) {
        countRetired(retired)
        assembler.moveImmediate(.rax, pc)
        let target: ChainTarget?
        if !chained || pc & ~0xFFF != pageBase {
            target = nil
        } else if pc == blockStart {
            target = .start
        } else {
            target = context.translation(pc).map(ChainTarget.code)
        }
        if let target {
            assembler.arithmetic(.cmp, .qword, .rsi, file, Self.slot(AArch64CPU.retiredSlot))
            let spent = assembler.jump(if: .belowOrEqual)
            assembler.moveImmediate(.rcx, context.attention)
            assembler.arithmeticMemory(.cmp, .dword, .rcx, 0, immediate: 0)
            let attention = assembler.jump(if: .notEqual)
            switch target {
            case .start:
                assembler.jump(back: 0)
            case .code(let code):
                assembler.moveImmediate(.rcx, code)
                assembler.jump(to: .rcx)
            }
            assembler.bind(spent)
            assembler.bind(attention)
        }
        assembler.return()
    }

    /// Where a chained exit goes: this block's first instruction, or another translation.
    private enum ChainTarget {
        case start
        case code(UInt64)
    }

    private mutating func countRetired(_ retired: Int) {
        if retired > 0 { assembler.arithmeticMemory(.add, .qword, file, Self.slot(AArch64CPU.retiredSlot), immediate: Int32(retired)) }
    }

    /// A branch, taken when the x86 condition holds, to a return of `pc` after `retired`
    /// (`chained`: a taken A64 branch, which may chain).
    mutating func sideExit(if condition: X86Condition, to pc: UInt64, retired: Int, chained: Bool = false) {
        sideExits.append((assembler.jump(if: condition), pc, retired, chained))
    }

    /// Returns the value in RAX as the next PC (BR, BLR, RET).
    mutating func indirectExit(retired: Int) {
        countRetired(retired)
        assembler.return()
    }

    /// Ends the block with a taken branch to `pc`.
    mutating func directExit(to pc: UInt64, retired: Int) { exit(to: pc, retired: retired, chained: true) }

    // MARK: The register file

    static func slot(_ index: Int) -> Int32 { Int32(8 * index) }

    /// Loads guest register `index` (a decoded operand: 0-30, SP, or the zero register).
    mutating func load(_ register: X86Register, _ index: UInt8) {
        if index == DecodedInstruction.zeroRegister {
            assembler.moveImmediate(register, 0)
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
    /// ARM's carry being the inverse of x86's borrow), through `into`.
    mutating func arithmeticFlags(subtraction: Bool, into result: X86Register = .rcx, store: Bool = true) {
        assembler.set(.sign, result)
        assembler.set(.equal, .rdx)
        assembler.set(subtraction ? .aboveOrEqual : .below, .r8)
        assembler.set(.overflow, .r9)
        combineFlags(into: result, carry: .r8, overflow: .r9, store: store)
    }

    /// Stores NZCV for a logical result of `width` in `value`: N and Z, C and V clear.
    mutating func logicalFlags(_ width: X86Width, of value: X86Register) {
        assembler.test(width, value, value)
        assembler.set(.sign, .rcx)
        assembler.set(.equal, .rdx)
        combineFlags(into: .rcx, carry: nil, overflow: nil, store: true)
    }

    /// N (in `n`'s low byte), Z (in DL), C and V into one 4-bit NZCV value.
    private mutating func combineFlags(into n: X86Register, carry: X86Register?, overflow: X86Register?, store: Bool) {
        assembler.extend(signed: false, bytes: 1, to: .dword, n, n)
        assembler.shift(.shl, .dword, n, by: 3)
        assembler.extend(signed: false, bytes: 1, to: .dword, .rdx, .rdx)
        assembler.shift(.shl, .dword, .rdx, by: 2)
        assembler.arithmetic(.or, .dword, n, .rdx)
        if let carry {
            assembler.extend(signed: false, bytes: 1, to: .dword, carry, carry)
            assembler.shift(.shl, .dword, carry, by: 1)
            assembler.arithmetic(.or, .dword, n, carry)
        }
        if let overflow {
            assembler.extend(signed: false, bytes: 1, to: .dword, overflow, overflow)
            assembler.arithmetic(.or, .dword, n, overflow)
        }
        if store { assembler.store(bytes: 8, file, Self.slot(AArch64CPU.nzcvSlot), n) }
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
