import AArch64
import Testing

typealias PT = PageTables

/// Stage 1 translation, faults and TLB maintenance (DDI0487 D5, D8).
@Suite struct MMUTests {
    static let sync: UInt16 = ExceptionTests.currentELSync
    static let lowerSync: UInt16 = ExceptionTests.lowerELSync

    /// A machine whose code runs with the MMU on: RAM identity-mapped as EL1 read/write (the
    /// first 2 MiB, holding code, read-only at EL0 and EL1 when `el0Code`).
    static func machine(_ source: String, el0Code: Bool = false, configure: (PageTables) -> Void = { _ in }) throws -> (TestMachine, PageTables) {
        let m = try TestMachine(withVectors: source)
        let tables = PageTables(m)
        tables.identityMapRAM()
        if el0Code {
            tables.mapBlock(TestMachine.ramBase, to: TestMachine.ramBase,
                            attributes: PT.accessFlag | PT.innerShareable | PT.el0Access | PT.readOnly)
        }
        configure(tables)
        tables.enable()
        return (m, tables)
    }

    /// Loads X0 from the address in X1, then stops.
    static let load = "adr x2, 1f\n1: ldr x0, [x1]\nhvc #100"
    static let store = "adr x2, 1f\n1: str x0, [x1]\nhvc #100"

    // MARK: - Translation faults at every level

