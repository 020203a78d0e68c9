/// The run loop of the translator engine: at every block boundary, the translation of the
/// block at the PC if there is one (or it is hot enough to make), else one block of the
/// interpreter, which also does all of the boundary's work (interrupts, exit requests, the
/// debugger, retired pages) whenever the CPU's attention word is set.
extension AArch64CPU {
    func runTranslated(limit: UInt64) -> CPUExit {
        guard let translator = translatorForRun() else { return runInterpreted(limit: limit) }
        let start = instructionsRetired
        // Where translated code stops chaining: the retired count at the end of the budget.
        let stop = start > UInt64.max &- limit ? UInt64.max : start &+ limit
        let fetch = fastTLB.fetch
        // Made once: the interpreter's state is pointers into this CPU, fixed for the run.
        let interpreter = Interpreter(cpu: self)
        while instructionsRetired &- start < limit {
            if attention.pointee == Self.retiredPagesAttention {
                // Code was written (the decoded pages are retired): the one piece of boundary
                // work that need not send the block to the interpreter.
                retiredPages.removeAll(keepingCapacity: true)
                attention.pointee &= ~Self.retiredPagesAttention
            }
            if attention.pointee == 0 {
                let pc = self.pc
                let el = self.el
                let entry = (fetch + Int(el) &* FastTLB.entries)[FastTLB.index(pc)]
                var ops = pc & (~0xFFF | 3) == entry.tag ? entry.instructions : nil
                if ops == nil {
                    guard let page = fetchSlow(pc) else {
                        // The fetch faulted and the abort was taken; it counts against the
                        // budget, as in the interpreter.
                        instructionsRetired &+= 1
                        continue
                    }
                    ops = page.instructions
                }
                if let ops, let block = translator.block(at: pc, ops: ops, el: el, cpu: self) {
                    let before = instructionsRetired
                    self.pc = block(x, stop)
                    // A block that retired nothing stopped at its first instruction (a load
                    // whose lookup missed): the interpreter runs it.
                    if instructionsRetired != before { continue }
                }
            }
            // One block: the interpreter stops at its first boundary once the budget of one
            // instruction is spent.
            let exit = interpreter.run(limit: 1)
            guard exit == .budgetExhausted else { return exit }
            // The block may have started the PMU or armed the debugger (an MSR, which the
            // interpreter alone executes).
            if interpreterOnly {
                let done = instructionsRetired &- start
                return done < limit ? runInterpreted(limit: limit &- done) : .budgetExhausted
            }
        }
        return .budgetExhausted
    }

    /// Whether the interpreter must run the whole slice: while the PMU counts (its boundary cuts
    /// the run short of a counter's overflow, which translated blocks would overrun) and while a
    /// debugger, the guest's or the host's, is armed (breakpoints, watchpoints and steps are
    /// the interpreter's boundary work, exact to the instruction).
    var interpreterOnly: Bool { pmuActive || attention.pointee & Self.debugAttention != 0 || debug.watchpointsArmed }

    /// The vCPU's translator, made on first use; nil when the host cannot map code memory
    /// (the run then stays in the interpreter).
    private func translatorForRun() -> A64Translator? {
        #if arch(x86_64)
        if let translator { return translator }
        translator = A64Translator(translatorSettings)
        return translator
        #else
        return nil
        #endif
    }
}

extension AArch64CPU {
    /// Blocks the translator engine has translated on this vCPU (0 under the interpreter).
    public var translatedBlocks: Int { translator?.blocksTranslated ?? 0 }
    /// Times the translator's code cache filled and was emptied.
    public var codeCacheFlushes: Int { translator?.cache.flushes ?? 0 }
}
