import AArch64

/// The ARM PrimeCell PL031 real-time clock (ARM DDI 0224C): a 32-bit seconds counter that
/// starts at the host's wall-clock time, a load register that sets it, and a match register
/// that raises the interrupt when the count reaches it.
public final class PL031: MMIODevice {
    enum Register: UInt64 {
        case dr = 0x00, mr = 0x04, lr = 0x08, cr = 0x0C, imsc = 0x10, ris = 0x14, mis = 0x18, icr = 0x1C
    }

    /// Seconds since 1970 as the guest should see them (wall time, or the virtual clock).
    private let now: () -> UInt64
    /// The interrupt output (SPI 2 on `virt`).
    public var interrupt: InterruptLine = .unconnected

    /// Count = `now() + offset`, truncated to 32 bits.
    private var offset: UInt64 = 0
    private var match: UInt32 = 0
    private var load: UInt32 = 0
    private var interruptMask: UInt32 = 0
    private var rawInterrupt: UInt32 = 0
    /// The count when the match was last checked, so a match is raised once when reached.
    private var lastChecked: UInt32
    private let identification = PrimeCellID(peripheralID: 0x0014_1031)

    public init(now: @escaping () -> UInt64) {
        self.now = now
        lastChecked = UInt32(truncatingIfNeeded: now())
    }

    /// The reset state again (SYSTEM_RESET): the count back at the clock's time, no match, the
    /// interrupt masked and low.
    public func reset() {
        offset = 0
        match = 0
        load = 0
        interruptMask = 0
        rawInterrupt = 0
        lastChecked = UInt32(truncatingIfNeeded: now())
        interrupt.set(false)
    }

    private var count: UInt32 { UInt32(truncatingIfNeeded: now() &+ offset) }

    /// Raises the match interrupt if the count has passed the match value since the last check.
    /// The machine calls it as time advances; reads call it too.
    public func poll() {
        let current = count
        if current != lastChecked {
            // Did the count pass `match` in (lastChecked, current]?
            if match &- lastChecked &- 1 < current &- lastChecked { rawInterrupt = 1 }
            lastChecked = current
        }
        interrupt.set(rawInterrupt & interruptMask != 0)
    }

    public func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
        guard size <= 4 else { return nil }
        if let id = identification.read(offset: offset) { return id }
        guard let register = Register(rawValue: offset) else { return nil }
        poll()
        switch register {
        case .dr: return UInt64(count)
        case .mr: return UInt64(match)
        case .lr: return UInt64(load)
        case .cr: return 1  // the counter always runs
        case .imsc: return UInt64(interruptMask)
        case .ris: return UInt64(rawInterrupt)
        case .mis: return UInt64(rawInterrupt & interruptMask)
        case .icr: return nil
        }
    }

    public func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
        guard size <= 4 else { return false }
        let value = UInt32(truncatingIfNeeded: value)
        guard let register = Register(rawValue: offset) else { return identification.read(offset: offset) != nil }
        switch register {
        case .dr, .ris, .mis, .cr: break  // read-only, or (CR) the counter cannot be stopped
        case .mr: match = value
        case .lr:
            load = value
            self.offset = UInt64(value) &- now()
            lastChecked = value
        case .imsc: interruptMask = value & 1
        case .icr: rawInterrupt &= ~value & 1
        }
        poll()
        return true
    }
}