    @Test(arguments: [
        (UInt64(0x8000_0000_0000), 0x04 as UInt64),  // no level 0 entry
        (0x1_0000_0000, 0x05),  // no level 1 entry
        (0x4200_0000, 0x06),  // no level 2 entry (RAM is 16 MiB)
        (0x5000_1000, 0x07),  // no level 3 entry
    ])
    func translationFault(address: UInt64, status: UInt64) throws {
        let (m, _) = try Self.machine(Self.load) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)  // creates the level 3 table
        }
        m.cpu.setRegister(1, address)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.exceptionClass == 0x25)
        #expect(m.faultStatus == status)
        #expect(m.far == address)
        #expect(m.esr & (1 << 6) == 0)  // WnR: a read
        #expect(m.elr == m[2])
    }

    @Test func storeFaultsSetWnR() throws {
        let (m, _) = try Self.machine(Self.store)
        m.cpu.setRegister(1, 0x1_0000_0008)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.esr == 0x9600_0045)  // EC 0x25, IL, WnR, level 1 translation fault
    }

    @Test func instructionAbortAtEveryLevel() throws {
        for (address, status) in [(UInt64(0x8000_0000_0000), UInt64(0x04)), (0x1_0000_0000, 0x05), (0x4200_0000, 0x06)] {
            let (m, _) = try Self.machine("br x1")
            m.cpu.setRegister(1, address)
            #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
            #expect(m.exceptionClass == 0x21)
            #expect(m.faultStatus == status)
            #expect(m.far == address)
            #expect(m.elr == address)
        }
    }

    // MARK: - Access flag

    @Test func accessFlagFaultsAtEveryLevel() throws {
        let (m, tables) = try Self.machine(Self.load) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.innerShareable)  // AF clear
            tables.set(0x8000_0000, level: 1, descriptor: 0x4000_0000 | PT.innerShareable | PT.valid)  // 1 GiB block
            tables.mapBlock(0x6000_0000, to: 0x4040_0000, attributes: PT.innerShareable)  // 2 MiB block
        }
        _ = tables
        for (address, status) in [(UInt64(0x5000_0008), UInt64(0x0B)), (0x8000_0010, 0x09), (0x6000_0018, 0x0A)] {
            m.cpu.setRegister(1, address)
            m.cpu.setPC(TestMachine.ramBase)
            #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
            #expect(m.faultStatus == status)
            #expect(m.far == address)
        }
    }

    // MARK: - Permissions

    @Test func writeToReadOnlyPage() throws {
        let (m, _) = try Self.machine(Self.store) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.readOnly)
        }
        m.cpu.setRegister(1, 0x5000_0010)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.esr == 0x9600_004F)  // permission fault, level 3, WnR
        #expect(m.far == 0x5000_0010)
    }

    @Test func readOnlyPageIsReadable() throws {
        let (m, _) = try Self.machine(Self.load) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.readOnly)
        }
        m.write64(0x1122_3344_5566_7788, at: 0x4030_0010)
        m.cpu.setRegister(1, 0x5000_0010)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(m[0] == 0x1122_3344_5566_7788)
    }

    @Test func el0CannotReadEL1OnlyPages() throws {
        let (m, _) = try Self.machine(ExceptionTests.toEL0 + "ldr x0, [x1]\nsvc #0", el0Code: true) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)  // AP = 00: EL1 only
        }
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerSync))
        #expect(m.exceptionClass == 0x24)  // data abort from a lower EL
        #expect(m.faultStatus == 0x0F)
    }

    @Test func el0ReadsEL0Pages() throws {
        let (m, _) = try Self.machine(ExceptionTests.toEL0 + "ldr x0, [x1]\nsvc #0", el0Code: true) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.el0Access)
        }
        m.write64(42, at: 0x4030_0000)
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerSync))
        #expect(m.exceptionClass == 0x15)  // the SVC: the load worked
        #expect(m[0] == 42)
    }

    @Test func unprivilegedLoadAtEL1UsesEL0Permissions() throws {
        let (m, _) = try Self.machine("adr x2, 1f\n1: ldtr x0, [x1]\nhvc #100") { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)  // EL1 only
        }
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.exceptionClass == 0x25)
        #expect(m.faultStatus == 0x0F)
    }

    @Test func executeNeverBits() throws {
        // PXN: EL1 cannot execute. A page writable at EL0 is never executable at EL1.
        for attributes in [PT.accessFlag | PT.pxn, PT.accessFlag | PT.el0Access] {
            let (m, _) = try Self.machine("br x1") { tables in
                tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: attributes)
            }
            m.cpu.setRegister(1, 0x5000_0000)
            #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
            #expect(m.exceptionClass == 0x21)
            #expect(m.faultStatus == 0x0F)
        }
        // UXN: EL0 cannot execute.
        let (m, _) = try Self.machine(ExceptionTests.toEL0 + "br x1", el0Code: true) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.el0Access | PT.readOnly | PT.uxn)
        }
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.lowerSync))
        #expect(m.exceptionClass == 0x20)
        #expect(m.faultStatus == 0x0F)
    }

    @Test func writeImpliesExecuteNeverUnderWXN() throws {
        // The code is read-only: under WXN, writable RAM is never executable (D5.4.6).
        let (m, _) = try Self.machine("br x1", el0Code: true) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)
        }
        m.cpu.setSystemRegister(SystemRegisterEncoding.SCTLR_EL1, m.cpu.systemRegister(SystemRegisterEncoding.SCTLR_EL1)! | 1 << 19)
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.exceptionClass == 0x21)
        #expect(m.faultStatus == 0x0F)
    }

    @Test func hierarchicalAPTable() throws {
        // APTable[1] (read-only) in the level 2 table descriptor applies to the pages below it.
        let (m, tables) = try Self.machine(Self.store) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)
        }
        let level2 = tables.tableAddress(for: 0x5000_0000, level: 2)
        let index = (UInt64(0x5000_0000) >> 21) & 0x1FF
        m.write64(m.read64(level2 + index * 8) | 1 << 62, at: level2 + index * 8)
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x0F)
    }

    // MARK: - External aborts and address size

    /// Regression: an unaligned access to the first page of the address space once matched an
    /// empty fast TLB entry and dereferenced a host pointer made of the guest address.
    @Test(arguments: [UInt64(1), 0x9, 0xE9])
    func unalignedAccessToPageZeroIsAGuestFault(address: UInt64) throws {
        let m = try TestMachine(withVectors: Self.load)
        m.cpu.setRegister(1, address)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x21)  // MMU off: Device memory, so unaligned is an alignment fault
        #expect(m.far == address)
    }

    @Test func externalAbortOnAnUnbackedAddress() throws {
        let (m, _) = try Self.machine(Self.load) { tables in
            tables.mapPage(0x5000_0000, to: 0x1000_0000)  // nothing at 0x1000_0000
        }
        m.cpu.setRegister(1, 0x5000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x10)
        #expect(m.far == 0x5000_0000)
    }

    @Test func externalAbortOnTheTableWalk() throws {
        let (m, tables) = try Self.machine(Self.load)
        // A level 1 table descriptor whose level 2 table is at an address with nothing there.
        let level1 = tables.tableAddress(for: 0x8000_0000, level: 1)
        m.write64(0x2000_0000 | 3, at: level1 + 2 * 8)
        m.cpu.setRegister(1, 0x8000_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x16)  // synchronous external abort on a walk, level 2
    }

    @Test func addressSizeFaultWithTheMMUOff() throws {
        let m = try TestMachine(withVectors: Self.load)
        m.cpu.setRegister(1, 1 << 40)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x00)
    }

    // MARK: - Alignment

    @Test func deviceMemoryFaultsUnalignedAccessesAndNormalMemoryDoesNot() throws {
        // MMU off: data accesses are Device-nGnRnE (DDI0487 D5.2.9), so an unaligned load faults.
        // QEMU 5 (Unicorn) does not fault here; the ARM ARM requires it.
        let off = try TestMachine(withVectors: Self.load)
        off.cpu.setRegister(1, 0x4010_0001)
        #expect(off.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(off.faultStatus == 0x21)
        #expect(off.far == 0x4010_0001)
        // MMU on, Normal memory: the same load works and crosses a page boundary.
        let (on, _) = try Self.machine(Self.load)
        on.write64(0x8877_6655_4433_2211, at: 0x4010_0FFC)
        on.cpu.setRegister(1, 0x4010_0FFC)
        #expect(on.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(on[0] == 0x8877_6655_4433_2211)
        // MMU on, a page with the Device attribute: faults again.
        let (device, _) = try Self.machine(Self.load) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.device)
        }
        device.cpu.setRegister(1, 0x5000_0004)
        #expect(device.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(device.faultStatus == 0x21)
    }

    @Test func sctlrAFaultsEveryUnalignedAccess() throws {
        let (m, _) = try Self.machine(Self.load)
        m.cpu.setSystemRegister(SystemRegisterEncoding.SCTLR_EL1, m.cpu.systemRegister(SystemRegisterEncoding.SCTLR_EL1)! | 2)
        m.cpu.setRegister(1, 0x4010_0002)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x21)
    }

    // MARK: - TLB maintenance

    /// Maps 0x5000_0000 to one of two pages holding 0xAAAA and 0xBBBB.
    static func twoPages(_ m: TestMachine) {
        m.write64(0xAAAA, at: 0x4030_0000)
        m.write64(0xBBBB, at: 0x4031_0000)
    }

    @Test func staleTranslationUntilTLBIVAE1() throws {
        let (m, tables) = try Self.machine("ldr x0, [x1]\nhvc #1\nldr x0, [x1]\nhvc #2\ntlbi vae1, x3\ndsb ish\nldr x0, [x1]\nhvc #3")
        Self.twoPages(m)
        tables.mapPage(0x5000_0000, to: 0x4030_0000)
        m.cpu.setRegister(1, 0x5000_0000)
        m.cpu.setRegister(3, 0x5000_0000 >> 12)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[0] == 0xAAAA)
        tables.mapPage(0x5000_0000, to: 0x4031_0000)  // changed without TLB maintenance
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[0] == 0xAAAA)  // the TLB still holds the old translation
        #expect(m.run() == .firmwareCall(.hvc, immediate: 3))
        #expect(m[0] == 0xBBBB)
    }

    @Test func translationsAreTaggedByASID() throws {
        let (m, tables) = try Self.machine("""
            ldr x0, [x1]        // ASID 1: caches PA 0x40300000
            hvc #1
            msr ttbr0_el1, x5   // ASID 2
            isb
            ldr x0, [x1]        // walks again: sees the new descriptor
            hvc #2
            msr ttbr0_el1, x4   // back to ASID 1
            isb
            ldr x0, [x1]        // ASID 1's entry is still there
            hvc #3
            tlbi aside1, x6     // drop ASID 1's entries
            dsb ish
            ldr x0, [x1]
            hvc #4
            """) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.notGlobal)
        }
        Self.twoPages(m)
        m.cpu.setSystemRegister(SystemRegisterEncoding.TTBR0_EL1, tables.root | 1 << 48)
        m.cpu.setRegister(1, 0x5000_0000)
        m.cpu.setRegister(4, tables.root | 1 << 48)
        m.cpu.setRegister(5, tables.root | 2 << 48)
        m.cpu.setRegister(6, 1 << 48)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[0] == 0xAAAA)
        tables.mapPage(0x5000_0000, to: 0x4031_0000, attributes: PT.accessFlag | PT.notGlobal)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[0] == 0xBBBB)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 3))
        #expect(m[0] == 0xAAAA)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 4))
        #expect(m[0] == 0xBBBB)
    }

    @Test func globalEntriesMatchEveryASIDUntilTLBIVAAE1() throws {
        let (m, tables) = try Self.machine("""
            ldr x0, [x1]
            hvc #1
            msr ttbr0_el1, x5
            isb
            tlbi aside1, x5     // ASID 2's non-global entries only
            ldr x0, [x1]
            hvc #2
            tlbi vaae1, x3      // this address, any ASID
            dsb ish
            ldr x0, [x1]
            hvc #3
            """) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000)  // global (nG = 0)
        }
        Self.twoPages(m)
        m.cpu.setSystemRegister(SystemRegisterEncoding.TTBR0_EL1, tables.root | 1 << 48)
        m.cpu.setRegister(1, 0x5000_0000)
        m.cpu.setRegister(3, 0x5000_0000 >> 12)
        m.cpu.setRegister(5, tables.root | 2 << 48)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        tables.mapPage(0x5000_0000, to: 0x4031_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[0] == 0xAAAA)  // the global entry from ASID 1 serves ASID 2
        #expect(m.run() == .firmwareCall(.hvc, immediate: 3))
        #expect(m[0] == 0xBBBB)
    }

    @Test func tlbiVMALLE1DropsEverything() throws {
        let (m, tables) = try Self.machine("ldr x0, [x1]\nhvc #1\ntlbi vmalle1\ndsb ish\nldr x0, [x1]\nhvc #2") { tables in
            tables.mapBlock(0x5000_0000, to: 0x4020_0000)
        }
        m.write64(0xAAAA, at: 0x4020_0100)
        m.write64(0xBBBB, at: 0x4040_0100)
        m.cpu.setRegister(1, 0x5000_0100)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[0] == 0xAAAA)
        tables.mapBlock(0x5000_0000, to: 0x4040_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[0] == 0xBBBB)
    }

    @Test func tlbiByAddressInsideABlockDropsTheBlock() throws {
        // A 2 MiB block cached through one 4 KiB page is dropped by a TLBI of another page in it.
        let (m, tables) = try Self.machine("ldr x0, [x1]\nhvc #1\ntlbi vae1, x3\ndsb ish\nldr x0, [x1]\nhvc #2") { tables in
            tables.mapBlock(0x5000_0000, to: 0x4020_0000)
        }
        m.write64(0xAAAA, at: 0x4020_0100)
        m.write64(0xBBBB, at: 0x4040_0100)
        m.cpu.setRegister(1, 0x5000_0100)
        m.cpu.setRegister(3, 0x5010_0000 >> 12)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        tables.mapBlock(0x5000_0000, to: 0x4040_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 2))
        #expect(m[0] == 0xBBBB)
    }

    @Test func innerShareableTLBIIsBroadcast() throws {
        let (m, _) = try Self.machine("tlbi vae1is, x3\ntlbi aside1is, x4\ntlbi vmalle1is\nic ialluis\nhvc #1")
        var seen: [BroadcastOperation] = []
        m.cpu.broadcast = { seen.append($0) }
        m.cpu.setRegister(3, 7 << 48 | 0x5000_0000 >> 12)
        m.cpu.setRegister(4, 7 << 48)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(seen == [.tlbInvalidate(.address(0x5000_0000, asid: 7)), .tlbInvalidate(.asid(7)),
                         .tlbInvalidate(.all), .instructionCacheInvalidateAll])
    }

    // MARK: - Address translation instructions

    @Test func atWritesPAR() throws {
        let (m, _) = try Self.machine("""
            at s1e1r, x1
            mrs x10, par_el1
            at s1e1w, x2
            mrs x11, par_el1
            at s1e0r, x1
            mrs x12, par_el1
            at s1e1r, x3
            mrs x13, par_el1
            hvc #1
            """) { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.innerShareable | PT.el0Access)
            tables.mapPage(0x5000_1000, to: 0x4031_0000, attributes: PT.accessFlag | PT.readOnly | PT.device)
        }
        m.cpu.setRegister(1, 0x5000_0123)
        m.cpu.setRegister(2, 0x5000_1000)
        m.cpu.setRegister(3, 0x5000_2000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        #expect(m[10] == 0xFF00_0000_4030_0180)  // Normal WB attributes, PA, SH = inner
        #expect(m[11] == 0x0000_0000_0000_001F)  // F = 1, FST = permission fault level 3
        #expect(m[12] == 0xFF00_0000_4030_0180)  // EL0 may read this page
        #expect(m[13] == 0x0000_0000_0000_000F)  // F = 1, FST = translation fault level 3
    }

    // MARK: - Top byte ignore

    @Test func topByteIgnore() throws {
        let (m, _) = try Self.machine(Self.load)
        m.write64(77, at: 0x4010_0000)
        m.cpu.setRegister(1, 0x5A00_0000_4010_0000)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.faultStatus == 0x04)  // without TBI the tag makes the address invalid
        let (tagged, _) = try Self.machine(Self.load)
        tagged.cpu.setSystemRegister(SystemRegisterEncoding.TCR_EL1, tagged.cpu.systemRegister(SystemRegisterEncoding.TCR_EL1)! | 1 << 37)
        tagged.write64(77, at: 0x4010_0000)
        tagged.cpu.setRegister(1, 0x5A00_0000_4010_0000)
        #expect(tagged.run() == .firmwareCall(.hvc, immediate: 100))
        #expect(tagged[0] == 77)
    }

    @Test func dcZVAZeroes64AlignedBytes() throws {
        let (m, _) = try Self.machine("dc zva, x1\nhvc #1")
        for offset in stride(from: UInt64(0), to: 128, by: 8) { m.write64(~0, at: 0x4010_0000 + offset) }
        m.cpu.setRegister(1, 0x4010_0050)
        #expect(m.run() == .firmwareCall(.hvc, immediate: 1))
        for offset in stride(from: UInt64(0), to: 128, by: 8) {
            #expect(m.read64(0x4010_0000 + offset) == (offset >= 0x40 && offset < 0x80 ? 0 : ~0), "offset \(offset)")
        }
    }

    /// DC ZVA on a read-only page faults as a store: WnR set and CM clear (ESR_EL1 ISS.CM),
    /// which is what lets Linux resolve the fault by breaking copy-on-write.
    @Test func dcZVAPermissionFaultIsAWrite() throws {
        let (m, _) = try Self.machine("dc zva, x1\nhvc #1") { tables in
            tables.mapPage(0x5000_0000, to: 0x4030_0000, attributes: PT.accessFlag | PT.readOnly)
        }
        m.cpu.setRegister(1, 0x5000_0048)
        #expect(m.run() == .firmwareCall(.hvc, immediate: Self.sync))
        #expect(m.esr == 0x9600_004F)  // EC 0x25, IL, WnR, CM = 0, permission fault level 3
        #expect(m.far == 0x5000_0048)  // the register's address, not the block's
    }
}
