#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A device on the physical address map, reached by loads and stores that hit its range.
///
/// Accesses are 1, 2, 4 or 8 bytes at an offset from the device's base. A device that has
/// nothing at an offset, or refuses an access size, returns nil (read) or false (write), and the
/// CPU takes a synchronous external abort, as a bus error would cause.
public protocol MMIODevice: AnyObject {
    func read(offset: UInt64, size: Int, cpu: Int) -> UInt64?
    func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool
}

/// Something that caches what it derived from RAM (decoded instructions, write permissions in a
/// TLB) or holds an exclusive reservation, and must hear about writes to watched pages.
public protocol MemoryObserver: AnyObject {
    /// Physical page `page` (address >> 12) was written: drop what was decoded from it.
    func invalidateCode(physicalPage page: UInt64)
    /// Physical page `page` is now watched: stop writing to it without telling the memory.
    func stopFastWrites(physicalPage page: UInt64)
    /// A write by `writer` (a vCPU index, or -1 for a loader or device) touched the
    /// exclusives reservation granule at physical address `granule`.
    func exclusiveGranuleWritten(_ granule: UInt64, by writer: Int)
}

/// The machine's physical address map: RAM regions backed by host memory, and MMIO devices.
///
/// Every vCPU of a machine shares one map. RAM is allocated here and never moves, so TLBs can
/// keep host pointers into it. Some pages of RAM are *watched*, and every write to them (from a
/// vCPU's slow store path, an atomic, or a loader or device) is reported before it happens:
/// - pages from which some vCPU has decoded instructions, so the decoded copies are dropped;
/// - pages on which some vCPU has made an exclusive reservation (LDXR), so that a write by
///   anyone clears the reservations on that granule: this is the global exclusive monitor of
///   DDI0487 B2.9, and its event wakes a vCPU waiting in WFE for the lock word to
///   change. A page stays watched for exclusives once it has held a reservation: re-watching
///   it on every LDXR would cost a sweep of every vCPU's TLB.
/// vCPUs never keep fast-path write entries for a watched page.
public final class PhysicalMemory {
    /// A RAM region.
    public struct RAMRegion {
        public let base: UInt64
        public let size: UInt64
        public let host: UnsafeMutableRawPointer
        /// One byte per 4 KiB page: ``PhysicalMemory/codePage`` and ``PhysicalMemory/exclusivePage``.
        let pageFlags: UnsafeMutablePointer<UInt8>
        /// True when another map owns the host memory (``PhysicalMemory/addRAM(aliasing:)``).
        let isAlias: Bool

        @inline(__always)
        func contains(_ address: UInt64) -> Bool { address >= base && address - base < size }
    }

    private struct MMIORegion {
        let base: UInt64
        let size: UInt64
        let device: MMIODevice
    }

    @exclusivity(unchecked) public private(set) var ramRegions: [RAMRegion] = []
    @exclusivity(unchecked) private var mmioRegions: [MMIORegion] = []
    /// The observers, in a buffer of our own: iterating a Swift array of them, or calling one
    /// through a counted (or checked unowned) reference, cost a retain, a release and an unowned
    /// check per call: most of the 13% of a Linux boot's samples that went to retains, releases
    /// and unowned checks. Unowned and unchecked, so observers
    /// remove themselves before they go (``removeObserver(_:)``, in `AArch64CPU.deinit`).
    @exclusivity(unchecked) private var observers: UnsafeMutablePointer<Observer> = .allocate(capacity: 0)
    @exclusivity(unchecked) private var observerCount = 0
    @exclusivity(unchecked) private var observerCapacity = 0

    private struct Observer {
        unowned(unsafe) let observer: MemoryObserver
        /// The granule of the observer's latest exclusive reservation (``ReservationCell``).
        let reservation: UnsafeMutablePointer<UInt64>
    }

    /// Where an observer publishes the granule of each exclusive reservation it makes, so that
    /// a write to a page watched for exclusives calls only the observers whose granule it
    /// touches, not all of them. The cell may go stale (the reservation cleared by CLREX or an
    /// exception), which costs one needless call; it must never miss a granule the observer
    /// holds. The memory owns the cell until ``removeObserver(_:)``.
    public struct ReservationCell {
        let pointer: UnsafeMutablePointer<UInt64>

        /// The observer now holds a reservation on `granule`.
        @inline(__always)
        public func hold(_ granule: UInt64) { pointer.pointee = granule }

        /// No granule: an address no write's granule can equal.
        static let none: UInt64 = 1
    }

    /// Page flag: some vCPU holds instructions decoded from the page.
    static let codePage: UInt8 = 1
    /// Page flag: some vCPU has made an exclusive reservation in the page.
    static let exclusivePage: UInt8 = 2
    /// The exclusives reservation granule: CTR_EL0.ERG = 4, 16 words (DDI0487 D17.2.34).
    public static let reservationGranule: UInt64 = 64

    public init() {}

