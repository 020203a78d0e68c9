/// MPIDR_EL1 values: how PSCI names CPUs (DDI0487, D24.2 "MPIDR_EL1").
public enum MPIDR {
    /// Aff3 (39:32), Aff2 (23:16), Aff1 (15:8) and Aff0 (7:0): the bits that identify a CPU.
    /// Linux's `MPIDR_HWID_BITMASK`. A PSCI MPIDR argument with any other bit set is invalid.
    public static let affinityMask: UInt64 = 0xFF_00FF_FFFF

    /// The affinity bits above `level` (0-3) that AFFINITY_INFO compares: level 0 compares all
    /// four affinity fields, level 3 only Aff3.
    public static func affinityMask(atLevel level: Int) -> UInt64 {
        switch level {
        case 0: return 0xFF_00FF_FFFF
        case 1: return 0xFF_00FF_FF00
        case 2: return 0xFF_00FF_0000
        default: return 0xFF_0000_0000
        }
    }

    /// The MPIDR_EL1 QEMU's `virt` board gives CPU `index`: Aff0 = index % clusterSize,
    /// Aff1 = index / clusterSize, with bit 31 (RES1) set. The cluster size is 8 with GICv2 (its
    /// target lists have 8 bits) and 16 with GICv3.
    public static func qemuVirt(index: Int, clusterSize: Int = 16) -> UInt64 {
        let size = max(clusterSize, 1)
        return 0x8000_0000 | UInt64(index / size & 0xFF) << 8 | UInt64(index % size & 0xFF)
    }
}
