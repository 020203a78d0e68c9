/// The kind of access a translation is for.
enum AccessKind {
    case read
    case write
    case fetch
}

/// The result of translating an address.
enum TranslationOutcome {
    case success(Translation)
    case fault(FaultStatus)
}

/// Stage 1 translation for the EL1&0 regime (DDI0487 D5, VMSAv8-64): TTBR0/TTBR1 split by
/// T0SZ/T1SZ, 4 KiB, 16 KiB and 64 KiB granules, ASIDs, block and page descriptors, hierarchical
/// permissions, the access flag (software-managed: no hardware update), WXN, and the MMU-off
/// flat mapping.
extension AArch64CPU {
    /// The physical address size this CPU implements (ID_AA64MMFR0_EL1.PARange = 40 bits).
    static let physicalAddressBits = 40

    /// The current ASID: from TTBR1 if TCR_EL1.A1, else TTBR0; 8 bits unless TCR_EL1.AS.
    var currentASID: UInt16 {
        let ttbr = sys.tcr & (1 << 22) != 0 ? sys.ttbr1 : sys.ttbr0
        let asid = UInt16(truncatingIfNeeded: ttbr >> 48)
        return sys.tcr & (1 << 36) != 0 ? asid : asid & 0xFF
    }

    /// Whether the top byte of `va` is ignored (TCR_EL1.TBI0/TBI1).
    @inline(__always)
    func topByteIgnored(_ va: UInt64) -> Bool {
        va & (1 << 55) != 0 ? sys.tcr & (1 << 38) != 0 : sys.tcr & (1 << 37) != 0
    }

    /// Translates `va` for an access of `kind` checked with `el`'s permissions, through the TLB.
    func translate(_ va: UInt64, kind: AccessKind, el accessEL: UInt8) -> TranslationOutcome {
        let outcome = translateUnchecked(va, kind: kind)
        guard case .success(let translation) = outcome else { return outcome }
        if let fault = permissionFault(translation, kind: kind, el: accessEL) { return .fault(fault) }
        return outcome
    }

    /// The permission fault an access would take, if any.
    func permissionFault(_ translation: Translation, kind: AccessKind, el accessEL: UInt8) -> FaultStatus? {
        let needed: PagePermissions
        switch (kind, accessEL) {
        case (.read, 0): needed = .el0Read
        case (.write, 0): needed = .el0Write
        case (.fetch, 0): needed = .el0Execute
        case (.read, _): needed = .el1Read
        case (.write, _): needed = .el1Write
        case (.fetch, _): needed = .el1Execute
        }
        return translation.permissions.contains(needed) ? nil : .permission(level: Int(translation.level))
    }

    /// Translates without checking permissions (AT instructions check them themselves).
    /// `cached: false` neither looks in nor fills the TLB (the host debugger's view).
    func translateUnchecked(_ va: UInt64, kind: AccessKind, cached: Bool = true) -> TranslationOutcome {
        let tbi = topByteIgnored(va)
        let top = tbi ? 55 : 63
        guard sys.mmuEnabled else {
            // Stage 1 off: VA = PA. Bits from PAMax up to the top must be zero.
            let topMask: UInt64 = top == 63 ? ~0 : (1 << 56) - 1
            let upper = va & ~((1 << UInt64(Self.physicalAddressBits)) - 1) & topMask
            guard upper == 0 else { return .fault(.addressSize(level: 0)) }
            let pa = va & ((1 << UInt64(Self.physicalAddressBits)) - 1)
            // Data accesses are Device-nGnRnE; instruction fetches Normal (DDI0487 D5.2.9).
            let attributes: UInt8 = kind == .fetch ? 0xFF : 0x00
            return .success(Translation(physicalPage: pa & ~0xFFF, permissions: .all, attributes: attributes,
                                        blockBase: va & ~0xFFF, blockSize: 4096, isGlobal: true, level: 3))
        }

        let upperHalf = va & (1 << 55) != 0
        let tcr = sys.tcr
        let disabled = upperHalf ? tcr & (1 << 23) != 0 : tcr & (1 << 7) != 0
        let size = min(max(Int(upperHalf ? (tcr >> 16) & 63 : tcr & 63), 16), 39)
        let inputBits = 64 - size
        // Bits [top:inputBits] must all equal bit 55 (TTBR0: zeros, TTBR1: ones).
        let topMask: UInt64 = top == 63 ? ~0 : (1 << 56) - 1
        let checkMask = topMask & ~((1 << UInt64(inputBits)) - 1)
        guard !disabled, va & checkMask == (upperHalf ? checkMask : 0) else { return .fault(.translation(level: 0)) }

        // The TLB is keyed by the address with the top byte made canonical.
        let canonical = tbi ? (upperHalf ? va | 0xFF00_0000_0000_0000 : va & 0x00FF_FFFF_FFFF_FFFF) : va
        let asid = currentASID
        if cached, let hit = translations.lookup(virtualPage: canonical >> 12, asid: asid) { return .success(hit) }

        let granuleBits: Int
        if upperHalf {
            switch (tcr >> 30) & 3 {
            case 1: granuleBits = 14
            case 3: granuleBits = 16
            default: granuleBits = 12
            }
        } else {
            switch (tcr >> 14) & 3 {
            case 1: granuleBits = 16
            case 2: granuleBits = 14
            default: granuleBits = 12
            }
        }
        let ips = min(Int((tcr >> 32) & 7), 5)
        let outputBits = min([32, 36, 40, 42, 44, 48][ips], Self.physicalAddressBits)
        let outcome = walk(canonical, inputBits: inputBits, granuleBits: granuleBits, outputBits: outputBits,
                           ttbr: upperHalf ? sys.ttbr1 : sys.ttbr0)
        if cached, case .success(let translation) = outcome {
            translations.insert(virtualPage: canonical >> 12, asid: asid, translation)
        }
        return outcome
    }

