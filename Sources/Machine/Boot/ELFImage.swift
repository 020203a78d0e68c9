/// An ELF64 executable for AArch64 (ELF-64 Object File Format; AArch64 ELF ABI): its entry and
/// the bytes of each `PT_LOAD` segment at its physical address, as QEMU's `load_elf` places them.
public struct ELFImage {
    public struct Segment {
        public var physicalAddress: UInt64
        /// The file bytes followed by zeros up to the memory size.
        public var bytes: [UInt8]
    }

    public let entry: UInt64
    public let segments: [Segment]

    /// The lowest and one past the highest address the segments occupy.
    public var lowestAddress: UInt64 { segments.map(\.physicalAddress).min() ?? 0 }
    public var endAddress: UInt64 { segments.map { $0.physicalAddress + UInt64($0.bytes.count) }.max() ?? 0 }

    /// Whether `bytes` starts with the ELF magic.
    public static func isELF(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) }

    /// Parses `bytes`. Errors say what is wrong, in one line.
    public init(_ bytes: [UInt8]) throws(ELFError) {
        func u16(_ at: Int) throws(ELFError) -> UInt64 { try little(at, 2) }
        func u32(_ at: Int) throws(ELFError) -> UInt64 { try little(at, 4) }
        func u64(_ at: Int) throws(ELFError) -> UInt64 { try little(at, 8) }
        func little(_ at: Int, _ size: Int) throws(ELFError) -> UInt64 {
            guard at >= 0, at + size <= bytes.count else { throw .truncated(at) }
            var value: UInt64 = 0
            for index in 0..<size { value |= UInt64(bytes[at + index]) << UInt64(index * 8) }
            return value
        }

        guard Self.isELF(bytes) else { throw .notELF }
        guard bytes.count >= 64 else { throw .truncated(bytes.count) }
        guard bytes[4] == 2 else { throw .unsupported("it is a 32-bit ELF file; Conduit runs AArch64 (ELFCLASS64) guests") }
        guard bytes[5] == 1 else { throw .unsupported("it is big-endian; Conduit runs little-endian guests") }
        let machine = try u16(18)
        guard machine == 183 else { throw .unsupported("e_machine is \(machine), not 183 (AArch64)") }
        let type = try u16(16)
        guard type == 2 || type == 3 else { throw .unsupported("e_type is \(type): not an executable") }

        entry = try u64(24)
        let programHeaders = Int(truncatingIfNeeded: try u64(32))
        let entrySize = Int(try u16(54))
        let count = Int(try u16(56))
        guard count == 0 || entrySize >= 56 else { throw .unsupported("program header entries of \(entrySize) bytes") }

        var segments: [Segment] = []
        for index in 0..<count {
            let header = programHeaders + index * entrySize
            guard try u32(header) == 1 else { continue }  // PT_LOAD
            let offset = Int(truncatingIfNeeded: try u64(header + 8))
            let physical = try u64(header + 24)
            let fileSize = Int(truncatingIfNeeded: try u64(header + 32))
            let memorySize = try u64(header + 40)
            guard fileSize >= 0, offset >= 0, offset + fileSize <= bytes.count else {
                throw .segment(index, "its file bytes run past the end of the file")
            }
            guard memorySize >= UInt64(fileSize), memorySize <= 1 << 36 else {
                throw .segment(index, "memory size \(memorySize) is smaller than its file size or implausibly large")
            }
            var data = Array(bytes[offset..<offset + fileSize])
            data += [UInt8](repeating: 0, count: Int(memorySize) - fileSize)
            if !data.isEmpty { segments.append(Segment(physicalAddress: physical, bytes: data)) }
        }
        guard !segments.isEmpty else { throw .unsupported("it has no loadable segments") }
        self.segments = segments
    }
}

/// Why a file is not a loadable ELF image.
public enum ELFError: Error, CustomStringConvertible, Equatable {
    case notELF
    case truncated(Int)
    case unsupported(String)
    case segment(Int, String)

    public var description: String {
        switch self {
        case .notELF: return "not an ELF file"
        case .truncated(let at): return "truncated ELF file (needs bytes at offset \(at))"
        case .unsupported(let why): return why
        case .segment(let index, let why): return "program header \(index): \(why)"
        }
    }
}
