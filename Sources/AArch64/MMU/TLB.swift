/// The tag of an empty fast-TLB entry. Lookups compare `va & (~0xFFF | alignmentMask)` with the
/// tag, and alignment masks are at most 15, so no access can produce bit 11 alone. (The tag used to
/// be 1, which an unaligned access to page 0 matched: the fuzzer found it as a host crash.)
let emptyTLBTag: UInt64 = 0x800

/// A fast-path data TLB entry: a 4 KiB virtual page that loads or stores may reach through a
/// host pointer without translating. `tag` is the page's virtual address (``emptyTLBTag`` when
/// empty, which no access matches); the host address of a byte is `addend &+ va`.
struct DataTLBEntry {
    var tag: UInt64 = emptyTLBTag
    var addend: UInt64 = 0
    var physicalPage: UInt64 = 0
}

/// A fast-path instruction TLB entry: a 4 KiB virtual page and its decoded instructions. Entries
/// only ever point at valid decoded pages: invalidating any page empties the whole fetch TLB.
struct FetchTLBEntry {
    var tag: UInt64 = emptyTLBTag
    var instructions: UnsafeMutablePointer<DecodedInstruction>?
}

/// The fast paths: direct-mapped by virtual page, one set per exception level (permissions
/// differ) and access kind. They cache the ``TranslationCache``; anything that could change a
/// translation or its permissions empties them.
final class FastTLB {
    static let entries = 256
    static let indexMask: UInt64 = 255

    /// [EL0 read, EL0 write, EL1 read, EL1 write] x entries.
    let data: UnsafeMutablePointer<DataTLBEntry>
    /// [EL0, EL1] x entries.
    let fetch: UnsafeMutablePointer<FetchTLBEntry>

    init() {
        data = .allocate(capacity: 4 * Self.entries)
        data.initialize(repeating: DataTLBEntry(), count: 4 * Self.entries)
        fetch = .allocate(capacity: 2 * Self.entries)
        fetch.initialize(repeating: FetchTLBEntry(), count: 2 * Self.entries)
    }

    deinit {
        data.deallocate()
        fetch.deallocate()
    }

    @inline(__always) static func index(_ va: UInt64) -> Int { Int(truncatingIfNeeded: (va >> 12) & indexMask) }

    @inline(__always) func readSet(el: UInt8) -> UnsafeMutablePointer<DataTLBEntry> { data + Int(el) * 2 * Self.entries }
    @inline(__always) func writeSet(el: UInt8) -> UnsafeMutablePointer<DataTLBEntry> { data + (Int(el) * 2 + 1) * Self.entries }
    @inline(__always) func fetchSet(el: UInt8) -> UnsafeMutablePointer<FetchTLBEntry> { fetch + Int(el) * Self.entries }

    func flushAll() {
        data.update(repeating: DataTLBEntry(), count: 4 * Self.entries)
        fetch.update(repeating: FetchTLBEntry(), count: 2 * Self.entries)
    }

    func flushData(el: UInt8) {
        readSet(el: el).update(repeating: DataTLBEntry(), count: Self.entries)
        writeSet(el: el).update(repeating: DataTLBEntry(), count: Self.entries)
    }

    /// Drops every fast write entry to physical page `page`, so writes to it take the slow path.
    func dropWrites(toPhysicalPage page: UInt64) {
        for el: UInt8 in 0...1 {
            let set = writeSet(el: el)
            for index in 0..<Self.entries where set[index].physicalPage == page {
                set[index] = DataTLBEntry()
            }
        }
    }
}

/// Memory attributes and permissions of one translation.
struct PagePermissions: OptionSet {
    let rawValue: UInt8
    static let el1Read = PagePermissions(rawValue: 1)
    static let el1Write = PagePermissions(rawValue: 2)
    static let el1Execute = PagePermissions(rawValue: 4)
    static let el0Read = PagePermissions(rawValue: 8)
    static let el0Write = PagePermissions(rawValue: 16)
    static let el0Execute = PagePermissions(rawValue: 32)
    static let all: PagePermissions = [.el1Read, .el1Write, .el1Execute, .el0Read, .el0Write, .el0Execute]
}

