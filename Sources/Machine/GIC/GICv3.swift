import AArch64

/// A GICv3 (IHI0069H) with a single security state and no LPIs/ITS: the distributor at
/// 0x0800_0000, one redistributor per vCPU (RD_base and SGI_base frames, 128 KiB apart) from
/// 0x080A_0000, and the ICC_* system register CPU interface. Affinity routing is always on
/// (GICD_CTLR.ARE reads as one), as on QEMU's `virt` with a v8 CPU.
final class GICv3: GICFrontEnd {
    let core: GICCore
    let cpus: [AArch64CPU]
    /// Redistributors that have left ProcessorSleep (GICR_WAKER).
    private var awake: [Bool]
    private var routing: [UInt64]

    init(cpus: [AArch64CPU]) {
        self.cpus = cpus
        core = GICCore(cpus: cpus, sharedCount: VirtMemoryMap.sharedPeripheralInterrupts)
        awake = Array(repeating: false, count: cpus.count)
        routing = Array(repeating: 0, count: VirtMemoryMap.sharedPeripheralInterrupts)
        resetRouting()
        let interface = CPUInterfaceRegisters(gic: self)
        for cpu in cpus { cpu.systemRegisterHandler = interface }
    }

    /// Every redistributor asleep and every SPI routed to affinity 0.0.0.0 (IROUTER's reset).
    func reset() {
        core.reset()
        awake = Array(repeating: false, count: cpus.count)
        routing = Array(repeating: 0, count: VirtMemoryMap.sharedPeripheralInterrupts)
        resetRouting()
        core.updateAll()
    }

    private func resetRouting() {
        for index in 0..<VirtMemoryMap.sharedPeripheralInterrupts { core.routes[index] = routeFor(0) }
    }

    func map(into memory: PhysicalMemory) throws(PhysicalMemoryError) {
        try memory.addMMIO(base: VirtMemoryMap.gicDistributor, size: VirtMemoryMap.gicDistributorSize, device: Distributor(gic: self))
        for index in cpus.indices {
            try memory.addMMIO(base: VirtMemoryMap.gicRedistributors + UInt64(index) * VirtMemoryMap.gicRedistributorStride,
                               size: VirtMemoryMap.gicRedistributorStride, device: Redistributor(gic: self, cpu: index))
        }
    }

    /// Affinity of vCPU `index` as IROUTER and GICR_TYPER hold it: Aff3 in 39:32, Aff2-0 below.
    func affinity(of index: Int) -> UInt64 { cpus[index].identity.mpidr & 0xFF_00FF_FFFF }

    /// Affinity as GICR_TYPER bits 63:32 hold it: Aff3.Aff2.Aff1.Aff0, a byte each.
    func packedAffinity(of index: Int) -> UInt64 {
        let mpidr = cpus[index].identity.mpidr
        return (mpidr >> 32 & 0xFF) << 24 | mpidr & 0xFF_FFFF
    }

    /// The route an IROUTER value selects.
    func routeFor(_ value: UInt64) -> GICCore.Route {
        if value & (1 << 31) != 0 { return .any }
        let wanted = value & 0xFF_00FF_FFFF
        return .cpu(cpus.indices.first { affinity(of: $0) == wanted })
    }

    // MARK: Distributor

    final class Distributor: MMIODevice {
        unowned let gic: GICv3
        init(gic: GICv3) { self.gic = gic }

        func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
            let core = gic.core
            switch offset {
            case 0x0000 where size == 4:
                // EnableGrp0, EnableGrp1, ARE (RAO), DS (RAO).
                return (core.distributorGroup0Enabled ? 1 : 0) | (core.distributorGroup1Enabled ? 2 : 0) | 1 << 4 | 1 << 6
            case 0x0004 where size == 4:
                // ITLinesNumber, IDbits = 9 (10 INTID bits), no LPIs, no security extension.
                return UInt64(core.intidLimit / 32 - 1) | 9 << 19
            case 0x0008 where size == 4: return 0x0000_043B  // IIDR: implementer ARM
            case 0x0010 where size == 4: return 0  // STATUSR
            case 0x0080..<0x0400 where size == 4:
                // With affinity routing, the redistributors own INTIDs 0-31: word 0 is RAZ/WI.
                guard offset & 0x7F >= 4 else { return 0 }
                return core.readBitRegister(offset, cpu: 0).map(UInt64.init)
            case 0x0400..<0x0800:
                guard offset >= 0x420 else { return 0 }
                return core.readPriorities(first: Int(offset - 0x400), size: size, cpu: 0)
            case 0x0C00..<0x0D00 where size == 4:
                guard offset >= 0xC08 else { return 0 }
                return UInt64(core.readConfiguration(word: Int((offset - 0xC00) >> 2), cpu: 0))
            case 0x0D00..<0x0D80 where size == 4: return 0  // IGRPMODR: no secure groups
            case 0x6000..<0x8000 where size == 8 || size == 4:
                let index = Int((offset - 0x6000) >> 3)
                guard index >= 32, index - 32 < VirtMemoryMap.sharedPeripheralInterrupts else { return 0 }
                let value = gic.routing[index - 32]
                return size == 8 ? value : (offset & 4 == 0 ? value & 0xFFFF_FFFF : value >> 32)
            case 0xFFD0..<0x10000 where size == 4: return GICv3.identification(offset)
            default:
                return size == 4 && offset < 0x10000 ? 0 : nil  // reserved: RAZ/WI
            }
        }

