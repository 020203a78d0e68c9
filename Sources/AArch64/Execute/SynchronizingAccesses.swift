/// Exclusives, load-acquire/store-release and the LSE atomics.
///
/// The exclusive monitor is exact, not QEMU's value comparison (which lets a store-exclusive
/// succeed after another vCPU wrote the location and then wrote the old value back, the ABA
/// case). LDXR records the virtual address and size for the local monitor and reserves the
/// physical granule with the global monitor (``PhysicalMemory`` watches the page). A write by
/// anyone to the granule clears the reservation and, when the writer is another vCPU, sets this
/// vCPU's event register (DDI0487 B2.9, "Exclusive access instructions and Shareable memory
/// locations", and the Wait For Event mechanism). STXR succeeds only if the reservation is still
/// held and names the same address and size; a mismatch fails (the architecture leaves it
/// CONSTRAINED UNPREDICTABLE). A non-exclusive store by this vCPU to its own granule clears the
/// reservation too: one of the two behaviours the architecture allows.
///
/// Every vCPU of a machine runs on one host thread, so each instruction is atomic.
extension AArch64CPU {
    /// Executes one of the synchronizing memory instructions; false if an exception was taken.
    func synchronizingAccess(_ op: DecodedInstruction, pc: UInt64) -> Bool {
        let va = x[Int(op.b)]
        let size = 1 << Int(op.d)
        switch op.kind {
        case .ldxr, .ldaxr:
            guard let pa = physicalAddress(va, size: size, kind: .read, el: el, pc: pc),
                let value = readPhysical(pa, size: size, va: va, pc: pc)
            else { return false }
            reserve(va: va, size: size, pa: pa)
            x[Int(op.a)] = value
        case .ldxp, .ldaxp:
            // A pair is one access of twice the register size, aligned to it.
            guard let pa = physicalAddress(va, size: 2 * size, kind: .read, el: el, pc: pc),
                let first = readPhysical(pa, size: size, va: va, pc: pc),
                let second = readPhysical(pa + UInt64(size), size: size, va: va, pc: pc)
            else { return false }
            reserve(va: va, size: 2 * size, pa: pa)
            x[Int(op.a)] = first
            x[Int(op.c)] = second
        case .stxr, .stlxr:
            let value = x[Int(op.a)]
            guard let status = storeExclusive(va, size: size, pc: pc, { host in self.storeHost(host, size: size, value: value) })
            else { return false }
            x[Int(op.c)] = status
        case .stxp, .stlxp:
            let (first, second) = (x[Int(op.a)], x[Int(op.c)])
            guard let status = storeExclusive(va, size: 2 * size, pc: pc, { host in
                self.storeHost(host, size: size, value: first)
                self.storeHost(host + size, size: size, value: second)
            }) else { return false }
            x[Int(op.f)] = status
        case .ldar:
            guard let value = loadSlow(va, size: size, el: el, pc: pc, alignment: .required) else { return false }
            x[Int(op.a)] = value
        case .stlr:
            return storeSlow(va, size: size, value: x[Int(op.a)], el: el, pc: pc, alignment: .required)
        case .cas:
            guard let host = hostPointerForUpdate(va, size: size, el: el, pc: pc) else { return false }
            let mask = Self.mask(size)
            let old = loadHost(host, size: size)
            if old == readRegister(op.c) & mask { storeHost(host, size: size, value: readRegister(op.a)) }
            writeRegister(op.c, old)
        case .casp:
            guard let host = hostPointerForUpdate(va, size: 2 * size, el: el, pc: pc) else { return false }
            let mask = Self.mask(size)
            let old1 = loadHost(host, size: size)
            let old2 = loadHost(host + size, size: size)
            if old1 == readRegister(op.c) & mask && old2 == readRegister(op.c + 1) & mask {
                storeHost(host, size: size, value: readRegister(op.a))
                storeHost(host + size, size: size, value: readRegister(op.a + 1))
            }
            writeRegister(op.c, old1)
            writeRegister(op.c + 1, old2)
        default:
            // LD<op> and SWP: read, combine with Xs, write; Xt receives the old value.
            guard let host = hostPointerForUpdate(va, size: size, el: el, pc: pc) else { return false }
            let old = loadHost(host, size: size)
            let operand = x[Int(op.c)] & Self.mask(size)
            storeHost(host, size: size, value: Self.combine(op.kind, old, operand, size: size))
            x[Int(op.a)] = old
        }
        return true
    }