    deinit {
        for slot in 0..<observerCount { observers[slot].reservation.deallocate() }
        observers.deinitialize(count: observerCount)
        observers.deallocate()
        for region in ramRegions where !region.isAlias {
            munmap(region.host, Int(region.size))
            region.pageFlags.deallocate()
        }
    }

    /// Adds zero-filled RAM at `base`. `base` and `size` must be 4 KiB multiples and the range
    /// must not overlap anything already mapped.
    public func addRAM(base: UInt64, size: UInt64) throws(PhysicalMemoryError) {
        guard base % 4096 == 0, size % 4096 == 0, size > 0 else { throw .misaligned(base: base, size: size) }
        guard !overlaps(base: base, size: size) else { throw .overlap(base: base, size: size) }
        guard let host = allocateZeroed(Int(size)) else { throw .outOfMemory(size: size) }
        let pages = Int(size / 4096)
        let flags = UnsafeMutablePointer<UInt8>.allocate(capacity: pages)
        flags.initialize(repeating: 0, count: pages)
        ramRegions.append(RAMRegion(base: base, size: size, host: host, pageFlags: flags, isAlias: false))
        ramRegions.sort { $0.base < $1.base }
    }

    /// Maps `region` of another map into this one as well: the same host memory and page flags,
    /// at the same address. Two maps that share RAM must also share observers (each vCPU
    /// registered with both), so that a write through either drops decoded code and clears
    /// reservations everywhere. The other map must outlive this one.
    public func addRAM(aliasing region: RAMRegion) throws(PhysicalMemoryError) {
        guard !overlaps(base: region.base, size: region.size) else { throw .overlap(base: region.base, size: region.size) }
        ramRegions.append(RAMRegion(base: region.base, size: region.size, host: region.host,
                                    pageFlags: region.pageFlags, isAlias: true))
        ramRegions.sort { $0.base < $1.base }
    }

    /// Every device mapped here, with its window: for a second map that shares them.
    public var devices: [(base: UInt64, size: UInt64, device: MMIODevice)] {
        mmioRegions.map { ($0.base, $0.size, $0.device) }
    }

    /// Maps `device` at `base` for `size` bytes.
    public func addMMIO(base: UInt64, size: UInt64, device: MMIODevice) throws(PhysicalMemoryError) {
        guard !overlaps(base: base, size: size) else { throw .overlap(base: base, size: size) }
        mmioRegions.append(MMIORegion(base: base, size: size, device: device))
        mmioRegions.sort { $0.base < $1.base }
    }

    /// Registers a vCPU (or anything else) that must hear about writes to watched pages, and
    /// returns the cell in which it publishes its exclusive reservations. The memory does not
    /// keep the observer alive: the observer must call ``removeObserver(_:)`` before it is freed.
    @discardableResult
    public func addObserver(_ observer: MemoryObserver) -> ReservationCell {
        if observerCount == observerCapacity {
            let capacity = max(4, 2 * observerCapacity)
            let grown = UnsafeMutablePointer<Observer>.allocate(capacity: capacity)
            grown.moveInitialize(from: observers, count: observerCount)
            observers.deallocate()
            observers = grown
            observerCapacity = capacity
        }
        let cell = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        cell.initialize(to: ReservationCell.none)
        (observers + observerCount).initialize(to: Observer(observer: observer, reservation: cell))
        observerCount += 1
        return ReservationCell(pointer: cell)
    }

    /// Forgets `observer` and frees its reservation cell.
    public func removeObserver(_ observer: MemoryObserver) {
        var index = 0
        while index < observerCount {
            if observers[index].observer === observer {
                observers[index].reservation.deallocate()
                observerCount -= 1
                if index == observerCount {
                    (observers + index).deinitialize(count: 1)
                } else {
                    (observers + index).moveUpdate(from: observers + observerCount, count: 1)
                }
            } else {
                index += 1
            }
        }
    }

    private func overlaps(base: UInt64, size: UInt64) -> Bool {
        let end = base &+ size
        guard end > base else { return true }
        for region in ramRegions where base < region.base + region.size && region.base < end { return true }
        for region in mmioRegions where base < region.base + region.size && region.base < end { return true }
        return false
    }

    /// Anonymous private memory: the kernel hands out zero pages as the guest first touches
    /// them, so a large `-m` costs nothing until it is used (QEMU does the same).
    private func allocateZeroed(_ size: Int) -> UnsafeMutableRawPointer? {
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else { return nil }
        return pointer
    }

    // MARK: - Lookup

    /// The RAM region holding `address`, if any.
    @inline(__always)
    public func ramRegion(containing address: UInt64) -> RAMRegion? {
        for region in ramRegions where region.contains(address) { return region }
        return nil
    }

    /// The device holding `address`, with the offset into it.
    func device(at address: UInt64) -> (MMIODevice, UInt64)? {
        for region in mmioRegions where address >= region.base && address - region.base < region.size {
            return (region.device, address - region.base)
        }
        return nil
    }

    /// True when `size` bytes from `address` are RAM (in one region).
    public func isRAM(_ address: UInt64, length: UInt64) -> Bool {
        guard let region = ramRegion(containing: address) else { return false }
        return length <= region.size - (address - region.base)
    }

