/// Places a kernel, an initrd and a device tree in RAM the way QEMU's `hw/arm/boot.c` does for
/// the `virt` board (`../shared/reference/qemu-virt-and-psci.md` §1.7), so that the same files
/// boot the same way:
///
/// - an **ELF** file loads at its segments' physical addresses and starts at its entry with
///   X0 = 0; the device tree goes at the base of RAM if the image leaves room there;
/// - an **arm64 Linux Image** ("ARM\x64" at 56, image_size at 16 non-zero) loads at the RAM base
///   plus text_offset (plus 2 MiB when text_offset is under 4 KiB); any other file is a **raw
///   binary** and loads at RAM base + 0x80000; both start with X0 = the device tree's address;
/// - the initrd goes at RAM base + min(RAM / 2, 128 MiB), above the kernel, page-aligned; the
///   device tree at the next 2 MiB boundary after it.
public struct KernelLoader {
    /// What kind of kernel a file is.
    public enum Kind: Equatable, Sendable {
        case elf
        case linuxImage(textOffset: UInt64, imageSize: UInt64)
        case raw
    }

    public let ramBase: UInt64
    public let ramSize: UInt64

    public init(ramBase: UInt64 = VirtMemoryMap.ramBase, ramSize: UInt64) {
        self.ramBase = ramBase
        self.ramSize = ramSize
    }

    /// The offset QEMU loads header-less images at.
    static let rawOffset: UInt64 = 0x8_0000

    /// Classifies `bytes`.
    public static func kind(of bytes: [UInt8]) -> Kind {
        if ELFImage.isELF(bytes) { return .elf }
        if bytes.count >= 64, bytes[56..<60].elementsEqual([0x41, 0x52, 0x4D, 0x64]) {
            func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << UInt64($1 * 8) } }
            let imageSize = u64(16)
            if imageSize != 0 { return .linuxImage(textOffset: u64(8), imageSize: imageSize) }
        }
        return .raw
    }

    /// The kernel's segments, entry, where the next thing may go, and whether X0 carries the
    /// device tree.
    struct PlacedKernel {
        var segments: [BootPlan.Segment]
        var entry: UInt64
        var lowest: UInt64
        var end: UInt64
        var passesDeviceTree: Bool
    }

    func place(kernel bytes: [UInt8], name: String) throws(MachineError) -> PlacedKernel {
        if bytes.isEmpty { throw .image(name, "the kernel file is empty") }
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            throw .image(name, "gzip-compressed kernels are not supported; decompress it first (gunzip)")
        }
        if Self.isAArch32ZImage(bytes) {
            throw .image(name, "an AArch32 Linux zImage; Conduit runs AArch64 guests (use the arm64 kernel's Image)")
        }
        let ramEnd = ramBase + ramSize
        switch Self.kind(of: bytes) {
        case .elf:
            let elf: ELFImage
            do { elf = try ELFImage(bytes, window: ramBase..<ramEnd) } catch { throw .image(name, "\(error)") }
            let segments = elf.segments.map { BootPlan.Segment(name: name, address: $0.physicalAddress, bytes: $0.bytes) }
            return PlacedKernel(segments: segments, entry: elf.entry, lowest: elf.lowestAddress, end: elf.endAddress, passesDeviceTree: false)
        case .linuxImage(let textOffset, let imageSize):
            // booting.rst: the image occupies image_size bytes from text_offset (2 MiB-aligned
            // base plus the offset); both header fields are the file's word, so check them
            // against RAM before any arithmetic.
            guard textOffset < ramSize else {
                throw .image(name, "its Image header's text_offset \(hex64(textOffset)) lies outside the machine's \(ramSize >> 20) MiB of RAM")
            }
            let offset = textOffset < 4096 ? textOffset + (2 << 20) : textOffset
            let size = max(imageSize, UInt64(bytes.count))
            guard offset <= ramSize, size <= ramSize - offset else {
                throw .image(name, "its Image header asks for \(hex64(imageSize)) bytes at text_offset \(hex64(textOffset)): more than the machine's \(ramSize >> 20) MiB of RAM (-m)")
            }
            let address = ramBase + offset
            return PlacedKernel(segments: [BootPlan.Segment(name: name, address: address, bytes: bytes)], entry: address,
                                lowest: address, end: address + size, passesDeviceTree: true)
        case .raw:
            let address = ramBase + Self.rawOffset
            guard UInt64(bytes.count) <= ramSize - Self.rawOffset else {
                throw .image(name, "\(bytes.count) bytes at \(hex64(address)) do not fit in the machine's \(ramSize >> 20) MiB of RAM (-m)")
            }
            return PlacedKernel(segments: [BootPlan.Segment(name: name, address: address, bytes: bytes)], entry: address,
                                lowest: address, end: address + UInt64(bytes.count), passesDeviceTree: true)
        }
    }

    /// The magic an AArch32 zImage carries at offset 0x24 (arch/arm/boot/compressed/head.S).
    static func isAArch32ZImage(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 0x28 && bytes[0x24..<0x28].elementsEqual([0x18, 0x28, 0x6F, 0x01])
    }

    /// Where the initrd goes after a kernel ending at `kernelEnd`.
    func initrdAddress(kernelEnd: UInt64) -> UInt64 {
        let start = max(ramBase + min(ramSize / 2, 128 << 20), kernelEnd)
        return (start + 4095) & ~4095
    }

    /// The whole plan. `deviceTree` builds the blob once the initrd's place is known.
    public func plan(kernel: [UInt8], kernelName: String, initrd: [UInt8]?, initrdName: String = "initrd",
                     deviceTree: ((start: UInt64, end: UInt64)?) -> [UInt8]) throws(MachineError) -> BootPlan {
        let placed = try place(kernel: kernel, name: kernelName)
        var segments = placed.segments
        var cursor = placed.end
        var initrdRange: (start: UInt64, end: UInt64)?
        if let initrd {
            let start = initrdAddress(kernelEnd: placed.end)
            guard start <= ramBase + ramSize, UInt64(initrd.count) <= ramBase + ramSize - start else {
                throw .image(initrdName, "\(initrd.count) bytes at \(hex64(start)) do not fit in the machine's \(ramSize >> 20) MiB of RAM after the kernel (-m)")
            }
            segments.append(BootPlan.Segment(name: initrdName, address: start, bytes: initrd))
            initrdRange = (start, start + UInt64(initrd.count))
            cursor = start + UInt64(initrd.count)
        } else {
            cursor = initrdAddress(kernelEnd: placed.end)
        }
        let blob = deviceTree(initrdRange)
        var dtbAddress = (cursor + (2 << 20) - 1) & ~((2 << 20) - 1)
        if !placed.passesDeviceTree, placed.lowest >= ramBase + UInt64(blob.count) {
            // QEMU puts an ELF guest's device tree at the base of RAM when the image leaves room.
            dtbAddress = ramBase
        }
        guard dtbAddress + UInt64(blob.count) <= ramBase + ramSize else {
            throw .image("device tree", "no room in \(ramSize >> 20) MiB of RAM after the kernel and initrd; give the machine more memory (-m)")
        }
        segments.append(BootPlan.Segment(name: "device tree", address: dtbAddress, bytes: blob))
        return BootPlan(segments: segments, entry: placed.entry, x0: placed.passesDeviceTree ? dtbAddress : 0)
    }
}