    /// The translation table walk (DDI0487 D5.2, "The VMSAv8-64 translation table format").
    private func walk(_ va: UInt64, inputBits: Int, granuleBits: Int, outputBits: Int, ttbr: UInt64) -> TranslationOutcome {
        let stride = granuleBits - 3
        let levels = (inputBits - granuleBits + stride - 1) / stride
        var level = 4 - levels
        let outputMask: UInt64 = ((1 << UInt64(outputBits)) - 1)
        let addressMask: UInt64 = 0x0000_FFFF_FFFF_FFFF & ~((1 << UInt64(granuleBits)) - 1)
        // The first table holds 2^(inputBits - (granule + stride * (3 - level))) entries.
        let firstIndexBits = inputBits - (granuleBits + stride * (3 - level))
        var table = ttbr & 0x0000_FFFF_FFFF_FFFE & ~((1 << UInt64(max(firstIndexBits + 3, 6))) - 1)
        if table & ~outputMask != 0 { return .fault(.addressSize(level: level)) }

        var tableNoEL0 = false
        var tableReadOnly = false
        var tableUXN = false
        var tablePXN = false
        while true {
            let shift = granuleBits + stride * (3 - level)
            let indexBits = level == 4 - levels ? firstIndexBits : stride
            let index = (va >> UInt64(shift)) & ((1 << UInt64(indexBits)) - 1)
            let descriptorAddress = table + index * 8
            guard let region = memory.ramRegion(containing: descriptorAddress) else {
                return .fault(.synchronousExternalAbortOnWalk(level: level))
            }
            let descriptor = region.host.load(fromByteOffset: Int(descriptorAddress - region.base), as: UInt64.self)
            guard descriptor & 1 == 1 else { return .fault(.translation(level: level)) }

            if level < 3 && descriptor & 2 == 2 {
                // Table descriptor: accumulate the hierarchical controls.
                tablePXN = tablePXN || descriptor & (1 << 59) != 0
                tableUXN = tableUXN || descriptor & (1 << 60) != 0
                tableNoEL0 = tableNoEL0 || descriptor & (1 << 61) != 0
                tableReadOnly = tableReadOnly || descriptor & (1 << 62) != 0
                table = descriptor & addressMask
                if table & ~outputMask != 0 { return .fault(.addressSize(level: level)) }
                level += 1
                continue
            }

            // Block or page descriptor. Blocks exist at level 1 (4 KiB granule) and level 2.
            if level < 3 {
                let blockAllowed = level == 2 || (level == 1 && granuleBits == 12)
                guard blockAllowed else { return .fault(.translation(level: level)) }
            } else if descriptor & 2 == 0 {
                return .fault(.translation(level: level))  // level 3 "block" encoding is reserved
            }
            let blockSize: UInt64 = 1 << UInt64(shift)
            let output = descriptor & addressMask & ~(blockSize - 1)
            if output & ~outputMask != 0 { return .fault(.addressSize(level: level)) }
            guard descriptor & (1 << 10) != 0 else { return .fault(.accessFlag(level: level)) }

            let ap = (descriptor >> 6) & 3
            let el0Read = ap & 1 == 1 && !tableNoEL0
            let el0Write = ap == 1 && !tableNoEL0 && !tableReadOnly
            let el1Write = ap & 2 == 0 && !tableReadOnly
            let wxn = sys.sctlr & (1 << 19) != 0
            let uxn = descriptor & (1 << 54) != 0 || tableUXN || (el0Write && wxn)
            // Locations writable at EL0 are never executable at EL1.
            let pxn = descriptor & (1 << 53) != 0 || tablePXN || (el1Write && wxn) || el0Write
            var permissions: PagePermissions = [.el1Read]
            if el1Write { permissions.insert(.el1Write) }
            if !pxn { permissions.insert(.el1Execute) }
            if el0Read { permissions.insert(.el0Read) }
            if el0Write { permissions.insert(.el0Write) }
            if !uxn { permissions.insert(.el0Execute) }

            let attributeIndex = (descriptor >> 2) & 7
            let attributes = UInt8(truncatingIfNeeded: sys.mair >> (attributeIndex * 8))
            let pageInBlock = (va & (blockSize - 1)) & ~0xFFF
            return .success(Translation(
                physicalPage: output | pageInBlock, permissions: permissions, attributes: attributes,
                blockBase: va & ~(blockSize - 1), blockSize: blockSize,
                isGlobal: descriptor & (1 << 11) == 0, level: UInt8(level)))
        }
    }
}