    /// Reserves the granule of `pa` for this vCPU: the local monitor holds the virtual address
    /// and size, the global monitor the physical granule.
    private func reserve(va: UInt64, size: Int, pa: UInt64) {
        let granule = pa & ~(PhysicalMemory.reservationGranule - 1)
        exclusive = (true, va, size, granule)
        reservationCell?.hold(granule)
        if !otherMemories.isEmpty { for other in otherMemories { other.reservation.hold(granule) } }
        if let region = memory.ramRegion(containing: pa) {
            memory.watch(pa, in: region, flag: PhysicalMemory.exclusivePage)
        }
    }

    /// The store half of STXR and STXP. The local monitor comes first (same address and size,
    /// else fail): when the monitors fail, the architecture leaves it IMPLEMENTATION DEFINED
    /// whether an abort the access would have caused is taken, and Conduit (like QEMU) takes
    /// none. Then alignment and translation faults, then the global monitor on the physical
    /// granule. Returns the status (0 stored, 1 failed), or nil after taking an exception.
    private func storeExclusive(_ va: UInt64, size: Int, pc: UInt64, _ store: (UnsafeMutableRawPointer) -> Void) -> UInt64? {
        guard exclusive.valid && exclusive.address == va && exclusive.size == size else {
            exclusive.valid = false
            return 1
        }
        guard let pa = physicalAddress(va, size: size, kind: .write, el: el, pc: pc) else { return nil }
        let held = exclusive.valid && exclusive.granule == pa & ~(PhysicalMemory.reservationGranule - 1)
        exclusive.valid = false
        guard held else { return 1 }
        guard let region = memory.ramRegion(containing: pa) else {
            takeDataAbort(.synchronousExternalAbort, address: va, isWrite: true, pc: pc)
            return nil
        }
        memory.noteWrite(pa, size: size, in: region, by: index)
        store(region.host + Int(pa - region.base))
        return 0
    }

    /// The value an LSE atomic stores.
    static func combine(_ kind: OpKind, _ old: UInt64, _ operand: UInt64, size: Int) -> UInt64 {
        let bits = UInt8(8 * size)
        switch kind {
        case .atomicAdd: return old &+ operand
        case .atomicClear: return old & ~operand
        case .atomicEor: return old ^ operand
        case .atomicSet: return old | operand
        case .atomicSmax:
            return Int64(bitPattern: ALU.signExtend(old, width: bits)) >= Int64(bitPattern: ALU.signExtend(operand, width: bits)) ? old : operand
        case .atomicSmin:
            return Int64(bitPattern: ALU.signExtend(old, width: bits)) <= Int64(bitPattern: ALU.signExtend(operand, width: bits)) ? old : operand
        case .atomicUmax: return max(old, operand)
        case .atomicUmin: return min(old, operand)
        default: return operand  // SWP
        }
    }

    static func mask(_ size: Int) -> UInt64 { size >= 8 ? ~0 : (1 << UInt64(8 * size)) - 1 }

    /// Register `n` where 31 means XZR (CAS and CASP name registers directly).
    @inline(__always) func readRegister(_ n: UInt8) -> UInt64 { n >= 31 ? 0 : x[Int(n)] }
    @inline(__always) func writeRegister(_ n: UInt8, _ value: UInt64) { if n < 31 { x[Int(n)] = value } }

    /// Reads a translated physical address from RAM or a device; takes an external abort for
    /// addresses with nothing behind them.
    func readPhysical(_ pa: UInt64, size: Int, va: UInt64, pc: UInt64) -> UInt64? {
        if let region = memory.ramRegion(containing: pa) {
            return loadHost(region.host + Int(pa - region.base), size: size)
        }
        if let (device, offset) = memory.device(at: pa), let value = device.read(offset: offset, size: size, cpu: index) {
            return value
        }
        takeDataAbort(.synchronousExternalAbort, address: va, isWrite: false, pc: pc)
        return nil
    }
}
