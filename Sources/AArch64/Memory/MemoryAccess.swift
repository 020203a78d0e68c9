/// The slow paths of loads, stores and instruction fetch: everything the interpreter's inline
/// fast path (an aligned access through the fast TLB) does not handle. They translate, check
/// alignment and permissions, reach RAM or devices, take the resulting exception, and refill the
/// fast TLB so the next access to the page is fast.
extension AArch64CPU {
    /// What kind of alignment an access demands (DDI0487 B2.5.2).
    enum AlignmentRule {
        /// Normal memory allows unaligned accesses; Device memory does not.
        case natural
        /// Exclusives, load-acquire/store-release and atomics must be aligned to their size.
        case required
    }

    /// Whether SCTLR_EL1.A demands alignment of every data access.
    var alignmentChecks: Bool { sys.sctlr & 2 != 0 }

    /// Loads `size` bytes (1, 2, 4, 8) at `va` with `accessEL`'s permissions. On a fault, takes
    /// the data abort (ELR = `pc`) and returns nil. `isPartOfAccess` marks one byte of an access
    /// that crosses a page, which the PMU counts once, as a whole.
    @inline(never)
    func loadSlow(_ va: UInt64, size: Int, el accessEL: UInt8, pc: UInt64, alignment: AlignmentRule = .natural,
                  isPartOfAccess: Bool = false) -> UInt64? {
        let aligned = va & UInt64(size - 1) == 0
        if !aligned && (alignment == .required || alignmentChecks) {
            takeDataAbort(.alignment, address: va, isWrite: false, pc: pc)
            return nil
        }
        if debug.watchpointsArmed && watchpointHit(va, size: size, isWrite: false, el: accessEL, pc: pc) { return nil }
        if !aligned && (va & 0xFFF) + UInt64(size) > 4096 {
            // Crosses a page: byte by byte, each translated on its own.
            var value: UInt64 = 0
            for index in 0..<size {
                guard let byte = loadSlow(va &+ UInt64(index), size: 1, el: accessEL, pc: pc, isPartOfAccess: true) else { return nil }
                value |= byte << UInt64(8 * index)
            }
            if !isPartOfAccess { countMemoryAccess() }
            return value
        }
        let translation: Translation
        switch translate(va, kind: .read, el: accessEL) {
        case .fault(let fault):
            takeDataAbort(fault, address: va, isWrite: false, pc: pc)
            return nil
        case .success(let result):
            translation = result
        }
        if !aligned && translation.isDevice {
            takeDataAbort(.alignment, address: va, isWrite: false, pc: pc)
            return nil
        }
        let pa = translation.physicalPage | (va & 0xFFF)
        if let region = memory.ramRegion(containing: pa) {
            let host = region.host + Int(pa - region.base)
            fillDataTLB(read: true, va: va, pa: pa, host: host, el: accessEL)
            if !isPartOfAccess { countMemoryAccess() }
            return loadHost(host, size: size)
        }
        if let (device, offset) = memory.device(at: pa), aligned, let value = device.read(offset: offset, size: size, cpu: index) {
            countMemoryAccess()
            return value
        }
        takeDataAbort(.synchronousExternalAbort, address: va, isWrite: false, pc: pc)
        return nil
    }

    /// Stores the low `size` bytes of `value` at `va`. On a fault, takes the data abort and
    /// returns false. `isPartOfAccess` as for ``loadSlow(_:size:el:pc:alignment:isPartOfAccess:)``.
    @inline(never)
    func storeSlow(_ va: UInt64, size: Int, value: UInt64, el accessEL: UInt8, pc: UInt64, alignment: AlignmentRule = .natural,
                   isPartOfAccess: Bool = false) -> Bool {
        let aligned = va & UInt64(size - 1) == 0
        if !aligned && (alignment == .required || alignmentChecks) {
            takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
            return false
        }
        if debug.watchpointsArmed && watchpointHit(va, size: size, isWrite: true, el: accessEL, pc: pc) { return false }
        if !aligned && (va & 0xFFF) + UInt64(size) > 4096 {
            // Check every byte's page before writing any, so a fault leaves memory unchanged.
            for index in [0, size - 1] {
                if case .fault(let fault) = translate(va &+ UInt64(index), kind: .write, el: accessEL) {
                    takeDataAbort(fault, address: va &+ UInt64(index), isWrite: true, pc: pc)
                    return false
                }
            }
            for index in 0..<size {
                guard storeSlow(va &+ UInt64(index), size: 1, value: value >> UInt64(8 * index), el: accessEL, pc: pc,
                                isPartOfAccess: true) else {
                    return false
                }
            }
            if !isPartOfAccess { countMemoryAccess() }
            return true
        }
        let translation: Translation
        switch translate(va, kind: .write, el: accessEL) {
        case .fault(let fault):
            takeDataAbort(fault, address: va, isWrite: true, pc: pc)
            return false
        case .success(let result):
            translation = result
        }
        if !aligned && translation.isDevice {
            takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
            return false
        }
        let pa = translation.physicalPage | (va & 0xFFF)
        if let region = memory.ramRegion(containing: pa) {
            memory.noteWrite(pa, size: size, in: region, by: index)
            let host = region.host + Int(pa - region.base)
            storeHost(host, size: size, value: value)
            if !memory.isWatched(pa, in: region) {
                fillDataTLB(read: false, va: va, pa: pa, host: host, el: accessEL)
            }
            if !isPartOfAccess { countMemoryAccess() }
            return true
        }
        if let (device, offset) = memory.device(at: pa), aligned, device.write(offset: offset, size: size, value: value, cpu: index) {
            countMemoryAccess()
            return true
        }
        takeDataAbort(.synchronousExternalAbort, address: va, isWrite: true, pc: pc)
        return false
    }

