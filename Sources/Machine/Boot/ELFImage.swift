/// An ELF64 executable for AArch64 (ELF-64 Object File Format; AArch64 ELF ABI): its entry and
/// the bytes of each `PT_LOAD` segment at its physical address, as QEMU's `load_elf` places them.
///
/// Every header field is untrusted: offsets and sizes are checked against the file and the load
/// window with overflow-checked arithmetic before any byte is copied or any memory allocated, so
/// a crafted file ends in an ``ELFError``, never a trap or an allocation sized by the file.
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

    /// The size of an ELF64 program header (`Elf64_Phdr`).
    static let programHeaderSize = 56

    /// Parses `bytes`, whose segments must lie in `window` (the RAM they load into), together
    /// holding no more than the window's size. Errors say what is wrong, in one line.
    public init(_ bytes: [UInt8], window: Range<UInt64>) throws(ELFError) {
        func little(_ at: UInt64, _ size: Int) throws(ELFError) -> UInt64 {
            guard at <= UInt64(bytes.count), UInt64(bytes.count) - at >= UInt64(size) else { throw .truncated(at) }
            var value: UInt64 = 0
            for index in 0..<size { value |= UInt64(bytes[Int(at) + index]) << UInt64(index * 8) }
            return value
        }
        func u16(_ at: UInt64) throws(ELFError) -> UInt64 { try little(at, 2) }
        func u32(_ at: UInt64) throws(ELFError) -> UInt64 { try little(at, 4) }
        func u64(_ at: UInt64) throws(ELFError) -> UInt64 { try little(at, 8) }

        guard Self.isELF(bytes) else { throw .notELF }
        guard bytes.count >= 64 else { throw .truncated(UInt64(bytes.count)) }
        guard bytes[4] == 2 else { throw .unsupported("it is a 32-bit ELF file; Conduit runs AArch64 (ELFCLASS64) guests") }
        guard bytes[5] == 1 else { throw .unsupported("it is big-endian; Conduit runs little-endian guests") }
        let machine = try u16(18)
        guard machine == 183 else { throw .unsupported("e_machine is \(machine), not 183 (AArch64)") }
        let type = try u16(16)
        guard type == 2 || type == 3 else { throw .unsupported("e_type is \(type): not an executable") }

        entry = try u64(24)
        let programHeaders = try u64(32)
        let entrySize = try u16(54)
        let count = try u16(56)
        guard count == 0 || entrySize >= UInt64(Self.programHeaderSize) else {
            throw .unsupported("program header entries of \(entrySize) bytes (an ELF64 one has \(Self.programHeaderSize))")
        }
        // count and entrySize are 16-bit: the table's extent cannot overflow.
        let (tableEnd, tableOverflow) = programHeaders.addingReportingOverflow(count * entrySize)
        guard !tableOverflow, tableEnd <= UInt64(bytes.count) else {
            throw .unsupported("the program header table (e_phoff \(hex64(programHeaders)), \(count) entries) runs past the end of the file")
        }

        // First every header is checked, then bytes are copied: nothing is allocated for a file
        // that is refused.
        var placements: [(physical: UInt64, offset: Int, fileSize: Int, memorySize: Int)] = []
        var loaded: UInt64 = 0
        for index in 0..<Int(count) {
            let header = programHeaders + UInt64(index) * entrySize
            guard try u32(header) == 1 else { continue }  // PT_LOAD
            let offset = try u64(header + 8)
            let physical = try u64(header + 24)
            let fileSize = try u64(header + 32)
            let memorySize = try u64(header + 40)
            let (fileEnd, fileOverflow) = offset.addingReportingOverflow(fileSize)
            guard !fileOverflow, fileEnd <= UInt64(bytes.count) else {
                throw .segment(index, "its file bytes (p_offset \(hex64(offset)), p_filesz \(hex64(fileSize))) run past the end of the file")
            }
            guard memorySize >= fileSize else {
                throw .segment(index, "p_memsz \(hex64(memorySize)) is smaller than p_filesz \(hex64(fileSize))")
            }
            let (end, endOverflow) = physical.addingReportingOverflow(memorySize)
            guard !endOverflow, physical >= window.lowerBound, end <= window.upperBound else {
                throw .segment(index, "it does not fit in RAM: \(hex64(physical)) plus \(hex64(memorySize)) bytes, RAM is \(hex64(window.lowerBound))-\(hex64(window.upperBound &- 1))")
            }
            let windowSize = window.upperBound - window.lowerBound
            let (total, totalOverflow) = loaded.addingReportingOverflow(memorySize)
            guard !totalOverflow, total <= windowSize else {
                throw .segment(index, "the segments hold more bytes than fit in RAM (\(windowSize >> 20) MiB)")
            }
            loaded = total
            if memorySize > 0 { placements.append((physical, Int(offset), Int(fileSize), Int(memorySize))) }
        }
        guard !placements.isEmpty else { throw .unsupported("it has no loadable segments") }
        segments = placements.map { placement in
            var data = [UInt8](repeating: 0, count: placement.memorySize)
            data.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[placement.offset..<placement.offset + placement.fileSize]))
                }
            }
            return Segment(physicalAddress: placement.physical, bytes: data)
        }
    }
}

/// Why a file is not a loadable ELF image.
public enum ELFError: Error, CustomStringConvertible, Equatable {
    case notELF
    case truncated(UInt64)
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
