import Foundation

/// Reads a file a flag names, bounded: the size is checked before the bytes are read (a sparse
/// 8 GB file is refused without touching it), and a stream with no size (a FIFO, `/dev/zero`) is
/// read only up to the limit plus one byte. Errors are one line naming the file and the problem.
///
/// - Parameters:
///   - what: what the file is, for messages ("kernel", "initrd").
///   - limit: the most bytes the file may hold.
///   - limitReason: why that is the limit ("the machine's 128 MiB of RAM").
func readFile(_ path: String, what: String, limit: Int, limitReason: String) throws -> [UInt8] {
    func failure(_ problem: String) -> CommandError { CommandError("\(path): \(what) \(problem)") }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        if errno == ENOENT { throw failure("does not exist") }
        throw failure("cannot be read: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw failure("cannot be read: \(String(cString: strerror(errno)))") }
    switch status.st_mode & S_IFMT {
    case S_IFDIR: throw failure("is a directory")
    case S_IFREG:
        guard status.st_size <= limit else {
            throw failure("is \(byteCount(UInt64(status.st_size))), larger than \(limitReason)")
        }
    default:
        break  // a FIFO or device: read up to the limit
    }

    var bytes: [UInt8] = []
    if status.st_mode & S_IFMT == S_IFREG { bytes.reserveCapacity(Int(status.st_size)) }
    let chunkSize = 1 << 20
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    defer { chunk.deallocate() }
    while true {
        let count = read(descriptor, chunk.baseAddress, min(chunkSize, limit + 1 - bytes.count))
        if count < 0 {
            if errno == EINTR { continue }
            throw failure("cannot be read: \(String(cString: strerror(errno)))")
        }
        if count == 0 { return bytes }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        if bytes.count > limit { throw failure("is larger than \(limitReason)") }
    }
}

/// A byte count as people write it: "512 KiB", "128 MiB", "8 GiB".
func byteCount(_ bytes: UInt64) -> String {
    for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << UInt64(shift) {
        let value = Double(bytes) / Double(UInt64(1) << UInt64(shift))
        return value == value.rounded() ? "\(Int(value)) \(unit)" : String(format: "%.1f", value) + " " + unit
    }
    return "\(bytes) bytes"
}
