/// Exclusives, load-acquire/store-release and the LSE atomics.
///
/// The exclusive monitor works across vCPUs by value, as QEMU's does: LDXR records the address
/// and the value it read; STXR succeeds only if this vCPU's monitor holds that address and
/// memory still holds that value when it stores (DDI0487 B2.9 allows a monitor that fails more
/// often than the architecture requires, never one that succeeds wrongly for the same value).
/// Since every vCPU of a machine runs on one host thread, the compare and the store are atomic.
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
            exclusive = (true, va, size, value, 0)
            x[Int(op.a)] = value
        case .ldxp, .ldaxp:
            // A pair is one access of twice the register size, aligned to it.
            guard let pa = physicalAddress(va, size: 2 * size, kind: .read, el: el, pc: pc),
                let first = readPhysical(pa, size: size, va: va, pc: pc),
                let second = readPhysical(pa + UInt64(size), size: size, va: va, pc: pc)
            else { return false }
            exclusive = (true, va, 2 * size, first, second)
            x[Int(op.a)] = first
            x[Int(op.c)] = second
        case .stxr, .stlxr:
            var status: UInt64 = 1
            if exclusive.valid && exclusive.address == va && exclusive.size == size {
                guard let host = hostPointerForUpdate(va, size: size, el: el, pc: pc) else { return false }
                if loadHost(host, size: size) == exclusive.value {
                    storeHost(host, size: size, value: x[Int(op.a)])
                    status = 0
                }
            }
            exclusive.valid = false
            x[Int(op.c)] = status
        case .stxp, .stlxp:
            var status: UInt64 = 1
            if exclusive.valid && exclusive.address == va && exclusive.size == 2 * size {
                guard let host = hostPointerForUpdate(va, size: 2 * size, el: el, pc: pc) else { return false }
                if loadHost(host, size: size) == exclusive.value && loadHost(host + size, size: size) == exclusive.value2 {
                    storeHost(host, size: size, value: x[Int(op.a)])
                    storeHost(host + size, size: size, value: x[Int(op.c)])
                    status = 0
                }
            }
            exclusive.valid = false
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
