import Machine
import Testing

/// Image placement as QEMU's hw/arm/boot.c does it (../shared/reference/qemu-virt-and-psci.md §1.7).
struct KernelLoaderTests {
    let loader = KernelLoader(ramSize: 128 << 20)
    let blob = [UInt8](repeating: 0xAB, count: 100)

    func linuxImage(textOffset: UInt64, imageSize: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        for i in 0..<8 {
            bytes[8 + i] = UInt8(truncatingIfNeeded: textOffset >> (8 * UInt64(i)))
            bytes[16 + i] = UInt8(truncatingIfNeeded: imageSize >> (8 * UInt64(i)))
        }
        bytes[56..<60] = [0x41, 0x52, 0x4D, 0x64]
        return bytes
    }

    @Test func linuxImageWithZeroTextOffsetGoesTwoMegabytesIn() throws {
        let plan = try loader.plan(kernel: linuxImage(textOffset: 0, imageSize: 0x100_0000), kernelName: "Image", initrd: nil) { _ in blob }
        #expect(plan.entry == 0x4020_0000)
        #expect(plan.segments[0].address == 0x4020_0000)
        // No initrd: the tree goes at the 2 MiB boundary after RAM base + min(RAM/2, 128 MiB).
        #expect(plan.x0 == 0x4400_0000)
        #expect(plan.segments.last?.address == plan.x0)
    }

    @Test func rawBinariesLoadAt0x80000AndInitrdFollows() throws {
        let plan = try loader.plan(kernel: [0x00, 0x00, 0x80, 0xD2], kernelName: "flat", initrd: [UInt8](repeating: 1, count: 5000)) { range in
            #expect(range?.start == 0x4400_0000)
            #expect(range?.end == 0x4400_0000 + 5000)
            return blob
        }
        #expect(plan.entry == 0x4008_0000)
        #expect(plan.x0 == 0x4420_0000)  // 2 MiB aligned after the initrd
    }

    @Test func elfGuestsGetTheTreeAtRAMBaseAndX0Zero() throws {
        let elf = try Self.minimalELF(entry: 0x4020_0010, address: 0x4020_0000, code: [0x1F, 0x20, 0x03, 0xD5])
        let plan = try loader.plan(kernel: elf, kernelName: "guest.elf", initrd: nil) { _ in blob }
        #expect(plan.entry == 0x4020_0010)
        #expect(plan.x0 == 0)
        #expect(plan.segments.last?.address == 0x4000_0000)
    }

    @Test func badImagesGetOneLineErrors() {
        #expect(throws: MachineError.image("k.gz", "gzip-compressed kernels are not supported; decompress it first (gunzip)")) {
            try loader.plan(kernel: [0x1F, 0x8B, 8, 0], kernelName: "k.gz", initrd: nil) { _ in [] }
        }
        var elf32 = [UInt8](repeating: 0, count: 64)
        elf32[0..<6] = [0x7F, 0x45, 0x4C, 0x46, 1, 1]
        #expect(throws: MachineError.image("old.elf", "it is a 32-bit ELF file; Conduit runs AArch64 (ELFCLASS64) guests")) {
            try loader.plan(kernel: elf32, kernelName: "old.elf", initrd: nil) { _ in [] }
        }
    }

    /// An ELF64 executable with one PT_LOAD segment.
    static func minimalELF(entry: UInt64, address: UInt64, code: [UInt8]) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 120)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        bytes[0..<7] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1]
        put(2, at: 16, size: 2)         // ET_EXEC
        put(183, at: 18, size: 2)       // EM_AARCH64
        put(1, at: 20, size: 4)
        put(entry, at: 24, size: 8)
        put(64, at: 32, size: 8)        // e_phoff
        put(64, at: 52, size: 2)        // e_ehsize
        put(56, at: 54, size: 2)        // e_phentsize
        put(1, at: 56, size: 2)         // e_phnum
        put(1, at: 64, size: 4)         // PT_LOAD
        put(120, at: 72, size: 8)       // p_offset
        put(address, at: 80, size: 8)   // p_vaddr
        put(address, at: 88, size: 8)   // p_paddr
        put(UInt64(code.count), at: 96, size: 8)
        put(UInt64(code.count) + 16, at: 104, size: 8)
        return bytes + code
    }
}
