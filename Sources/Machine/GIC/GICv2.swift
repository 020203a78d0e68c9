import AArch64

/// A GICv2 (IHI0048B) without the Security Extensions: the distributor at 0x0800_0000 and the
/// memory-mapped CPU interface at 0x0801_0000, for up to 8 vCPUs. SGIs record their source vCPU,
/// which GICC_IAR reports in bits 12:10.
final class GICv2: GICFrontEnd {
    let core: GICCore
    let cpus: [AArch64CPU]
    /// GICC_CTLR.AckCtl per vCPU: GICC_IAR may acknowledge Group 1 interrupts.
    private var acknowledgeGroup1: [Bool]

    init(cpus: [AArch64CPU]) {
        self.cpus = cpus
        core = GICCore(cpus: cpus, sharedCount: VirtMemoryMap.sharedPeripheralInterrupts)
        acknowledgeGroup1 = Array(repeating: false, count: cpus.count)
        applyResetDefaults()
    }

    /// Every SPI targeting no vCPU, GICC_CTLR.AckCtl clear.
    func reset() {
        core.reset()
        acknowledgeGroup1 = Array(repeating: false, count: cpus.count)
        applyResetDefaults()
        core.updateAll()
    }

    /// What the GICv2 front end sets over the core's reset state.
    private func applyResetDefaults() {
        for index in 0..<VirtMemoryMap.sharedPeripheralInterrupts { core.routes[index] = .mask(0) }
        // SGIs are permanently enabled, as QEMU's GICv2 has them.
        for cpu in cpus.indices {
            for intid in 0..<16 { core.banked[cpu][intid].enabled = true }
            core.interfaces[cpu].group0AsFIQ = false
        }
    }

    func map(into memory: PhysicalMemory) throws(PhysicalMemoryError) {
        try memory.addMMIO(base: VirtMemoryMap.gicDistributor, size: VirtMemoryMap.gicDistributorSize, device: Distributor(gic: self))
        try memory.addMMIO(base: VirtMemoryMap.gicCPUInterface, size: VirtMemoryMap.gicCPUInterfaceSize, device: CPUInterface(gic: self))
    }

    /// ID registers from 0xFD0 (PIDR4) to 0xFFC (CIDR3): ArchRev 2, as QEMU's GIC.
    static let identification: [UInt64] = [0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1]

    final class Distributor: MMIODevice {
        unowned let gic: GICv2
        init(gic: GICv2) { self.gic = gic }

        func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
            let core = gic.core
            switch offset {
            case 0x000 where size == 4:
                return (core.distributorGroup0Enabled ? 1 : 0) | (core.distributorGroup1Enabled ? 2 : 0)
            case 0x004 where size == 4:
                return UInt64(core.intidLimit / 32 - 1) | UInt64(gic.cpus.count - 1) << 5
            case 0x008 where size == 4: return 0x0200_043B
            case 0x080..<0x400 where size == 4: return core.readBitRegister(offset, cpu: cpu).map(UInt64.init)
            case 0x400..<0x800: return core.readPriorities(first: Int(offset - 0x400), size: size, cpu: cpu)
            case 0x800..<0xC00:
                var value: UInt64 = 0
                for byte in 0..<size {
                    let intid = Int(offset - 0x800) + byte
                    let mask: UInt8
                    if intid < 32 {
                        mask = cpu < 8 ? 1 << UInt8(cpu) : 0  // read-only: the reading CPU
                    } else if intid < core.intidLimit, case .mask(let targets) = core.routes[intid - 32] {
                        mask = targets
                    } else {
                        mask = 0
                    }
                    value |= UInt64(mask) << UInt64(byte * 8)
                }
                return value
            case 0xC00..<0xD00 where size == 4: return UInt64(core.readConfiguration(word: Int((offset - 0xC00) >> 2), cpu: cpu))
            case 0xF10..<0xF30:
                // CPENDSGIR/SPENDSGIR: one byte per SGI, a bit per source vCPU.
                var value: UInt64 = 0
                for byte in 0..<size {
                    let sgi = Int((offset - 0xF10) & 0xF) + byte
                    if sgi < 16 { value |= UInt64(core.sgiSources[cpu][sgi]) << UInt64(byte * 8) }
                }
                return value
            case 0xFD0..<0x1000 where size == 4: return GICv2.identification[Int((offset - 0xFD0) >> 2)]
            default:
                // Reserved and unimplemented registers read as zero (IHI0048B 4.1.1).
                return size <= 4 ? 0 : nil
            }
        }

