import AArch64

/// QEMU `virt`'s virtio-mmio transports with nothing plugged in (Virtio 1.2 §4.2.2, "MMIO
/// Device Register Layout"): each answers MagicValue, Version and VendorID and reports
/// DeviceID 0, which the specification reserves for "no device", so a driver probes it and
/// moves on. Guests written for QEMU (Linux, kvm-unit-tests' MMIO benchmarks) expect the window
/// to exist: without it their reads fault.
///
/// One instance covers all ``VirtMemoryMap/virtioTransportCount`` transports; every other
/// register reads as zero and writes are ignored, as QEMU does for a transport without a
/// backend.
final class VirtioMMIOTransports: MMIODevice {
    /// Register offsets within one transport (Virtio 1.2 §4.2.2).
    enum Register: UInt64 {
        case magicValue = 0x000, version = 0x004, deviceID = 0x008, vendorID = 0x00C
    }

    /// "virt" in little-endian ASCII.
    static let magic: UInt64 = 0x7472_6976
    /// The non-legacy (virtio 1.x) register layout. QEMU's transports default to the legacy
    /// layout (1); with no device behind them the two differ in nothing a driver reaches.
    static let version: UInt64 = 2
    /// "QEMU", the vendor QEMU's transports report, so guests that match on it behave alike.
    static let vendor: UInt64 = 0x554D_4551

    func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
        guard size == 4, let register = Register(rawValue: offset % VirtMemoryMap.virtioTransportSize) else { return 0 }
        switch register {
        case .magicValue: return Self.magic
        case .version: return Self.version
        case .deviceID: return 0
        case .vendorID: return Self.vendor
        }
    }

    func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool { true }
}
