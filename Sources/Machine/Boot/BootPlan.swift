/// What the boot loader puts in guest RAM and where the boot vCPU starts: the same layout QEMU's
/// `hw/arm/boot.c` produces for the same files.
public struct BootPlan: Sendable {
    /// Bytes placed in RAM before the first instruction.
    public struct Segment: Sendable {
        /// What the bytes are, for errors and `--stats` ("kernel", "initrd", "device tree").
        public var name: String
        public var address: UInt64
        public var bytes: [UInt8]

        public init(name: String, address: UInt64, bytes: [UInt8]) {
            self.name = name
            self.address = address
            self.bytes = bytes
        }
    }

    public var segments: [Segment]
    /// The boot vCPU's first instruction.
    public var entry: UInt64
    /// The boot vCPU's X0: the device tree's address for Linux images, 0 for ELF files (as QEMU).
    public var x0: UInt64

    public init(segments: [Segment], entry: UInt64, x0: UInt64) {
        self.segments = segments
        self.entry = entry
        self.x0 = x0
    }
}