    /// A 16-byte load of a Q register (two 8-byte halves, low first). SCTLR_EL1.A checks the
    /// alignment of the whole access.
    @inline(never)
    func loadSlow128(_ va: UInt64, el accessEL: UInt8, pc: UInt64) -> (UInt64, UInt64)? {
        if va & 15 != 0 && alignmentChecks {
            takeDataAbort(.alignment, address: va, isWrite: false, pc: pc)
            return nil
        }
        guard let low = loadSlow(va, size: 8, el: accessEL, pc: pc), let high = loadSlow(va &+ 8, size: 8, el: accessEL, pc: pc) else {
            return nil
        }
        return (low, high)
    }

    /// A 16-byte store of a Q register. Both halves' pages are checked before either is written,
    /// so a fault leaves memory unchanged.
    @inline(never)
    func storeSlow128(_ va: UInt64, low: UInt64, high: UInt64, el accessEL: UInt8, pc: UInt64) -> Bool {
        if va & 15 != 0 && alignmentChecks {
            takeDataAbort(.alignment, address: va, isWrite: true, pc: pc)
            return false
        }
        if debug.watchpointsArmed && watchpointHit(va, size: 16, isWrite: true, el: accessEL, pc: pc) { return false }
        for address in [va, va &+ 15] {
            if case .fault(let fault) = translate(address, kind: .write, el: accessEL) {
                takeDataAbort(fault, address: address, isWrite: true, pc: pc)
                return false
            }
        }
        return storeSlow(va, size: 8, value: low, el: accessEL, pc: pc) && storeSlow(va &+ 8, size: 8, value: high, el: accessEL, pc: pc)
    }

    /// Translates `va` for a store and returns a host pointer to `size` bytes of RAM there, for
    /// the read-modify-write instructions (exclusives, atomics) and for DC ZVA, whose register
    /// operand `zeroByVA` is the address a fault reports (FAR_EL1: "the address specified in the
    /// register argument" of a DC instruction). Takes the abort and returns nil on a fault,
    /// including any access to a device.
    ///
    /// DC ZVA faults as the store it is: WnR = 1 and CM = 0, since DC ZVA is not classed as a
    /// cache maintenance instruction (DDI0487, ESR_EL1 ISS for a Data Abort, field CM). Linux
    /// relies on this: it takes CM = 1 to mean a read (`is_write_abort`), so a CM fault on a
    /// copy-on-write page is never resolved, and glibc's memset, which zeroes with DC ZVA, faults
    /// forever in a forked child.
    func hostPointerForUpdate(_ va: UInt64, size: Int, el accessEL: UInt8, pc: UInt64, zeroByVA: UInt64? = nil) -> UnsafeMutableRawPointer? {
        let faultAddress = zeroByVA ?? va
        if va & UInt64(size - 1) != 0 {
            takeDataAbort(.alignment, address: faultAddress, isWrite: true, pc: pc)
            return nil
        }
        // A read-modify-write or DC ZVA is watched as a store (DDI0487 D2.10.5).
        if debug.watchpointsArmed && watchpointHit(va, size: size, isWrite: true, el: accessEL, pc: pc) { return nil }
        switch translate(va, kind: .write, el: accessEL) {
        case .fault(let fault):
            takeDataAbort(fault, address: faultAddress, isWrite: true, pc: pc)
            return nil
        case .success(let translation):
            let pa = translation.physicalPage | (va & 0xFFF)
            if translation.isDevice, zeroByVA != nil {
                // DC ZVA to any Device memory is an alignment fault (DDI0487 C5.3.9).
                takeDataAbort(.alignment, address: faultAddress, isWrite: true, pc: pc)
                return nil
            }
            guard let region = memory.ramRegion(containing: pa) else {
                takeDataAbort(.synchronousExternalAbort, address: faultAddress, isWrite: true, pc: pc)
                return nil
            }
            memory.noteWrite(pa, size: size, in: region, by: index)
            countMemoryAccess()
            return region.host + Int(pa - region.base)
        }
    }

