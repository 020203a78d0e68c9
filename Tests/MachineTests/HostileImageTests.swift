import Machine
import Testing

/// Crafted kernels and device trees: every header field whose arithmetic could overflow, and
/// every size that could exhaust memory, ends in a one-line error (issue 11). The expected
/// messages are the ones `conduit run` prints.
struct HostileImageTests {
    let loader = KernelLoader(ramSize: 128 << 20)

    /// `minimalELF` with one 64-bit program-header field replaced.
    func elf(patching offset: Int, with value: UInt64) throws -> [UInt8] {
        var bytes = try KernelLoaderTests.minimalELF(entry: 0x4020_0000, address: 0x4020_0000, code: [0x1F, 0x20, 0x03, 0xD5])
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        return bytes
    }

    func error(_ kernel: [UInt8]) -> String? {
        do {
            _ = try loader.plan(kernel: kernel, kernelName: "k", initrd: nil) { _ in [] }
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        (32, Int64.max, "k: the program header table (e_phoff 0x7fffffffffffffff, 1 entries) runs past the end of the file"),
        (72, -1, "k: program header 0: its file bytes (p_offset 0xffffffffffffffff, p_filesz 0x4) run past the end of the file"),
        (96, Int64.max, "k: program header 0: its file bytes (p_offset 0x78, p_filesz 0x7fffffffffffffff) run past the end of the file"),
        (88, -2, "k: program header 0: it does not fit in RAM: 0xfffffffffffffffe plus 0x14 bytes, RAM is 0x40000000-0x47ffffff"),
        (104, 1 << 36, "k: program header 0: it does not fit in RAM: 0x40200000 plus 0x1000000000 bytes, RAM is 0x40000000-0x47ffffff"),
        (104, -1, "k: program header 0: it does not fit in RAM: 0x40200000 plus 0xffffffffffffffff bytes, RAM is 0x40000000-0x47ffffff"),
        (104, 2, "k: program header 0: p_memsz 0x2 is smaller than p_filesz 0x4"),
    ] as [(Int, Int64, String)])
    func elfHeaderFields(offset: Int, value: Int64, message: String) throws {
        #expect(error(try elf(patching: offset, with: UInt64(bitPattern: value))) == message)
    }

    @Test func overlappingSegmentsCannotHoldMoreThanRAM() throws {
        // Two program headers, each covering all of RAM.
        var bytes = try elf(patching: 104, with: 128 << 20)
        bytes[88..<96] = [0, 0, 0, 0x40, 0, 0, 0, 0]
        bytes[56] = 2  // e_phnum
        let header = Array(bytes[64..<120])
        bytes.replaceSubrange(120..<120, with: header)
        bytes[72..<80] = [176, 0, 0, 0, 0, 0, 0, 0]
        bytes[128..<136] = [176, 0, 0, 0, 0, 0, 0, 0]
        #expect(error(bytes) == "k: program header 1: the segments hold more bytes than fit in RAM (128 MiB)")
    }

    @Test(arguments: [
        (UInt64.max, UInt64(0x1_0000), "k: its Image header's text_offset 0xffffffffffffffff lies outside the machine's 128 MiB of RAM"),
        (UInt64(1) << 63, UInt64(0x1_0000), "k: its Image header's text_offset 0x8000000000000000 lies outside the machine's 128 MiB of RAM"),
        (0, UInt64.max, "k: its Image header asks for 0xffffffffffffffff bytes at text_offset 0x0: more than the machine's 128 MiB of RAM (-m)"),
        (0x7F0_0000, UInt64(0x20_0000), "k: its Image header asks for 0x200000 bytes at text_offset 0x7f00000: more than the machine's 128 MiB of RAM (-m)"),
    ] as [(UInt64, UInt64, String)])
    func imageHeaderFields(textOffset: UInt64, imageSize: UInt64, message: String) {
        #expect(error(KernelLoaderTests().linuxImage(textOffset: textOffset, imageSize: imageSize)) == message)
    }

    @Test func emptyFilesAndAArch32ZImagesAreNotKernels() {
        #expect(error([]) == "k: the kernel file is empty")
        var zImage = [UInt8](repeating: 0, count: 0x100)
        zImage[0x24..<0x28] = [0x18, 0x28, 0x6F, 0x01]
        #expect(error(zImage) == "k: an AArch32 Linux zImage; Conduit runs AArch64 guests (use the arm64 kernel's Image)")
    }

    @Test func initrdThatDoesNotFitAfterTheKernel() {
        let small = KernelLoader(ramSize: 4 << 20)
        #expect(throws: MachineError.image("initrd", "3145728 bytes at 0x40200000 do not fit in the machine's 4 MiB of RAM after the kernel (-m)")) {
            try small.plan(kernel: [0, 0, 0x80, 0xD2], kernelName: "k", initrd: [UInt8](repeating: 0, count: 3 << 20)) { _ in [] }
        }
    }

    // MARK: - Device trees

    /// A blob whose root holds `depth` nested nodes.
    func nested(_ depth: Int) -> [UInt8] {
        var root = DeviceTreeNode("")
        let top = root
        for _ in 0..<depth {
            let child = DeviceTreeNode("n")
            root.add(child)
            root = child
        }
        return FlattenedDeviceTree.serialize(top)
    }

    @Test func nestingDeeperThanLinuxTakesIsRefused() throws {
        #expect(throws: Never.self) { try FlattenedDeviceTree.parse(nested(63)) }
        #expect(throws: FlattenedDeviceTree.ParseError.self) { try FlattenedDeviceTree.parse(nested(64)) }
    }

    @Test func aHundredThousandLevelsSerializeAndFreeWithoutRecursion() throws {
        // Built by a library user, not parsed: the serializer and the nodes' deinit are
        // iterative, so neither overflows the stack.
        let blob = nested(100_000)
        #expect(blob.count > 100_000 * 8)
    }

    @Test func headerOffsetsAndLengthsAreChecked() {
        func parse(_ patch: (inout [UInt8]) -> Void) -> String? {
            var blob = FlattenedDeviceTree.serialize(DeviceTreeNode(""))
            patch(&blob)
            do {
                _ = try FlattenedDeviceTree.parse(blob)
                return nil
            } catch {
                return error.problem
            }
        }
        func put(_ value: UInt32, at offset: Int, in blob: inout [UInt8]) {
            for i in 0..<4 { blob[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
        }
        #expect(parse { put(0xFFFF_FFFF, at: 4, in: &$0) }?.hasPrefix("totalsize 4294967295 is larger than the file") == true)
        #expect(parse { put(0xFFFF_FFF0, at: 8, in: &$0) } == "structure block starts past the end")
        #expect(parse { put(0xFFFF_FFFF, at: 12, in: &$0) } == "strings block runs past the end")
        #expect(parse { put(0xFFFF_FFFF, at: 32, in: &$0) } == "strings block runs past the end")
        #expect(parse { put(1, at: 20, in: &$0) } == "version 1 is older than 16")
    }
}