        func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
            let core = gic.core
            switch offset {
            case 0x000 where size == 4:
                core.distributorGroup0Enabled = value & 1 != 0
                core.distributorGroup1Enabled = value & 2 != 0
                core.updateAll()
            case 0x080..<0x400 where size == 4:
                // SGIs stay enabled: ICENABLER0 bits 15:0 are WI.
                let filtered = offset == 0x180 ? value & 0xFFFF_0000 : value
                _ = core.writeBitRegister(offset, cpu: cpu, value: UInt32(truncatingIfNeeded: filtered))
            case 0x400..<0x800: core.writePriorities(first: Int(offset - 0x400), size: size, cpu: cpu, value: value)
            case 0x800..<0xC00:
                for byte in 0..<size {
                    let intid = Int(offset - 0x800) + byte
                    guard intid >= 32, intid - 32 < VirtMemoryMap.sharedPeripheralInterrupts else { continue }
                    let mask = UInt8(truncatingIfNeeded: value >> UInt64(byte * 8)) & UInt8(truncatingIfNeeded: (1 << gic.cpus.count) - 1)
                    core.routes[intid - 32] = .mask(mask)
                }
                core.updateAll()
            case 0xC00..<0xD00 where size == 4:
                core.writeConfiguration(word: Int((offset - 0xC00) >> 2), cpu: cpu, value: UInt32(truncatingIfNeeded: value))
            case 0xF00 where size == 4:
                // SGIR: TargetListFilter 25:24 (0 list, 1 all others, 2 self), CPUTargetList 23:16.
                let intid = Int(value & 0xF)
                let list: UInt64
                switch value >> 24 & 3 {
                case 0: list = value >> 16 & 0xFF
                case 1: list = 0xFF & ~(1 << UInt64(cpu))
                case 2: list = 1 << UInt64(cpu)
                default: return true
                }
                for target in gic.cpus.indices where target < 8 && list & (1 << UInt64(target)) != 0 {
                    core.raiseSGI(intid, target: target, source: cpu)
                }
            case 0xF10..<0xF30:
                for byte in 0..<size {
                    let sgi = Int((offset - 0xF10) & 0xF) + byte
                    let bits = UInt8(truncatingIfNeeded: value >> UInt64(byte * 8))
                    guard sgi < 16, bits != 0 else { continue }
                    if offset < 0xF20 {
                        core.sgiSources[cpu][sgi] &= ~bits
                        if core.sgiSources[cpu][sgi] == 0 { core.banked[cpu][sgi].pendingLatch = false }
                    } else {
                        core.sgiSources[cpu][sgi] |= bits
                        core.banked[cpu][sgi].pendingLatch = true
                    }
                }
                core.update(cpu: cpu)
            default:
                return size <= 4
            }
            return true
        }
    }

    final class CPUInterface: MMIODevice {
        unowned let gic: GICv2
        init(gic: GICv2) { self.gic = gic }

        func read(offset: UInt64, size: Int, cpu: Int) -> UInt64? {
            guard size == 4 else { return nil }
            let core = gic.core
            let interface = core.interfaces[cpu]
            switch offset {
            case 0x00:
                return (interface.group0Enabled ? 1 : 0) | (interface.group1Enabled ? 2 : 0) | (gic.acknowledgeGroup1[cpu] ? 4 : 0)
                    | (interface.group0AsFIQ ? 8 : 0) | (interface.commonBinaryPoint ? 16 : 0) | (interface.splitEOI ? 1 << 9 : 0)
            case 0x04: return UInt64(interface.priorityMask)
            case 0x08: return UInt64(interface.binaryPoint0)
            case 0x0C, 0x20:
                // IAR takes Group 0, and Group 1 too with AckCtl; AIAR takes Group 1.
                guard let pending = core.highestPending(cpu: cpu) else { return 1023 }
                if offset == 0x0C && pending.group1 && !gic.acknowledgeGroup1[cpu] { return 1022 }
                if offset == 0x20 && !pending.group1 { return 1023 }
                let taken = core.acknowledge(cpu: cpu, group1: pending.group1)
                return UInt64(taken.intid) | (taken.intid < 16 ? UInt64(taken.source) << 10 : 0)
            case 0x14: return UInt64(interface.runningPriority)
            case 0x18, 0x28: return UInt64(core.highestPending(cpu: cpu)?.intid ?? 1023)
            case 0x1C: return UInt64(interface.binaryPoint1)
            case 0xD0..<0xF0: return 0
            case 0xFC: return 0x0202_043B  // IIDR: GICv2, ARM
            default: return offset < 0x2000 ? 0 : nil
            }
        }

        func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool {
            guard size == 4 else { return false }
            let core = gic.core
            switch offset {
            case 0x00:
                core.interfaces[cpu].group0Enabled = value & 1 != 0
                core.interfaces[cpu].group1Enabled = value & 2 != 0
                gic.acknowledgeGroup1[cpu] = value & 4 != 0
                core.interfaces[cpu].group0AsFIQ = value & 8 != 0
                core.interfaces[cpu].commonBinaryPoint = value & 16 != 0
                core.interfaces[cpu].splitEOI = value & (1 << 9) != 0
            case 0x04: core.interfaces[cpu].priorityMask = UInt8(truncatingIfNeeded: value) & GICCore.priorityMask
            case 0x08: core.interfaces[cpu].binaryPoint0 = max(UInt8(value & 7), 2)
            case 0x1C: core.interfaces[cpu].binaryPoint1 = max(UInt8(value & 7), 3)
            case 0x10, 0x24: core.endOfInterrupt(cpu: cpu, intid: Int(value & 0x3FF))
            case 0x1000: core.deactivate(cpu: cpu, intid: Int(value & 0x3FF))
            default: return offset < 0x2000
            }
            core.update(cpu: cpu)
            return true
        }
    }
}
