import AArch64

extension GICv3 {
    /// The GICv3 CPU interface: the ICC_*_EL1 system registers (IHI0069H 12.2), reached through
    /// the CPU's ``SystemRegisterHandler`` hook. EL0 has no access (UNDEFINED), as with
    /// ICC_SRE_EL1.Enable clear at EL2.
    final class CPUInterfaceRegisters: SystemRegisterHandler {
        unowned let gic: GICv3
        init(gic: GICv3) { self.gic = gic }

        static func icc(_ crm: UInt32, _ op2: UInt32) -> UInt16 {
            A64Decoder.systemRegisterEncoding(op0: 3, op1: 0, crn: 12, crm: crm, op2: op2)
        }
        static let pmr = A64Decoder.systemRegisterEncoding(op0: 3, op1: 0, crn: 4, crm: 6, op2: 0)
        static let iar0 = icc(8, 0), eoir0 = icc(8, 1), hppir0 = icc(8, 2), bpr0 = icc(8, 3)
        static let dir = icc(11, 1), rpr = icc(11, 3), sgi1r = icc(11, 5), asgi1r = icc(11, 6), sgi0r = icc(11, 7)
        static let iar1 = icc(12, 0), eoir1 = icc(12, 1), hppir1 = icc(12, 2), bpr1 = icc(12, 3)
        static let ctlr = icc(12, 4), sre = icc(12, 5), igrpen0 = icc(12, 6), igrpen1 = icc(12, 7)

        /// AP0R0-3 (CRm 8, op2 4-7) and AP1R0-3 (CRm 9, op2 0-3).
        static func isActivePriorityRegister(_ encoding: UInt16) -> Bool {
            (encoding >= icc(8, 4) && encoding <= icc(8, 7)) || (encoding >= icc(9, 0) && encoding <= icc(9, 3))
        }

        func readSystemRegister(_ encoding: UInt16, cpu: AArch64CPU) -> UInt64? {
            guard cpu.el >= 1 else { return nil }
            let core = gic.core
            let index = cpu.index
            let interface = core.interfaces[index]
            switch encoding {
            case Self.pmr: return UInt64(interface.priorityMask)
            case Self.iar0: return UInt64(core.acknowledge(cpu: index, group1: false).intid)
            case Self.iar1: return UInt64(core.acknowledge(cpu: index, group1: true).intid)
            case Self.hppir0, Self.hppir1:
                guard let pending = core.highestPending(cpu: index), pending.group1 == (encoding == Self.hppir1) else { return 1023 }
                return UInt64(pending.intid)
            case Self.bpr0: return UInt64(interface.binaryPoint0)
            case Self.bpr1: return UInt64(interface.commonBinaryPoint ? min(interface.binaryPoint0 + 1, 7) : interface.binaryPoint1)
            case Self.rpr: return UInt64(interface.runningPriority)
            case Self.ctlr:
                // PRIbits = 4 (5 bits of priority), IDbits = 0 (16-bit INTIDs), EOImode, CBPR.
                return 4 << 8 | (interface.splitEOI ? 2 : 0) | (interface.commonBinaryPoint ? 1 : 0)
            case Self.sre: return 7  // SRE, DFB and DIB: the system register interface only
            case Self.igrpen0: return interface.group0Enabled ? 1 : 0
            case Self.igrpen1: return interface.group1Enabled ? 1 : 0
            case Self.eoir0, Self.eoir1, Self.dir, Self.sgi0r, Self.sgi1r, Self.asgi1r: return nil  // write-only
            default:
                if Self.isActivePriorityRegister(encoding) {
                    // One bit per group priority in use (5 bits: 32 levels), in AP0R0/AP1R0.
                    guard encoding == Self.icc(8, 4) || encoding == Self.icc(9, 0) else { return 0 }
                    let group1 = encoding == Self.icc(9, 0)
                    var bits: UInt64 = 0
                    for entry in interface.activePriorities where core.interrupt(entry.intid, cpu: index).group1 == group1 {
                        bits |= 1 << UInt64(entry.priority >> 3)
                    }
                    return bits
                }
                return nil
            }
        }

        func writeSystemRegister(_ encoding: UInt16, value: UInt64, cpu: AArch64CPU) -> Bool {
            guard cpu.el >= 1 else { return false }
            let core = gic.core
            let index = cpu.index
            switch encoding {
            case Self.pmr: core.interfaces[index].priorityMask = UInt8(truncatingIfNeeded: value) & GICCore.priorityMask
            case Self.eoir0, Self.eoir1: core.endOfInterrupt(cpu: index, intid: Int(value & 0xFF_FFFF))
            case Self.dir: core.deactivate(cpu: index, intid: Int(value & 0xFF_FFFF))
            case Self.bpr0: core.interfaces[index].binaryPoint0 = max(UInt8(value & 7), 2)
            case Self.bpr1: core.interfaces[index].binaryPoint1 = max(UInt8(value & 7), 3)
            case Self.ctlr:
                core.interfaces[index].splitEOI = value & 2 != 0
                core.interfaces[index].commonBinaryPoint = value & 1 != 0
            case Self.sre: break  // SRE is RAO/WI
            case Self.igrpen0: core.interfaces[index].group0Enabled = value & 1 != 0
            case Self.igrpen1: core.interfaces[index].group1Enabled = value & 1 != 0
            case Self.sgi0r, Self.sgi1r, Self.asgi1r: generateSGI(value, from: index)
            case Self.iar0, Self.iar1, Self.hppir0, Self.hppir1, Self.rpr: return false  // read-only
            default:
                // Restoring the active priority registers is accepted and ignored: the stack
                // of active interrupts is the state.
                return Self.isActivePriorityRegister(encoding)
            }
            core.update(cpu: index)
            return true
        }

        /// ICC_SGI1R_EL1: INTID 27:24, TargetList 15:0 with Aff1 23:16, Aff2 39:32, Aff3 55:48 and
        /// RS 47:44 (Aff0 = RS * 16 + bit); IRM (40) means every vCPU but the sender.
        func generateSGI(_ value: UInt64, from source: Int) {
            let intid = Int(value >> 24 & 0xF)
            if value & (1 << 40) != 0 {
                for target in gic.cpus.indices where target != source { gic.core.raiseSGI(intid, target: target, source: nil) }
                return
            }
            let upper = (value >> 48 & 0xFF) << 32 | (value >> 32 & 0xFF) << 16 | (value >> 16 & 0xFF) << 8
            let rangeBase = (value >> 44 & 0xF) * 16
            let targetList = value & 0xFFFF
            for target in gic.cpus.indices {
                let affinity = gic.affinity(of: target)
                guard affinity & ~0xFF == upper else { continue }
                let aff0 = affinity & 0xFF
                guard aff0 >= rangeBase, aff0 < rangeBase + 16, targetList & (1 << (aff0 - rangeBase)) != 0 else { continue }
                gic.core.raiseSGI(intid, target: target, source: nil)
            }
        }
    }
}