    // MARK: - Watched pages

    /// Whether writes to the RAM page at `address` must go through ``noteWrite(_:size:in:by:)``.
    @inline(__always)
    func isWatched(_ address: UInt64, in region: RAMRegion) -> Bool {
        region.pageFlags[Int((address - region.base) >> 12)] != 0
    }

    /// Marks the page at `address` with `flag`; the first mark makes every observer stop fast
    /// writes to it.
    func watch(_ address: UInt64, in region: RAMRegion, flag: UInt8) {
        let index = Int((address - region.base) >> 12)
        let old = region.pageFlags[index]
        guard old & flag == 0 else { return }
        region.pageFlags[index] = old | flag
        if old == 0 {
            for slot in 0..<observerCount { observers[slot].observer.stopFastWrites(physicalPage: address >> 12) }
        }
    }

    /// A write of `size` bytes at `address` (within one page) by `writer` (a vCPU index, or -1)
    /// is about to happen: drop decoded copies of the page and clear exclusive reservations on
    /// the granules it touches.
    @inline(__always)
    func noteWrite(_ address: UInt64, size: Int, in region: RAMRegion, by writer: Int) {
        let index = Int((address - region.base) >> 12)
        let flags = region.pageFlags[index]
        guard flags != 0 else { return }
        noteWatchedWrite(address, size: size, flags: flags, index: index, in: region, by: writer)
    }

    @inline(never)
    private func noteWatchedWrite(_ address: UInt64, size: Int, flags: UInt8, index: Int, in region: RAMRegion, by writer: Int) {
        if flags & Self.codePage != 0 {
            region.pageFlags[index] = flags & ~Self.codePage
            for slot in 0..<observerCount { observers[slot].observer.invalidateCode(physicalPage: address >> 12) }
        }
        if flags & Self.exclusivePage != 0 {
            let mask = ~(Self.reservationGranule - 1)
            let first = address & mask
            let last = (address + UInt64(max(size, 1)) - 1) & mask
            var granule = first
            while granule <= last {
                for slot in 0..<observerCount where observers[slot].reservation.pointee == granule {
                    // The write clears the reservation (B2.9.5): the cell may forget it.
                    observers[slot].reservation.pointee = ReservationCell.none
                    observers[slot].observer.exclusiveGranuleWritten(granule, by: writer)
                }
                granule += Self.reservationGranule
            }
        }
    }

    // MARK: - Access for loaders, devices and tests

    /// Copies `bytes` into RAM at `address`. Fails if the range is not all RAM.
    public func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        guard isRAM(address, length: UInt64(bytes.count)), let region = ramRegion(containing: address) else { return false }
        var chunk = address
        let end = address + UInt64(bytes.count)
        while chunk < end {
            let pageEnd = (chunk & ~0xFFF) + 4096
            noteWrite(chunk, size: Int(min(pageEnd, end) - chunk), in: region, by: -1)
            chunk = pageEnd
        }
        bytes.withUnsafeBytes { source in
            region.host.advanced(by: Int(address - region.base)).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
        }
        return true
    }

    /// Reads `count` bytes of RAM at `address`, or nil if the range is not all RAM.
    public func read(count: Int, at address: UInt64) -> [UInt8]? {
        guard isRAM(address, length: UInt64(count)), let region = ramRegion(containing: address) else { return nil }
        let start = region.host.advanced(by: Int(address - region.base)).assumingMemoryBound(to: UInt8.self)
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// Reads a little-endian value of `size` bytes from RAM or a device (for tests and tools).
    public func readValue(at address: UInt64, size: Int) -> UInt64? {
        if let bytes = read(count: size, at: address) {
            return bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        if let (device, offset) = device(at: address) { return device.read(offset: offset, size: size, cpu: -1) }
        return nil
    }

    /// Writes a little-endian value of `size` bytes to RAM or a device (for tests and tools).
    @discardableResult
    public func writeValue(_ value: UInt64, at address: UInt64, size: Int) -> Bool {
        if isRAM(address, length: UInt64(size)) {
            return write((0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }, at: address)
        }
        if let (device, offset) = device(at: address) { return device.write(offset: offset, size: size, value: value, cpu: -1) }
        return false
    }
}

/// Why a region cannot be mapped.
public enum PhysicalMemoryError: Error, Equatable, CustomStringConvertible {
    case misaligned(base: UInt64, size: UInt64)
    case overlap(base: UInt64, size: UInt64)
    case outOfMemory(size: UInt64)

    public var description: String {
        switch self {
        case .misaligned(let base, let size):
            return "memory region at 0x\(String(base, radix: 16)) of 0x\(String(size, radix: 16)) bytes is not 4 KiB aligned"
        case .overlap(let base, let size):
            return "memory region at 0x\(String(base, radix: 16)) of 0x\(String(size, radix: 16)) bytes overlaps another"
        case .outOfMemory(let size):
            return "cannot allocate 0x\(String(size, radix: 16)) bytes of guest RAM"
        }
    }
}
