#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory for translated code, one per vCPU, of a fixed size (``AArch64CPU/translationCacheSize``).
///
/// Never writable and executable at once: the mapping is reserved with no access, and the pages
/// a new block lands on are made read-write for the copy and read-execute before anything runs
/// them. The pages stay with their vCPU, whose thread alone writes and runs them, so no other
/// thread can be executing a page while it is writable. Blocks are placed one after the other;
/// when the next one does not fit, the whole cache is emptied (``flush()``), as QEMU's
/// `tb_flush` does, and its owner forgets every translation.
final class CodeCache {
    /// Bytes of code space.
    let capacity: Int
    private let base: UnsafeMutableRawPointer
    private var used = 0
    private let pageSize: Int
    /// How many times the cache was emptied because it was full.
    private(set) var flushes = 0

    /// Maps `capacity` bytes (rounded up to whole pages), or returns nil when the host refuses.
    init?(capacity: Int) {
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let rounded = (max(capacity, pageSize) + pageSize - 1) / pageSize * pageSize
        let mapping = mmap(nil, rounded, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { return nil }
        self.base = mapping
        self.capacity = rounded
    }

    deinit { munmap(base, capacity) }

    /// Copies `code` into the cache and returns its executable address, or nil when it does not
    /// fit (the caller flushes and tries again) or the host refuses the protection change.
    func install(_ code: [UInt8]) -> UnsafeRawPointer? {
        // 16-byte aligned starts: the low four bits of an address are free for the tag the
        // translation tables keep beside it.
        let start = (used + 15) & ~15
        guard code.count > 0, start + code.count <= capacity else { return nil }
        let firstPage = start / pageSize * pageSize
        let end = (start + code.count + pageSize - 1) / pageSize * pageSize
        let pages = base + firstPage
        guard mprotect(pages, end - firstPage, PROT_READ | PROT_WRITE) == 0 else { return nil }
        code.withUnsafeBytes { (base + start).copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        guard mprotect(pages, end - firstPage, PROT_READ | PROT_EXEC) == 0 else { return nil }
        used = start + code.count
        return UnsafeRawPointer(base + start)
    }

    /// Empties the cache: every address ``install(_:)`` returned is dead from now on.
    func flush() {
        mprotect(base, capacity, PROT_NONE)
        used = 0
        flushes += 1
    }

    /// Bytes in use.
    var bytesUsed: Int { used }
}