/// A completed stage 1 translation of one page.
struct Translation {
    /// The physical address of the 4 KiB page holding the translated address.
    var physicalPage: UInt64
    var permissions: PagePermissions
    /// The MAIR_EL1 attribute byte; 0x00 is Device-nGnRnE (also the MMU-off data attribute).
    var attributes: UInt8
    /// The size of the block or page the descriptor mapped (for TLB invalidation by address).
    var blockBase: UInt64
    var blockSize: UInt64
    var isGlobal: Bool
    /// The level of the descriptor (for permission-fault syndromes).
    var level: UInt8

    var isDevice: Bool { attributes & 0xF0 == 0 }
}

/// The architectural TLB: translations tagged by ASID (or global), kept until a TLBI removes
/// them. Four-way set-associative, 1024 entries, by 4 KiB virtual page.
struct TranslationCache {
    struct Entry {
        var valid = false
        var virtualPage: UInt64 = 0
        var asid: UInt16 = 0
        var translation = Translation(physicalPage: 0, permissions: [], attributes: 0, blockBase: 0, blockSize: 0, isGlobal: false, level: 0)
    }

    static let sets = 256
    static let ways = 4
    private var entries = [Entry](repeating: Entry(), count: sets * ways)
    private var nextVictim = 0

    private static func set(_ page: UInt64) -> Int { Int(truncatingIfNeeded: (page ^ (page >> 8) ^ (page >> 16)) & UInt64(sets - 1)) * ways }

    func lookup(virtualPage page: UInt64, asid: UInt16) -> Translation? {
        let base = Self.set(page)
        for way in 0..<Self.ways {
            let entry = entries[base + way]
            if entry.valid, entry.virtualPage == page, entry.translation.isGlobal || entry.asid == asid {
                return entry.translation
            }
        }
        return nil
    }

    mutating func insert(virtualPage page: UInt64, asid: UInt16, _ translation: Translation) {
        let base = Self.set(page)
        var slot = base + nextVictim
        for way in 0..<Self.ways where !entries[base + way].valid {
            slot = base + way
            break
        }
        nextVictim = (nextVictim + 1) % Self.ways
        entries[slot] = Entry(valid: true, virtualPage: page, asid: asid, translation: translation)
    }

    /// TLBI VMALLE1: everything.
    mutating func invalidateAll() {
        for index in entries.indices { entries[index].valid = false }
    }

    /// TLBI ASIDE1: every non-global entry of `asid`.
    mutating func invalidate(asid: UInt16) {
        for index in entries.indices where entries[index].valid && !entries[index].translation.isGlobal && entries[index].asid == asid {
            entries[index].valid = false
        }
    }

    /// TLBI VAE1/VALE1 (`asid` given: global entries and that ASID's) and VAAE1/VAALE1 (any ASID):
    /// every entry whose block or page contains `address`. The "last level only" forms may
    /// invalidate more than asked, which the architecture allows.
    mutating func invalidate(address: UInt64, asid: UInt16?) {
        for index in entries.indices where entries[index].valid {
            let translation = entries[index].translation
            guard address &- translation.blockBase < translation.blockSize else { continue }
            if let asid, !translation.isGlobal, entries[index].asid != asid { continue }
            entries[index].valid = false
        }
    }
}

/// The instructions decoded from one 4 KiB page of guest RAM, decoded lazily one by one: every
/// slot starts as ``OpKind/undecoded`` and is decoded the first time it runs. A sentinel slot
/// after the last sends execution to the next page, and the slot after it holds the page's host
/// address for the decoder; the one after that, the page's translations (``A64Translator``), or 0.
final class DecodedPage {
    let instructions: UnsafeMutablePointer<DecodedInstruction>
    let physicalPage: UInt64
    /// False once the page was written: the decoded instructions are stale.
    var isValid = true

    static let hostSlot = 1025
    static let translationSlot = 1026

    init(physicalPage: UInt64, host: UnsafeRawPointer) {
        self.physicalPage = physicalPage
        instructions = .allocate(capacity: 1027)
        instructions.initialize(repeating: DecodedInstruction(.undecoded), count: 1024)
        (instructions + 1024).initialize(to: DecodedInstruction(.endOfPage))
        (instructions + Self.hostSlot).initialize(to: DecodedInstruction(.undefined, imm: UInt64(UInt(bitPattern: host))))
        (instructions + Self.translationSlot).initialize(to: DecodedInstruction(.undefined, imm: 0))
    }

    deinit {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(instructions[Self.translationSlot].imm))?.deallocate()
        instructions.deallocate()
    }
}
