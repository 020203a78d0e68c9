import AArch64
import Testing

/// The decoded-instruction cache stays coherent with memory: stores (from this vCPU, another
/// vCPU, or a loader) to a page that holds decoded code invalidate it, so the architecture's
/// self-modifying-code sequence (DDI0487 B2.4.4: store, DC CVAU, DSB, IC IVAU, DSB, ISB) runs
/// the new instruction.
@Suite struct CodeCacheTests {
    /// Patches `mov x0, #1` at `patch` to `mov x0, #2` and runs it again.
    static let selfModifying = """
        adr x4, patch
        ldr w3, =0xd2800040        // mov x0, #2
        mov x5, #0
        patch: mov x0, #1
        cbnz x5, done
        mov x5, #1
        str w3, [x4]
        dc cvau, x4
        dsb ish
        ic ivau, x4
        dsb ish
        isb
        b patch
        done: hvc #100
        """

    @Test(arguments: [false, true])
    func selfModifyingCodeRunsTheNewInstruction(mmu: Bool) throws {
        let m = try TestMachine(withVectors: Self.selfModifying)
        if mmu {
            let tables = PageTables(m)
            tables.identityMapRAM()
            tables.enable()
        }
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 2)
    }

    /// A function on its own page is written first (so the vCPU holds a fast-path write entry for
    /// the page), then called, then patched through that same entry and called again.
    @Test func writesThroughAnEarlierFastTLBEntryInvalidate() throws {
        let m = try TestMachine(withVectors: """
            adr x4, function
            ldr w3, =0xd2800040        // mov x0, #2
            ldr w6, [x4, #8]
            str w6, [x4, #8]           // a write to the page before it is code
            blr x4
            mov x7, x0
            str w3, [x4]               // patch
            ic iallu
            isb
            blr x4
            hvc #100
            .balign 4096
            function: mov x0, #1
            ret
            nop
            """)
        let tables = PageTables(m)
        tables.identityMapRAM()
        tables.enable()
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[7] == 1)
        #expect(m[0] == 2)
    }

    @Test func anotherVCPUsStoreInvalidates() throws {
        let m = try TestMachine("""
            loop: mov x0, #1
            hvc #100
            b loop
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 1)
        let other = try m.addCPU("str w3, [x4]\nhvc #0", at: 0x4020_0000)
        other.setRegister(3, 0xD280_0040)  // mov x0, #2
        other.setRegister(4, TestMachine.ramBase)
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 2)
    }

    @Test func aLoaderWriteInvalidates() throws {
        let m = try TestMachine("mov x0, #1\nhvc #100")
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        m.memory.writeValue(0xD280_0060, at: TestMachine.ramBase, size: 4)  // mov x0, #3
        m.cpu.setPC(TestMachine.ramBase)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 3)
    }

    /// DC ZVA over code zeroes it; zero is UDF #0, so the next run is undefined.
    @Test func dcZVAOverCodeInvalidates() throws {
        let m = try TestMachine(withVectors: """
            adr x4, target
            blr x4
            mov x7, x0
            dc zva, x4
            blr x4
            hvc #100
            .balign 64
            target: mov x0, #5
            ret
            """)
        let tables = PageTables(m)
        tables.identityMapRAM()
        tables.enable()
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.currentELSync))
        #expect(m[7] == 5)
        #expect(m.exceptionClass == 0)
    }
}
