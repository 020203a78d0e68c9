/// A device on the physical address map, reached by loads and stores that hit its range.
///
/// Accesses are 1, 2, 4 or 8 bytes at an offset from the device's base. A device that has
/// nothing at an offset, or refuses an access size, returns nil (read) or false (write), and the
/// CPU takes a synchronous external abort, as a bus error would cause.
public protocol MMIODevice: AnyObject {
    func read(offset: UInt64, size: Int, cpu: Int) -> UInt64?
    func write(offset: UInt64, size: Int, value: UInt64, cpu: Int) -> Bool
}

/// Something that caches decoded instructions and must hear when guest code changes.
public protocol CodeCacheOwner: AnyObject {
    /// Physical page `page` (address >> 12) was written: drop what was decoded from it.
    func invalidateCode(physicalPage page: UInt64)
    /// Physical page `page` now holds decoded code: stop writing to it without noticing.
    func codePageRegistered(physicalPage page: UInt64)
}

/// The machine's physical address map: RAM regions backed by host memory, and MMIO devices.
///
/// Every vCPU of a machine shares one map. RAM is allocated here and never moves, so TLBs can
/// keep host pointers into it. A page of RAM from which some vCPU has decoded instructions is
/// marked, so that any write to it (from a vCPU's slow store path, or from a loader or device)
/// invalidates the decoded copies first.
public final class PhysicalMemory {
    /// A RAM region.
    public struct RAMRegion {
        public let base: UInt64
        public let size: UInt64
        public let host: UnsafeMutableRawPointer
        /// One byte per 4 KiB page; bit 0 set while some vCPU has decoded code from the page.
        let pageFlags: UnsafeMutablePointer<UInt8>

        @inline(__always)
        func contains(_ address: UInt64) -> Bool { address >= base && address - base < size }
    }

    private struct MMIORegion {
        let base: UInt64
        let size: UInt64
        let device: MMIODevice
    }

    public private(set) var ramRegions: [RAMRegion] = []
    private var mmioRegions: [MMIORegion] = []
    private var codeCacheOwners: [Unowned] = []

    private struct Unowned {
        unowned let owner: CodeCacheOwner
    }

    public init() {}

    deinit {
        for region in ramRegions {
            region.host.deallocate()
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
        ramRegions.append(RAMRegion(base: base, size: size, host: host, pageFlags: flags))
        ramRegions.sort { $0.base < $1.base }
    }

    /// Maps `device` at `base` for `size` bytes.
    public func addMMIO(base: UInt64, size: UInt64, device: MMIODevice) throws(PhysicalMemoryError) {
        guard !overlaps(base: base, size: size) else { throw .overlap(base: base, size: size) }
        mmioRegions.append(MMIORegion(base: base, size: size, device: device))
        mmioRegions.sort { $0.base < $1.base }
    }

    /// Registers a vCPU (or anything else) that caches decoded code.
    public func addCodeCacheOwner(_ owner: CodeCacheOwner) {
        codeCacheOwners.append(Unowned(owner: owner))
    }

    private func overlaps(base: UInt64, size: UInt64) -> Bool {
        let end = base &+ size
        guard end > base else { return true }
        for region in ramRegions where base < region.base + region.size && region.base < end { return true }
        for region in mmioRegions where base < region.base + region.size && region.base < end { return true }
        return false
    }

    private func allocateZeroed(_ size: Int) -> UnsafeMutableRawPointer? {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
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

    // MARK: - Code pages

    /// Whether a vCPU holds decoded code from the RAM page at `address`.
    func isCodePage(_ address: UInt64, in region: RAMRegion) -> Bool {
        region.pageFlags[Int((address - region.base) >> 12)] & 1 != 0
    }

    /// Marks the page at `address` as holding decoded code and tells every code-cache owner.
    func registerCodePage(_ address: UInt64, in region: RAMRegion) {
        let index = Int((address - region.base) >> 12)
        guard region.pageFlags[index] & 1 == 0 else { return }
        region.pageFlags[index] |= 1
        for entry in codeCacheOwners { entry.owner.codePageRegistered(physicalPage: address >> 12) }
    }

    /// A write is about to change the page at `address`: drop decoded copies if there are any.
    @inline(__always)
    func noteWrite(_ address: UInt64, in region: RAMRegion) {
        let index = Int((address - region.base) >> 12)
        if region.pageFlags[index] & 1 != 0 {
            region.pageFlags[index] &= ~1
            for entry in codeCacheOwners { entry.owner.invalidateCode(physicalPage: address >> 12) }
        }
    }

    // MARK: - Access for loaders, devices and tests

    /// Copies `bytes` into RAM at `address`. Fails if the range is not all RAM.
    public func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        guard isRAM(address, length: UInt64(bytes.count)), let region = ramRegion(containing: address) else { return false }
        var page = address & ~0xFFF
        while page < address + UInt64(bytes.count) {
            noteWrite(page, in: region)
            page += 4096
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
