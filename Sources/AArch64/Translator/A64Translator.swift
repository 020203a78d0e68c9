/// The second tier of one vCPU: finds or makes the translation of the block at a PC.
///
/// Translations hang off the decoded pages (``DecodedPage/translationSlot``): one word per
/// instruction slot, so whatever discards a decoded page (a write to it, IC IALLU, a change of
/// mapping that empties the fetch TLB) discards its translations with it, and self-modifying
/// code needs nothing of its own. A word is
///
/// - the code address (16-byte aligned) with the context key in its low four bits (1-4: the
///   exception level and SCTLR's SP alignment check the block was made for);
/// - or, below the threshold, how many times the block started there (in bits 4 and up, key 0);
/// - or ``untranslatable`` when its first instruction has no template.
///
/// The words are for one virtual page (``virtualPageSlot``): a physical page that runs at
/// another address starts again there.
final class A64Translator {
    /// A block is translated after it has started this many times in the interpreter: code run
    /// once (boot, initcalls) is not worth the translation.
    let threshold: UInt64
    let cache: CodeCache
    /// Blocks translated since the CPU was made.
    private(set) var blocksTranslated = 0

    static let untranslatable: UInt64 = 15
    private static let keyMask: UInt64 = 15

    /// Whether translations are recorded in perf's JIT map (``PerfMap``).
    let perfMap: Bool

    init?(_ settings: TranslatorSettings) {
        guard let cache = CodeCache(capacity: settings.codeCacheSize) else { return nil }
        self.cache = cache
        self.threshold = settings.threshold
        self.perfMap = settings.perfMap
    }

    /// A translated block: runs on the register file until a chained jump finds the retired
    /// count at `stop` (or past it) or the attention word set, or the code ends; returns the
    /// next PC.
    typealias Block = @convention(c) (_ x: UnsafeMutablePointer<UInt64>, _ stop: UInt64) -> UInt64

    /// The translation of the block at `pc` of `ops` (a decoded page at `pc`'s page) for `cpu`'s
    /// current context, making it if the block is hot; nil to interpret the block instead.
    @inline(__always)
    func block(at pc: UInt64, ops: UnsafeMutablePointer<DecodedInstruction>, el: UInt8, cpu: AArch64CPU) -> Block? {
        // Only a decoded page's translation slot is `.undefined`; the debugger's step buffer,
        // which the fetch TLB may point at while a step is under way, gets no translations
        // (its slot's address, 0, also stops the chain stub).
        guard ops[DecodedPage.translationSlot].kind == .undefined else { return nil }
        let table = Self.table(of: ops)
        if table[Self.virtualPageSlot] != pc & ~0xFFF {
            // The physical page runs at another virtual address than its translations were
            // made for (an alias: the boot's identity map and the kernel's image mapping, say),
            // and they hold PC-relative values (ADR, BL, branch targets) of that address.
            table.update(repeating: 0, count: 1024)
            table[Self.virtualPageSlot] = pc & ~0xFFF
        }
        let slot = Int(truncatingIfNeeded: (pc & 0xFFF) >> 2)
        let spCheck = cpu.x[AArch64CPU.sctlrSlot] & (el == 0 ? 0x10 : 0x8) != 0
        let key = 1 &+ UInt64(el & 1) &+ (spCheck ? 2 : 0)
        let word = table[slot]
        if word & Self.keyMask == key {
            return unsafeBitCast(UInt(truncatingIfNeeded: word & ~Self.keyMask), to: Block.self)
        }
        switch word & Self.keyMask {
        case Self.untranslatable:
            return nil
        case 0 where word >> 4 < threshold:
            table[slot] = word &+ 16
            return nil
        default:
            // Hot, or made for another context: translate (again) for this one.
            return translate(ops, slot: slot, pc: pc, el: el, spCheck: spCheck, key: key, cpu: cpu, table: table)
        }
    }

    @inline(never)
    private func translate(_ ops: UnsafeMutablePointer<DecodedInstruction>, slot: Int, pc: UInt64, el: UInt8, spCheck: Bool,
                           key: UInt64, cpu: AArch64CPU, table: UnsafeMutablePointer<UInt64>) -> Block? {
        let readTLB = cpu.fastTLB.readSet(el: el)
        let context = A64BlockCompiler.Context(
            readTLB: UInt64(UInt(bitPattern: readTLB)),
            writeTLB: UInt64(UInt(bitPattern: cpu.fastTLB.writeSet(el: el))),
            spCheck: spCheck,
            attention: UInt64(UInt(bitPattern: cpu.attention)),
            translation: { target in
                let word = table[Int(truncatingIfNeeded: (target & 0xFFF) >> 2)]
                return word & Self.keyMask == key ? word & ~Self.keyMask : nil
            },
            fetchTLB: UInt64(UInt(bitPattern: cpu.fastTLB.fetchSet(el: el))),
            key: key)
        var compiler = A64BlockCompiler(context: context)
        let count = compiler.compile(ops, slot: slot, pageBase: pc & ~0xFFF) { cpu.decodeSlot(ops, slot: $0) }
        guard count > 0 else {
            table[slot] = Self.untranslatable
            return nil
        }
        var installed = cache.install(compiler.assembler.bytes)
        if installed == nil {
            // Full: start again with an empty cache, as QEMU's tb_flush.
            flush(cpu)
            installed = cache.install(compiler.assembler.bytes)
        }
        guard let code = installed else {
            table[slot] = Self.untranslatable
            return nil
        }
        blocksTranslated += 1
        if perfMap { PerfMap.record(code: code, size: compiler.assembler.count, pc: pc, el: el) }
        table[slot] = UInt64(UInt(bitPattern: code)) | key
        return unsafeBitCast(code, to: Block.self)
    }

    /// Empties the code cache and forgets every translation of `cpu`'s decoded pages.
    func flush(_ cpu: AArch64CPU) {
        cache.flush()
        for page in cpu.decodedPages.values { Self.forget(page.instructions) }
        for page in cpu.retiredPages { Self.forget(page.instructions) }
    }

    private static func forget(_ ops: UnsafeMutablePointer<DecodedInstruction>) {
        let address = ops[DecodedPage.translationSlot].imm
        guard address != 0, let table = UnsafeMutablePointer<UInt64>(bitPattern: UInt(address)) else { return }
        table.update(repeating: 0, count: 1024)
    }

    /// The word after the 1024 slots' words: the virtual page the translations were made at
    /// (an impossible page, 1, when none was made yet).
    static let virtualPageSlot = 1024

    /// The page's translation words, made on first use (the decoded page frees them).
    @inline(__always)
    private static func table(of ops: UnsafeMutablePointer<DecodedInstruction>) -> UnsafeMutablePointer<UInt64> {
        if let table = UnsafeMutablePointer<UInt64>(bitPattern: UInt(ops[DecodedPage.translationSlot].imm)) { return table }
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 1025)
        table.initialize(repeating: 0, count: 1024)
        (table + Self.virtualPageSlot).initialize(to: 1)
        ops[DecodedPage.translationSlot].imm = UInt64(UInt(bitPattern: table))
        return table
    }
}
