/// QEMU `virt`'s physical memory map and interrupt assignments (hw/arm/virt.c `base_memmap`
/// and `a15irqmap`; see `../shared/reference/qemu-virt-and-psci.md` §1.8), the parts Conduit
/// implements. Guests built for QEMU's board find every device where they expect it.
public enum VirtMemoryMap {
    /// GIC distributor (v2 and v3), 64 KiB.
    public static let gicDistributor: UInt64 = 0x0800_0000
    public static let gicDistributorSize: UInt64 = 0x1_0000
    /// GICv2 CPU interface, 64 KiB (v2 only).
    public static let gicCPUInterface: UInt64 = 0x0801_0000
    public static let gicCPUInterfaceSize: UInt64 = 0x1_0000
    /// GICv3 redistributors: 128 KiB per vCPU (RD_base and SGI_base frames), room for 123.
    public static let gicRedistributors: UInt64 = 0x080A_0000
    public static let gicRedistributorsSize: UInt64 = 0x00F6_0000
    public static let gicRedistributorStride: UInt64 = 0x2_0000
    /// PL011 UART0, the console (`/chosen/stdout-path`).
    public static let uart: UInt64 = 0x0900_0000
    /// PL031 real-time clock.
    public static let rtc: UInt64 = 0x0901_0000
    /// virtio-mmio transports: 32 of 0x200 bytes from here, on SPIs 16-47 (edge-triggered).
    public static let virtioTransports: UInt64 = 0x0A00_0000
    public static let virtioTransportSize: UInt64 = 0x200
    public static let virtioTransportCount = 32
    public static let firstVirtioSPI = 16
    /// The size of each PrimeCell device's window.
    public static let primeCellSize: UInt64 = 0x1000
    /// RAM starts here; its size comes from `-m` (128 MiB by default, as QEMU).
    public static let ramBase: UInt64 = 0x4000_0000
    /// The most RAM the low map holds (QEMU's legacy 255 GiB limit).
    public static let maximumRAM: UInt64 = 255 << 30

    /// How many SPIs the GIC has (QEMU's NUM_IRQS): INTIDs 32-287.
    public static let sharedPeripheralInterrupts = 256

    /// Shared peripheral interrupts, as SPI numbers (INTID = 32 + n).
    public static let uartSPI = 1
    public static let rtcSPI = 2

    /// Private peripheral interrupts, as INTIDs (the device tree's cell is INTID - 16).
    public static let secureTimerPPI = 29
    public static let physicalTimerPPI = 30
    public static let virtualTimerPPI = 27
    public static let hypervisorTimerPPI = 26
    /// The PMU's overflow interrupt (QEMU's VIRTUAL_PMU_IRQ, PPI 7).
    public static let pmuPPI = 23

    /// The counter frequency QEMU gives a Cortex-A57 (1 GHz / 16 ns): 62.5 MHz.
    public static let counterFrequency: UInt64 = 62_500_000
    /// The APB clock the PrimeCell devices reference (`/apb-pclk`), 24 MHz.
    public static let apbClockFrequency: UInt32 = 24_000_000

    /// CPUs per cluster in MPIDR.Aff0, as QEMU assigns them: 8 with GICv2 (its target lists
    /// are 8 bits wide), 16 with GICv3.
    public static func clusterSize(gicVersion: Int) -> Int { gicVersion == 2 ? 8 : 16 }
}
