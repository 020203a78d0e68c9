@testable import AArch64
import Testing

/// The translator engine (Translator/): its encoder's bytes, and guest-visible behaviour the
/// same as the interpreter's where translated code meets the architecture: exceptions in the
/// middle of a block, rewritten code, divisions x86 would fault on, a full code cache.
@Suite struct TranslatorTests {
    /// A machine on the translator, translating every block at its first run.
    static func translated(_ source: String, vectors: Bool = false) throws -> TestMachine {
        let m = vectors ? try TestMachine(withVectors: source) : try TestMachine(source)
        m.cpu.engine = .translator
        m.cpu.translatorSettings.threshold = 0
        return m
    }

    /// The REX, ModRM and SIB corners; the bytes disassemble (GNU objdump) to the instruction
    /// beside each call.
    @Test func encoderMatchesTheAssembler() {
        var a = X86Assembler()
        a.load(.qword, .rax, .rdi, 8)                     // mov rax, [rdi+8]
        a.load(.qword, .r8, .rdi, 0x100)                  // mov r8, [rdi+0x100]
        a.store(bytes: 8, .rsp, 16, .r9)                  // mov [rsp+16], r9
        a.store(bytes: 1, .rax, 0, .rsi)                  // mov [rax+0], sil
        a.store(bytes: 2, .r12, -4, .rcx)                 // mov [r12-4], cx
        a.moveImmediate(.rax, 0x1_0000_0000)              // movabs rax, 0x100000000
        a.moveImmediate(.r11, UInt64.max)                 // mov r11, -1
        a.arithmetic(.add, .qword, .rax, .r8)             // add rax, r8
        a.arithmetic(.sub, .dword, .r10, immediate: 300)  // sub r10d, 300
        a.arithmetic(.cmp, .qword, .r10, .r11, 0)         // cmp r10, [r11+0]
        a.arithmeticMemory(.add, .qword, .rdi, 296, immediate: 5) // add qword [rdi+296], 5
        a.shift(.sar, .qword, .r9, by: 3)                 // sar r9, 3
        a.set(.overflow, .r9)                             // seto r9b
        a.conditionalMove(.aboveOrEqual, .dword, .rax, .r8) // cmovae eax, r8d
        a.bitTest(.rdx, .rcx)                             // bt edx, ecx
        a.loadSignExtended(bytes: 4, to: .qword, .rcx, .rax, 4) // movsxd rcx, dword [rax+4]
        #expect(a.bytes == [
            0x48, 0x8B, 0x47, 0x08,
            0x4C, 0x8B, 0x87, 0x00, 0x01, 0x00, 0x00,
            0x4C, 0x89, 0x4C, 0x24, 0x10,
            0x40, 0x88, 0x70, 0x00,
            0x66, 0x41, 0x89, 0x4C, 0x24, 0xFC,
            0x48, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x49, 0xC7, 0xC3, 0xFF, 0xFF, 0xFF, 0xFF,
            0x4C, 0x01, 0xC0,
            0x41, 0x81, 0xEA, 0x2C, 0x01, 0x00, 0x00,
            0x4D, 0x3B, 0x53, 0x00,
            0x48, 0x81, 0x87, 0x28, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
            0x49, 0xC1, 0xF9, 0x03,
            0x41, 0x0F, 0x90, 0xC1,
            0x41, 0x0F, 0x43, 0xC0,
            0x0F, 0xA3, 0xCA,
            0x48, 0x63, 0x48, 0x04,
        ])
    }

    #if arch(x86_64)
    /// A loop of arithmetic, flags, conditional branches, calls and memory runs translated and
    /// ends in the state the interpreter reaches.
    @Test func translatedLoopMatchesTheInterpreter() throws {
        let source = """
            ldr x10, =0x40100000
            mov x1, #0
            mov x2, #1
            mov x3, #200
            loop: add x1, x1, x2, lsl #1
            eor x2, x2, x1, ror #7
            subs x3, x3, #1
            str x1, [x10], #8
            ldp x5, x6, [x10, #-16]
            csinc x7, x5, x6, ne
            bl function
            b.ne loop
            hvc #0
            function: madd x8, x7, x2, x8
            udiv x9, x8, x3
            ret
            """
        let interpreted = try TestMachine(source)
        #expect(interpreted.run() == .firmwareCall(.hvc, immediate: 0))
        let m = try Self.translated(source)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.translatedBlocks > 0)
        for n in 0..<31 { #expect(m[n] == interpreted[n], "x\(n)") }
        #expect(m.cpu.flags == interpreted.cpu.flags)
        #expect(m.cpu.instructionsRetired == interpreted.cpu.instructionsRetired)
        #expect(m.read64(0x4010_0000 + 8 * 199) == interpreted.read64(0x4010_0000 + 8 * 199))
    }

    /// A load that faults in the middle of a translated block: the instructions before it have
    /// happened, those after it have not, and ELR_EL1 and FAR_EL1 are the load's.
    @Test func faultInsideABlockIsPrecise() throws {
        let m = try Self.translated("""
            adr x6, fault
            mov x1, #0
            ldr x2, =0x90000000        // no RAM there: a synchronous external abort
            loop: add x1, x1, #1
            cmp x1, #3
            b.ne loop
            add x3, x3, #1
            fault: ldr x4, [x2]
            add x5, x5, #1
            hvc #99
            """, vectors: true)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 4))  // current EL, SP_ELx, synchronous
        #expect(m.cpu.translatedBlocks > 0)
        #expect(m[1] == 3)
        #expect(m[3] == 1)
        #expect(m[5] == 0)
        #expect(m.exceptionClass == 0x25)
        #expect(m.far == 0x9000_0000)
        #expect(m.elr == m[6])
    }

    /// Code rewritten after it was translated runs as rewritten: the store retires the decoded
    /// page and its translations with it.
    @Test func rewrittenCodeIsTranslatedAgain() throws {
        let m = try Self.translated("""
            adr x2, patch
            ldr w3, =0xd2800541       // mov x1, #42
            mov x4, #0
            loop: add x4, x4, #1
            patch: mov x1, #7
            cmp x4, #2
            b.eq done
            str w3, [x2]
            b loop
            done: hvc #0
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m[1] == 42)
        #expect(m[4] == 2)
    }

    /// The divisions x86's DIV and IDIV fault on give A64's answers: 0 for division by zero,
    /// and the most negative value for it divided by -1.
    @Test func divisionsX86WouldFaultOn() throws {
        let m = try Self.translated("""
            mov x1, #5
            mov x2, #0
            udiv x3, x1, x2
            sdiv x4, x1, x2
            mov x5, #0x8000000000000000
            mov x6, #-1
            sdiv x7, x5, x6
            mov w8, #0x80000000
            sdiv w9, w8, w6
            sdiv x10, x1, x6
            udiv w11, w1, w2
            hvc #0
            """)
        m.cpu.setRegister(3, 99)
        m.cpu.setRegister(4, 99)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.translatedBlocks > 0)
        #expect(m[3] == 0)
        #expect(m[4] == 0)
        #expect(m[7] == 0x8000_0000_0000_0000)
        #expect(m[9] == 0x8000_0000)
        #expect(m[10] == UInt64(bitPattern: -5))
        #expect(m[11] == 0)
    }

    /// A code cache too small for the program is emptied and refilled, and the program still
    /// computes what it should.
    @Test func fullCodeCacheIsEmptiedAndRefilled() throws {
        var blocks = ""
        for n in 0..<1500 { blocks += "add x1, x1, #\(n % 7 + 1)\nadd x2, x2, x1\nb next\(n)\nnext\(n):\n" }
        let source = "mov x3, #4\nagain:\n\(blocks)subs x3, x3, #1\nb.ne again\nhvc #0\n"
        let interpreted = try TestMachine(source)
        #expect(interpreted.run() == .firmwareCall(.hvc, immediate: 0))
        let m = try TestMachine(source)
        m.cpu.engine = .translator
        m.cpu.translatorSettings = TranslatorSettings(codeCacheSize: TranslatorSettings.codeCacheSizes.lowerBound, threshold: 0)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.codeCacheFlushes > 0)
        #expect(m[1] == interpreted[1])
        #expect(m[2] == interpreted[2])
    }

    /// One physical page run at two virtual addresses (as the boot's identity map and the
    /// kernel's mapping alias Linux's first pages): each run computes PC-relative values of its
    /// own address, not of the address the first translation was made at.
    @Test func aliasedPageComputesItsOwnAddresses() throws {
        let alias: UInt64 = 0x8000_0000
        let m = try Self.translated("""
            adr x9, shared
            blr x9
            mov x1, x0
            ldr x9, =\(alias)
            blr x9
            mov x2, x0
            hvc #0
            .balign 4096
            shared: adr x0, shared
            ret
            """)
        let tables = PageTables(m)
        tables.identityMapRAM()
        tables.mapPage(alias, to: TestMachine.ramBase + 0x1000)
        tables.enable()
        #expect(m.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.translatedBlocks > 0)
        #expect(m[1] == TestMachine.ramBase + 0x1000)
        #expect(m[2] == alias)
    }

    /// Conditions read straight from the x86 flags of the instruction before (a fused
    /// compare-and-branch or compare-and-select) agree with the interpreter's NZCV table: every
    /// condition after every flag-setting form, on operands at the edges of carry, overflow,
    /// sign and zero, in both widths, with the carry in set and clear.
    @Test(arguments: ["subs", "adds", "ands", "adcs", "sbcs", "cmn", "bics"], [false, true])
    func fusedConditionsMatchTheInterpreter(operation: String, narrow: Bool) throws {
        let conditions = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]
        let r = narrow ? "w" : "x"
        let form = operation == "cmn" ? "cmn \(r)1, \(r)2" : "\(operation) \(r)3, \(r)1, \(r)2"
        var source = ""
        for (n, condition) in conditions.enumerated() {
            // csinc (cond ? 0 : 1) into x4-x19, and whether b.cond branches as a bit of x20.
            source += "\(form)\ncsinc x\(4 + n), xzr, xzr, \(condition)\n\(form)\nb.\(condition) 1f\nb 2f\n1: orr x20, x20, #\(1 << n)\n2:\n"
        }
        source += "hvc #0\n"
        let edges: [UInt64] = [0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
                               0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, UInt64.max, 0x1234_5678_9ABC_DEF0]
        let interpreted = try TestMachine(source)
        let m = try Self.translated(source)
        for a in edges {
            for b in edges {
                for carry: UInt64 in [0, 0x2000_0000] {
                    for machine in [interpreted, m] {
                        machine.cpu.reset(entry: TestMachine.ramBase)
                        machine.cpu.setRegister(1, a)
                        machine.cpu.setRegister(2, b)
                        machine.cpu.flags = carry
                        #expect(machine.run() == .firmwareCall(.hvc, immediate: 0))
                    }
                    for n in 3...20 where m[n] != interpreted[n] {
                        Issue.record("\(form) with 0x\(String(a, radix: 16)), 0x\(String(b, radix: 16)), C \(carry != 0): x\(n) 0x\(String(m[n], radix: 16)), interpreter 0x\(String(interpreted[n], radix: 16))")
                    }
                    #expect(m.cpu.flags == interpreted.cpu.flags)
                }
            }
        }
        #expect(m.cpu.translatedBlocks > 0)
    }

    /// An interrupt raised between runs is taken at the next block boundary, before the
    /// translated loop's next instruction.
    @Test func pendingInterruptIsTakenAtTheBoundary() throws {
        let m = try Self.translated("""
            msr daifclr, #2
            loop: add x1, x1, #1
            b loop
            """, vectors: true)
        #expect(m.cpu.run(maxInstructions: 1000) == .budgetExhausted)
        #expect(m.cpu.translatedBlocks > 0)
        let before = m[1]
        m.cpu.setIRQ(true)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 5))
        #expect(m[1] == before)
    }
    #endif
}
