import AArch64
import Testing

/// The local and global exclusive monitors (DDI0487 B2.9) and their event, with two vCPUs on one
/// memory. The first vCPU runs a program in steps separated by `HVC #n`; the second writes in
/// between.
@Suite struct ExclusiveMonitorTests {
    /// The lock word, and another word in the same 64-byte reservation granule.
    static let word: UInt64 = 0x4030_0000
    static let sameGranule: UInt64 = 0x4030_0038
    static let nextGranule: UInt64 = 0x4030_0040

    /// A machine with the MMU on (RAM identity-mapped, Normal memory) whose first vCPU loads
    /// exclusively from X1 (HVC #1), then store-exclusives X3 there with the status in W2
    /// (HVC #2).
    static func machine(_ program: String = "ldxr x0, [x1]\nhvc #1\nstxr w2, x3, [x1]\nhvc #2") throws -> TestMachine {
        let m = try TestMachine(withVectors: program)
        let tables = PageTables(m)
        tables.identityMapRAM()
        tables.enable()
        m.write64(7, at: word)
        m.cpu.setRegister(1, word)
        m.cpu.setRegister(3, 99)
        return m
    }

    /// A second vCPU that runs `source` once and stops with HVC #0.
    static func writer(_ m: TestMachine, _ source: String) throws -> AArch64CPU {
        try m.addCPU(source + "\nhvc #0", at: 0x4020_0000)
    }

