import Machine
import Testing

/// The PrimeCell devices' registers, as the Linux drivers and the ARM TRMs expect them
/// (DDI 0183G for the PL011, DDI 0224C for the PL031; ID bytes as QEMU's).
struct DeviceTests {
    @Test func pl011ResetValuesAndIdentification() {
        let uart = PL011 { _ in }
        #expect(uart.read(offset: 0x018, size: 4, cpu: 0) == 0x90)   // FR: TXFE | RXFE
        #expect(uart.read(offset: 0x030, size: 4, cpu: 0) == 0x300)  // CR: TXE | RXE
        #expect(uart.read(offset: 0x034, size: 4, cpu: 0) == 0x12)   // IFLS
        let ids = stride(from: UInt64(0xFE0), through: 0xFFC, by: 4).map { uart.read(offset: $0, size: 4, cpu: 0) }
        #expect(ids == [0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1])
        #expect(uart.read(offset: 0x044, size: 4, cpu: 0) == nil)    // ICR is write-only
        #expect(uart.read(offset: 0x000, size: 8, cpu: 0) == nil)    // no 64-bit accesses
    }

    @Test func pl011TransmitsAndRaisesItsInterrupts() {
        var sent: [UInt8] = []
        var line = false
        let uart = PL011 { sent.append($0) }
        uart.interrupt = InterruptLine { line = $0 }
        #expect(uart.write(offset: 0x038, size: 4, value: 0x30, cpu: 0))  // IMSC: RX | TX
        #expect(uart.write(offset: 0x000, size: 4, value: 0x41, cpu: 0))
        #expect(sent == [0x41])
        #expect(line)
        #expect(uart.read(offset: 0x040, size: 4, cpu: 0) == 0x20)        // MIS: TX
        #expect(uart.write(offset: 0x044, size: 4, value: 0x20, cpu: 0))  // ICR
        #expect(!line)

        uart.receive(0x7A)
        #expect(line)
        #expect(uart.read(offset: 0x018, size: 4, cpu: 0)! & 0x10 == 0)   // RXFE clear
        #expect(uart.read(offset: 0x000, size: 4, cpu: 0) == 0x7A)
        #expect(!line)
        #expect(uart.read(offset: 0x018, size: 4, cpu: 0)! & 0x10 != 0)
    }

    @Test func pl011OverrunsWithoutTheFIFO() {
        let uart = PL011 { _ in }
        uart.receive(1)
        #expect(!uart.canReceive)  // one character without LCR_H.FEN
        uart.receive(2)
        #expect(uart.read(offset: 0x004, size: 4, cpu: 0) == 8)  // RSR: overrun
        #expect(uart.write(offset: 0x02C, size: 4, value: 0x10, cpu: 0))  // FEN empties the FIFO
        for byte in 0..<16 { uart.receive(UInt8(byte)) }
        #expect(!uart.canReceive)
        #expect(uart.read(offset: 0x018, size: 4, cpu: 0)! & 0x40 != 0)  // RXFF
    }

    @Test func pl031CountsSecondsFromItsLoadValueAndMatches() {
        var seconds: UInt64 = 1_000
        var line = false
        let rtc = PL031 { seconds }
        rtc.interrupt = InterruptLine { line = $0 }
        #expect(rtc.read(offset: 0x00, size: 4, cpu: 0) == 1_000)
        #expect(rtc.read(offset: 0x0C, size: 4, cpu: 0) == 1)  // CR: always started
        #expect(rtc.write(offset: 0x08, size: 4, value: 50, cpu: 0))  // LR
        seconds += 5
        #expect(rtc.read(offset: 0x00, size: 4, cpu: 0) == 55)
        #expect(rtc.write(offset: 0x04, size: 4, value: 57, cpu: 0))  // MR
        #expect(rtc.write(offset: 0x10, size: 4, value: 1, cpu: 0))   // IMSC
        seconds += 1
        rtc.poll()
        #expect(!line)
        seconds += 1
        rtc.poll()
        #expect(line)
        #expect(rtc.read(offset: 0x18, size: 4, cpu: 0) == 1)  // MIS
        #expect(rtc.write(offset: 0x1C, size: 4, value: 1, cpu: 0))  // ICR
        #expect(!line)
        let ids = stride(from: UInt64(0xFE0), through: 0xFFC, by: 4).map { rtc.read(offset: $0, size: 4, cpu: 0) }
        #expect(ids == [0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1])
    }

    /// QEMU virt's 32 empty virtio-mmio transports: magic "virt", version 2, device ID 0 ("no
    /// device", Virtio 1.2 §4.2.2), vendor "QEMU"; other registers read as zero, writes ignored.
    @Test func virtioTransportsAnswerWithNoDevice() throws {
        let harness = try MachineHarness("""
            ldr x1, =0x0a000000
            ldr x9, =SCRATCH
            ldr w2, [x1]
            str w2, [x9]
            ldr w2, [x1, #4]
            str w2, [x9, #4]
            ldr w2, [x1, #8]
            str w2, [x9, #8]
            ldr w2, [x1, #12]
            str w2, [x9, #12]
            ldr x1, =0x0a003e00           // the last transport
            mov w2, #1
            str w2, [x1, #0x70]           // Status: ignored
            ldr w2, [x1]
            str w2, [x9, #16]
            ldr w2, [x1, #0x70]
            str w2, [x9, #20]
            ldr x0, =PSCI_SYSTEM_OFF
            hvc #0
            """)
        #expect(harness.run() == .systemOff)
        #expect(harness.scratch32(0) == 0x7472_6976)
        #expect(harness.scratch32(1) == 2)
        #expect(harness.scratch32(2) == 0)
        #expect(harness.scratch32(3) == 0x554D_4551)
        #expect(harness.scratch32(4) == 0x7472_6976)
        #expect(harness.scratch32(5) == 0)
    }
}
