import Foundation

/// Assembles AArch64 source with the Swift toolchain's clang and ld.lld into a flat binary
/// linked at `base`, so directed tests can be written as assembly next to their expectations.
public enum Assembler {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func assemble(_ source: String, base: UInt64 = 0x4000_0000) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conduit-asm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sourceFile = directory.appendingPathComponent("test.S")
        let object = directory.appendingPathComponent("test.o")
        let binary = directory.appendingPathComponent("test.bin")
        let text = ".text\n.globl _start\n_start:\n" + source + "\n"
        try text.write(to: sourceFile, atomically: true, encoding: .utf8)
        try run("clang", ["--target=aarch64-none-elf", "-march=armv8.1-a+crc+aes+sha2", "-c", sourceFile.path, "-o", object.path])
        try run("ld.lld", ["-Ttext=0x\(String(base, radix: 16))", "--oformat", "binary", "-e", "_start", object.path, "-o", binary.path])
        return [UInt8](try Data(contentsOf: binary))
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "\(tool) failed: \(message)")
        }
    }
}