    @Test func storeExclusiveSucceedsWhenNothingIntervenes() throws {
        let m = try Self.machine()
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[0] == 7)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 0)
        #expect(m.read64(Self.word) == 99)
    }

    @Test func storeExclusiveFailsWithoutAReservation() throws {
        let m = try Self.machine("stxr w2, x3, [x1]\nhvc #2")
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
        #expect(m.read64(Self.word) == 7)
    }

    @Test(arguments: [
        "clrex",  // CLREX clears the local monitor
        "add x1, x1, #8",  // another address in the granule: local monitor mismatch
        "str x0, [x1]",  // this vCPU's own store to the granule (the cleared variant of an IMPDEF choice)
    ])
    func storeExclusiveFailsAfter(_ interloper: String) throws {
        let m = try Self.machine("ldxr x0, [x1]\n\(interloper)\nstxr w2, x3, [x1]\nhvc #2")
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
        #expect(m.read64(Self.word) != 99)
    }

    @Test func exceptionReturnClearsTheLocalMonitor() throws {
        let m = try Self.machine("""
            ldxr x0, [x1]
            adr x4, 1f
            msr elr_el1, x4
            mov x4, #0x3C5
            msr spsr_el1, x4
            eret
            1: stxr w2, x3, [x1]
            hvc #2
            """)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    @Test(arguments: [Self.word, Self.sameGranule])
    func anotherVCPUsStoreToTheGranuleClearsTheReservation(address: UInt64) throws {
        let m = try Self.machine()
        let other = try Self.writer(m, "str x5, [x4]")
        other.setRegister(4, address)
        other.setRegister(5, 0x55)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.cpu.eventRegister == false)
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        // The global monitor went from Exclusive to Open: an event for the first vCPU.
        #expect(m.cpu.eventRegister == true)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    @Test func storesToAnotherGranuleLeaveTheReservation() throws {
        let m = try Self.machine()
        let other = try Self.writer(m, "str x5, [x4]")
        other.setRegister(4, Self.nextGranule)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.eventRegister == false)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 0)
        #expect(m.read64(Self.word) == 99)
    }

    /// A deliberate difference from QEMU (and so Unicorn), whose monitor compares values: there,
    /// another vCPU writing a new value and then the old one back (ABA) lets the store-exclusive
    /// succeed. The architecture's global monitor is cleared by the first write.
    @Test func abaIsDetected() throws {
        let m = try Self.machine()
        let other = try Self.writer(m, "mov x5, #8\nstr x5, [x4]\nmov x5, #7\nstr x5, [x4]")
        other.setRegister(4, Self.word)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.read64(Self.word) == 7)  // the value the first vCPU loaded
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
        #expect(m.read64(Self.word) == 7)
    }

    /// The second vCPU's fast-path write entry for the page exists before the reservation is
    /// made; the reservation must still see its next store.
    @Test func storesThroughAnEarlierFastTLBEntryAreSeen() throws {
        let m = try Self.machine()
        let other = try Self.writer(m, "str x5, [x6]\nhvc #1\nstr x5, [x4]")
        other.setRegister(4, Self.word)
        other.setRegister(6, Self.word + 0x800)  // same page, another granule
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 1))  // fills its write TLB
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))  // reserves
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    @Test(arguments: ["ldadd x5, x6, [x4]", "swp x5, x6, [x4]", "cas x6, x5, [x4]", "stlr x5, [x4]", "stp x5, x5, [x4]", "dc zva, x4"])
    func atomicsAndOtherWritesClearTheReservation(_ write: String) throws {
        let m = try Self.machine()
        let other = try Self.writer(m, write)
        other.setRegister(4, Self.word & ~0x3F)
        other.setRegister(5, 1)
        other.setRegister(6, 7)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    @Test func aLoaderOrDeviceWriteClearsTheReservation() throws {
        let m = try Self.machine()
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        m.write64(7, at: Self.word)
        #expect(m.cpu.eventRegister == true)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    @Test func twoVCPUsRaceAndOnlyOneWins() throws {
        let m = try Self.machine()
        let other = try Self.writer(m, "ldxr x0, [x4]\nhvc #1\nstxr w2, x5, [x4]")
        other.setRegister(4, Self.word)
        other.setRegister(5, 55)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(other.register(2) == 0)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
        #expect(m.read64(Self.word) == 55)
    }

    @Test func pairsReserveTheirWholeSize() throws {
        let m = try Self.machine("ldxp x0, x6, [x1]\nhvc #1\nstxp w2, x3, x3, [x1]\nhvc #2")
        let other = try Self.writer(m, "str w5, [x4]")
        other.setRegister(4, Self.word + 12)  // the second register's upper half
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    /// WFE after arming the monitor sleeps until another vCPU changes the word: the pattern of
    /// Linux's `__cmpwait` (LDXR, compare, WFE).
    @Test func wfeWakesWhenTheReservationIsCleared() throws {
        let m = try Self.machine("sevl\nwfe\nldxr x0, [x1]\nwfe\nhvc #2")
        let other = try Self.writer(m, "str x5, [x4]")
        other.setRegister(4, Self.word)
        #expect(m.run() == .waitForEvent)  // the SEVL's event was consumed; now it waits
        #expect(m.run(other) == .firmwareCall(.hvc, immediate: 0))
        #expect(m.cpu.eventRegister == true)
        // The machine resumes the vCPU because its event register is set: WFE completes.
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
    }

    /// When the monitors fail, whether the abort the store would have caused is taken is
    /// IMPLEMENTATION DEFINED; Conduit reports failure without one, for unaligned and for
    /// unmapped addresses alike.
    @Test(arguments: [Self.word + 4, 0x1_0000_0000])
    func storeExclusiveWithoutAReservationDoesNotFault(address: UInt64) throws {
        let m = try Self.machine("stxr w2, x3, [x1]\nhvc #2")
        m.cpu.setRegister(1, address)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[2] == 1)
    }

    /// With the reservation held, the store's translation fault is taken (here the page went
    /// away between the load and the store, and the TLB was invalidated).
    @Test func storeExclusiveTakesTheFaultWhenTheMonitorPasses() throws {
        let m = try Self.machine("ldxr x0, [x1]\nhvc #1\nstxr w2, x3, [x1]\nhvc #2")
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        let tables = PageTables(m)
        tables.set(Self.word, level: 2, descriptor: 0)  // unmap the 2 MiB block
        m.cpu.invalidateTLB(.all)
        #expect(m.run() == .firmwareCall(.hvc, immediate: ExceptionTests.currentELSync))
        #expect(m.exceptionClass == 0x25)
        #expect(m.faultStatus == 0x06)
        #expect(m.esr & (1 << 6) != 0)
    }
}