        func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
            let core = gic.core
            switch offset {
            case 0x0000 where size == 4:
                core.distributorGroup0Enabled = value & 1 != 0
                core.distributorGroup1Enabled = value & 2 != 0
                core.updateAll()
            case 0x0080..<0x0400 where size == 4:
                guard offset & 0x7F >= 4 else { return true }
                _ = core.writeBitRegister(offset, cpu: 0, value: UInt32(truncatingIfNeeded: value))
            case 0x0400..<0x0800:
                guard offset >= 0x420 else { return true }
                core.writePriorities(first: Int(offset - 0x400), size: size, cpu: 0, value: value)
            case 0x0C00..<0x0D00 where size == 4:
                guard offset >= 0xC08 else { return true }
                core.writeConfiguration(word: Int((offset - 0xC00) >> 2), cpu: 0, value: UInt32(truncatingIfNeeded: value))
            case 0x6000..<0x8000 where size == 8 || size == 4:
                let index = Int((offset - 0x6000) >> 3)
                guard index >= 32, index - 32 < VirtMemoryMap.sharedPeripheralInterrupts else { return true }
                var current = gic.routing[index - 32]
                if size == 8 {
                    current = value
                } else if offset & 4 == 0 {
                    current = current & ~0xFFFF_FFFF | value & 0xFFFF_FFFF
                } else {
                    current = current & 0xFFFF_FFFF | value << 32
                }
                current &= 0xFF_80FF_FFFF
                gic.routing[index - 32] = current
                core.routes[index - 32] = gic.routeFor(current)
                core.updateAll()
            default:
                return size == 4 || size == 8
            }
            return true
        }
    }

    /// The PrimeCell-style ID registers of GICv3 frames: PIDR2.ArchRev = 3.
    static func identification(_ offset: UInt64) -> UInt64 {
        switch offset {
        case 0xFFE0: return 0x92  // PIDR0
        case 0xFFE4: return 0xB4  // PIDR1
        case 0xFFE8: return 0x3B  // PIDR2: ArchRev 3, JEDEC
        case 0xFFEC: return 0x00
        case 0xFFF0: return 0x0D
        case 0xFFF4: return 0xF0
        case 0xFFF8: return 0x05
        case 0xFFFC: return 0xB1
        default: return 0
        }
    }

    // MARK: Redistributor

    final class Redistributor: MMIODevice {
        unowned let gic: GICv3
        let cpu: Int
        init(gic: GICv3, cpu: Int) {
            self.gic = gic
            self.cpu = cpu
        }

        func read(offset: UInt64, size: Int, cpu _: Int) -> UInt64? {
            let core = gic.core
            switch offset {
            case 0x0000 where size == 4: return 0  // CTLR
            case 0x0004 where size == 4: return 0x0000_043B
            case 0x0008 where size == 8 || size == 4:
                // TYPER: affinity, processor number, Last for the final redistributor.
                let last: UInt64 = cpu == gic.cpus.count - 1 ? 1 << 4 : 0
                let typer = gic.packedAffinity(of: cpu) << 32 | UInt64(cpu & 0xFFFF) << 8 | last
                return size == 8 ? typer : (offset == 0x8 ? typer & 0xFFFF_FFFF : typer >> 32)
            case 0x000C where size == 4: return gic.packedAffinity(of: cpu)  // upper TYPER word
            case 0x0014 where size == 4:
                // WAKER: ProcessorSleep (1) and ChildrenAsleep (2) follow each other at once.
                return gic.awake[cpu] ? 0 : 6
            case 0xFFD0..<0x10000 where size == 4: return GICv3.identification(offset)
            case 0x10080..<0x10400 where size == 4:
                guard offset & 0x7F == 0 else { return 0 }
                return core.readBitRegister(offset - 0x10000, cpu: cpu).map(UInt64.init)
            case 0x10400..<0x10420: return core.readPriorities(first: Int(offset - 0x10400), size: size, cpu: cpu)
            case 0x10C00 where size == 4, 0x10C04 where size == 4:
                return UInt64(core.readConfiguration(word: Int((offset - 0x10C00) >> 2), cpu: cpu))
            default:
                return size == 4 && offset < 0x20000 ? 0 : nil
            }
        }

        func write(offset: UInt64, size: Int, value: UInt64, cpu _: Int) -> Bool {
            let core = gic.core
            switch offset {
            case 0x0014 where size == 4:
                gic.awake[cpu] = value & 2 == 0
            case 0x10080..<0x10400 where size == 4:
                guard offset & 0x7F == 0 else { return true }
                _ = core.writeBitRegister(offset - 0x10000, cpu: cpu, value: UInt32(truncatingIfNeeded: value))
            case 0x10400..<0x10420: core.writePriorities(first: Int(offset - 0x10400), size: size, cpu: cpu, value: value)
            case 0x10C00 where size == 4, 0x10C04 where size == 4:
                core.writeConfiguration(word: Int((offset - 0x10C00) >> 2), cpu: cpu, value: UInt32(truncatingIfNeeded: value))
            default:
                return size == 4 || size == 8
            }
            return true
        }
    }
}