    /// The physical address of `va` for an exclusive or ordered access, with its checks; the
    /// abort is taken and nil returned on a fault.
    func physicalAddress(_ va: UInt64, size: Int, kind: AccessKind, el accessEL: UInt8, pc: UInt64) -> UInt64? {
        if va & UInt64(size - 1) != 0 {
            takeDataAbort(.alignment, address: va, isWrite: kind == .write, pc: pc)
            return nil
        }
        if debug.watchpointsArmed && watchpointHit(va, size: size, isWrite: kind == .write, el: accessEL, pc: pc) { return nil }
        switch translate(va, kind: kind, el: accessEL) {
        case .fault(let fault):
            takeDataAbort(fault, address: va, isWrite: kind == .write, pc: pc)
            return nil
        case .success(let translation):
            countMemoryAccess()
            return translation.physicalPage | (va & 0xFFF)
        }
    }

    /// One data access performed, for the PMU's MEM_ACCESS event (an access that faults is not
    /// performed and is not counted). Only the slow paths count: while a counter counts
    /// MEM_ACCESS, no data page enters the fast TLB (``fillDataTLB(read:va:pa:host:el:)``).
    @inline(__always)
    func countMemoryAccess() {
        if pmuCountsMemoryAccesses { recordPMUEventSlow(.MEM_ACCESS) }
    }

    @inline(__always)
    func loadHost(_ host: UnsafeRawPointer, size: Int) -> UInt64 {
        switch size {
        case 1: return UInt64(host.load(as: UInt8.self))
        case 2: return UInt64(host.loadUnaligned(as: UInt16.self))
        case 4: return UInt64(host.loadUnaligned(as: UInt32.self))
        default: return host.loadUnaligned(as: UInt64.self)
        }
    }

    @inline(__always)
    func storeHost(_ host: UnsafeMutableRawPointer, size: Int, value: UInt64) {
        switch size {
        case 1: host.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: host.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
        case 4: host.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        default: host.storeBytes(of: value, as: UInt64.self)
        }
    }

    private func fillDataTLB(read: Bool, va: UInt64, pa: UInt64, host: UnsafeMutableRawPointer, el accessEL: UInt8) {
        // A watched page's accesses must all reach the slow path's watchpoint check, and while
        // the PMU counts MEM_ACCESS every access must reach the count.
        if debug.watchpointsArmed && watchpointCovers(pageOf: va) { return }
        if pmuCountsMemoryAccesses { return }
        let set = read ? fastTLB.readSet(el: accessEL) : fastTLB.writeSet(el: accessEL)
        let page = va & ~0xFFF
        let hostPage = UInt64(UInt(bitPattern: host)) & ~0xFFF
        set[FastTLB.index(va)] = DataTLBEntry(tag: page, addend: hostPage &- page, physicalPage: pa >> 12)
    }

    // MARK: - Instruction fetch

    /// Finds (or creates) the decoded page holding `pc` and fills the fetch TLB. On a fault, takes
    /// the PC-alignment fault or instruction abort and returns nil; `pc` then holds the vector.
    @inline(never)
    func fetchSlow(_ address: UInt64) -> DecodedPage? {
        if address & 3 != 0 {
            takeSynchronous(.pcAlignment, faultAddress: address, returnAddress: address)
            return nil
        }
        let translation: Translation
        switch translate(address, kind: .fetch, el: el) {
        case .fault(let fault):
            takeInstructionAbort(fault, address: address)
            return nil
        case .success(let result):
            translation = result
        }
        let pa = translation.physicalPage
        guard let region = memory.ramRegion(containing: pa) else {
            // Nothing to execute there (Conduit does not execute from devices).
            takeInstructionAbort(.synchronousExternalAbort, address: address)
            return nil
        }
        let page: DecodedPage
        if let existing = decodedPages[pa >> 12] {
            page = existing
        } else {
            page = DecodedPage(physicalPage: pa >> 12, host: UnsafeRawPointer(region.host + Int(pa - region.base)))
            decodedPages[pa >> 12] = page
            memory.watch(pa, in: region, flag: PhysicalMemory.codePage)
        }
        fastTLB.fetchSet(el: el)[FastTLB.index(address)] = FetchTLBEntry(tag: address & ~0xFFF, instructions: page.instructions)
        return page
    }
}
