import Foundation

/// Where the command line writes: standard output, standard error, or a file named by a flag.
///
/// Files are opened as `cat`, `dd` and QEMU open them: `open(2)` with `O_CREAT | O_TRUNC`, so a
/// symlink is followed, a device or FIFO is written to rather than replaced, and a regular file
/// is truncated; `-` means standard output. Writes go straight to `write(2)`, retried on `EINTR`
/// and short writes. The first error (`EPIPE` from a closed pipe, `ENOSPC` from a full disk or
/// `/dev/full`, `EBADF` from a closed descriptor) is kept, later writes are dropped, and the
/// command ends with a status that says an output failed: nothing here traps.
///
/// Used from the thread that runs the command only.
public final class OutputFile: @unchecked Sendable {
    public static let standardOutput = OutputFile(descriptor: STDOUT_FILENO, name: "standard output")
    public static let standardError = OutputFile(descriptor: STDERR_FILENO, name: "standard error")
    /// The program name ``report(_:)`` puts before a line.
    public nonisolated(unsafe) static var programName = "conduit"

    public let descriptor: Int32
    /// What the file is, for messages: "standard output", or the flag and path.
    public let name: String
    /// `errno` of the first write that failed.
    public private(set) var failure: Int32?
    private let ownsDescriptor: Bool

    private init(descriptor: Int32, name: String, owns: Bool = false) {
        self.descriptor = descriptor
        self.name = name
        self.ownsDescriptor = owns
    }

    /// Opens `path` for writing (`-` is standard output). `flag` names the option for errors.
    public static func open(_ path: String, flag: String) throws -> OutputFile {
        if path == "-" { return .standardOutput }
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw CommandError("\(flag): cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return OutputFile(descriptor: descriptor, name: "\(flag) \(path)", owns: true)
    }

    public var failed: Bool { failure != nil }

    /// The failure as one line, if there was one.
    public var failureDescription: String? {
        failure.map { "cannot write \(name): \(String(cString: strerror($0)))" }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) {
        guard failure == nil, var base = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = Foundation.write(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            remaining -= written
            base += written
        }
    }

    /// A line on standard error, prefixed with the program's name.
    public static func report(_ line: String) {
        standardError.write("\(programName): \(line)\n")
    }

    deinit {
        if ownsDescriptor { Foundation.close(descriptor) }
    }
}
