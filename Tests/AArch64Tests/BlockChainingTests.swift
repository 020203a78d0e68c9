import AArch64
import Testing

/// Chained blocks (Interpreter.swift): a taken branch goes on at its target without the block
/// boundary when nothing needs it, and the boundary's work still happens exactly when it must.
@Suite struct BlockChainingTests {
    /// The budget is tested at every chained branch, as at every boundary: the run stops at the
    /// first branch at or past it. In one page the loop is ADD, B (branches after 2, 4, ...
    /// instructions: 1002 for a budget of 1001); across two pages ADD, B far, B back (branches
    /// after 2, 3, 5, 6, ...: 1001 = 3 * 333 + 2, in the 334th iteration).
    @Test(arguments: [(false, 1002, 501), (true, 1001, 334)])
    func budgetIsTestedAtEveryChainedBranch(acrossPages: Bool, retired: UInt64, iterations: UInt64) throws {
        let m = try TestMachine("""
            loop: add x1, x1, #1
            \(acrossPages ? "b far\n.balign 4096\nfar:" : "")
            b loop
            """)
        #expect(m.cpu.run(maxInstructions: 1001) == .budgetExhausted)
        #expect(m.cpu.instructionsRetired == retired)
        #expect(m[1] == iterations)
    }

    /// A pending interrupt is taken, not chained past: the IRQ line rises between two runs of a
    /// chained loop, and the second run takes it before the loop's next instruction.
    @Test func pendingInterruptEndsTheChain() throws {
        let m = try TestMachine(withVectors: """
            msr daifclr, #2
            loop: add x1, x1, #1
            b loop
            """)
        #expect(m.cpu.run(maxInstructions: 100) == .budgetExhausted)
        let before = m[1]
        #expect(before > 0)
        m.cpu.setIRQ(true)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 5))  // current EL, SP_ELx, IRQ
        #expect(m[1] == before)
    }

    /// A branch to a misaligned address is not chained: the boundary takes its PC alignment
    /// fault (EC 0x22) with FAR the target.
    @Test func misalignedTargetTakesTheBoundarysFault() throws {
        let m = try TestMachine(withVectors: """
            adr x1, target
            add x1, x1, #2
            br x1
            target: nop
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 4))
        #expect(m.exceptionClass == 0x22)
        #expect(m.far == m[1])
    }

    /// Code the guest rewrites in the page it runs in is decoded again: the write retires the
    /// decoded page, which the chain's attention test sees at the next branch.
    @Test func selfModifyingLoopSeesItsNewCode() throws {
        let m = try TestMachine("""
            adr x2, patch
            ldr w3, =0xd2800541       // mov x1, #42
            mov x4, #0
            loop: add x4, x4, #1
            cmp x4, #3
            b.ne skip
            str w3, [x2]
            dsb ish
            ic ivau, x2
            dsb ish
            isb
            skip:
            patch: mov x1, #7
            cmp x4, #5
            b.ne loop
            hvc #0x77
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0x77))
        #expect(m[1] == 42)
    }
}
