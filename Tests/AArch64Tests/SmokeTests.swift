import AArch64
import Testing

@Suite struct SmokeTests {
    @Test func fibonacci() throws {
        let machine = try TestMachine("""
            mov x0, #0
            mov x1, #1
            mov x2, #50
            1:
            add x3, x0, x1
            mov x0, x1
            mov x1, x3
            subs x2, x2, #1
            b.ne 1b
            hvc #0
            """)
        #expect(machine.run() == .firmwareCall(.hvc, immediate: 0))
        #expect(machine[0] == 12_586_269_025)
    }
}
