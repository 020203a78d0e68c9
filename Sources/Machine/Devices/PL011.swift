import AArch64

/// The ARM PrimeCell PL011 UART (ARM DDI 0183G), as QEMU models it: transmission is immediate,
/// the receive FIFO holds 16 characters (one without FEN), and the receive interrupt is raised
/// while data waits (QEMU's trigger level of one character).
///
/// Everything the Linux `amba-pl011` driver touches is here: DR, RSR/ECR, FR, ILPR, IBRD, FBRD,
/// LCR_H, CR, IFLS, IMSC, RIS, MIS, ICR, DMACR and the PrimeCell ID registers.
public final class PL011: MMIODevice {
    /// Register offsets (DDI 0183G, 3.2 "Summary of registers").
    enum Register: UInt64 {
        case dr = 0x000, rsr = 0x004, fr = 0x018, ilpr = 0x020, ibrd = 0x024, fbrd = 0x028
        case lcrH = 0x02C, cr = 0x030, ifls = 0x034, imsc = 0x038, ris = 0x03C, mis = 0x040
        case icr = 0x044, dmacr = 0x048
    }

    /// Flag register bits.
    enum Flag {
        static let busy: UInt32 = 1 << 3
        static let rxFIFOEmpty: UInt32 = 1 << 4
        static let txFIFOFull: UInt32 = 1 << 5
        static let rxFIFOFull: UInt32 = 1 << 6
        static let txFIFOEmpty: UInt32 = 1 << 7
    }

    /// Interrupt bits of RIS, MIS, IMSC and ICR.
    public enum Interrupt {
        public static let receive: UInt32 = 1 << 4
        public static let transmit: UInt32 = 1 << 5
        public static let receiveTimeout: UInt32 = 1 << 6
    }

    static let fifoDepth = 16
    static let fifoEnable: UInt32 = 1 << 4  // LCR_H.FEN

    /// Where transmitted bytes go.
    public var transmit: (UInt8) -> Void
    /// The interrupt output (SPI 1 on `virt`).
    public var interrupt: InterruptLine = .unconnected

    private var receiveFIFO: [UInt16] = []
    private var receiveStatus: UInt32 = 0
    private var ilpr: UInt32 = 0
    private var ibrd: UInt32 = 0
    private var fbrd: UInt32 = 0
    private var lineControl: UInt32 = 0
    /// CR out of reset: TXE and RXE set, UARTEN clear (DDI 0183G 3.3.8).
    static let resetControl: UInt32 = 0x300
    /// IFLS out of reset: both trigger levels at half full (DDI 0183G 3.3.9).
    static let resetFIFOLevels: UInt32 = 0x12
    private var control = resetControl
    private var fifoLevels = resetFIFOLevels
    private var interruptMask: UInt32 = 0
    private var rawInterrupts: UInt32 = 0
    private var dmaControl: UInt32 = 0
    private let identification = PrimeCellID(peripheralID: 0x0014_1011)

    public init(transmit: @escaping (UInt8) -> Void) {
        self.transmit = transmit
    }

    /// The reset state again (SYSTEM_RESET): FIFOs empty, every register at its reset value,
    /// the interrupt output low.
    public func reset() {
        receiveFIFO.removeAll()
        receiveStatus = 0
        ilpr = 0
        ibrd = 0
        fbrd = 0
        lineControl = 0
        control = Self.resetControl
        fifoLevels = Self.resetFIFOLevels
        interruptMask = 0
        rawInterrupts = 0
        dmaControl = 0
        updateInterrupt()
    }

    /// Whether the receive FIFO can take another character (the console stops reading when not).
    public var canReceive: Bool { receiveFIFO.count < receiveCapacity }

    private var receiveCapacity: Int { lineControl & Self.fifoEnable != 0 ? Self.fifoDepth : 1 }

    /// A character from the outside world (the console). Dropped, as on hardware with an
    /// overrun, when the FIFO is full.
    public func receive(_ byte: UInt8) {
        guard canReceive else {
            receiveStatus |= 1 << 3  // overrun
            return
        }
        receiveFIFO.append(UInt16(byte))
        rawInterrupts |= Interrupt.receive
        updateInterrupt()
    }

    /// The level of the interrupt output: any unmasked raw interrupt.
    public var interruptAsserted: Bool { rawInterrupts & interruptMask != 0 }

    private func updateInterrupt() { interrupt.set(interruptAsserted) }

    private var flags: UInt32 {
        var flags = Flag.txFIFOEmpty
        if receiveFIFO.isEmpty { flags |= Flag.rxFIFOEmpty }
        if receiveFIFO.count >= receiveCapacity { flags |= Flag.rxFIFOFull }
        return flags
    }

    public func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
        guard size <= 4 else { return nil }
        if let id = identification.read(offset: offset) { return id }
        guard let register = Register(rawValue: offset) else { return nil }
        switch register {
        case .dr:
            guard !receiveFIFO.isEmpty else { return 0 }
            let value = receiveFIFO.removeFirst()
            if receiveFIFO.isEmpty {
                rawInterrupts &= ~(Interrupt.receive | Interrupt.receiveTimeout)
                updateInterrupt()
            }
            return UInt64(value)
        case .rsr: return UInt64(receiveStatus)
        case .fr: return UInt64(flags)
        case .ilpr: return UInt64(ilpr)
        case .ibrd: return UInt64(ibrd)
        case .fbrd: return UInt64(fbrd)
        case .lcrH: return UInt64(lineControl)
        case .cr: return UInt64(control)
        case .ifls: return UInt64(fifoLevels)
        case .imsc: return UInt64(interruptMask)
        case .ris: return UInt64(rawInterrupts)
        case .mis: return UInt64(rawInterrupts & interruptMask)
        case .icr: return nil  // write-only
        case .dmacr: return UInt64(dmaControl)
        }
    }

    public func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
        guard size <= 4 else { return false }
        let value = UInt32(truncatingIfNeeded: value)
        guard let register = Register(rawValue: offset) else {
            // The ID registers are read-only; writes are ignored, as QEMU does.
            return identification.read(offset: offset) != nil
        }
        switch register {
        case .dr:
            // Transmission completes at once, so the transmit interrupt is raised at once.
            transmit(UInt8(truncatingIfNeeded: value))
            rawInterrupts |= Interrupt.transmit
        case .rsr: receiveStatus = 0
        case .fr, .ris, .mis: break  // read-only
        case .ilpr: ilpr = value & 0xFF
        case .ibrd: ibrd = value & 0xFFFF
        case .fbrd: fbrd = value & 0x3F
        case .lcrH:
            // Changing FEN empties the FIFOs (DDI 0183G 3.3.7).
            if (lineControl ^ value) & Self.fifoEnable != 0 { receiveFIFO.removeAll() }
            lineControl = value & 0xFF
        case .cr: control = value & 0xFF87
        case .ifls: fifoLevels = value & 0x3F
        case .imsc: interruptMask = value & 0x7FF
        case .icr: rawInterrupts &= ~value
        case .dmacr: dmaControl = value & 7
        }
        if !receiveFIFO.isEmpty { rawInterrupts |= Interrupt.receive }
        updateInterrupt()
        return true
    }
}
