#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linux perf's map of JIT code (tools/perf/Documentation/jit-interface.txt): one line per
/// translated block, `START SIZE name` in hex, in /tmp/perf-PID.map, so `perf report` names
/// translated code by the guest address it came from (QEMU's `-perfmap`).
enum PerfMap {
    /// The map's descriptor, opened on first use and shared by every vCPU: each line is one
    /// `write` to a file opened for appending, which the kernel does not interleave.
    private static let descriptor: Int32 = open("/tmp/perf-\(getpid()).map", O_WRONLY | O_CREAT | O_APPEND, 0o644)

    /// Records a block of `size` bytes at `code` translated from guest `pc` at `el`.
    static func record(code: UnsafeRawPointer, size: Int, pc: UInt64, el: UInt8) {
        guard descriptor >= 0 else { return }
        let line = "\(String(UInt(bitPattern: code), radix: 16)) \(String(size, radix: 16)) A64@0x\(String(pc, radix: 16))-EL\(el)\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
