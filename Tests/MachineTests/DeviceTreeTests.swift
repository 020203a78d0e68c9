import Firmware
import Foundation
import Machine
import SMCCC
import Testing

/// The generated device tree: QEMU's `virt` nodes, and firmware nodes that match the policy.
struct DeviceTreeTests {
    func tree(_ configure: (inout MachineConfiguration) throws -> Void = { _ in }) throws -> DeviceTreeNode {
        var configuration = MachineConfiguration()
        try configure(&configuration)
        let machine = try VirtMachine(configuration) { _ in }
        let root = VirtDeviceTree.generate(configuration: configuration, router: machine.router,
                                           mpidrs: machine.cpus.map(\.identity.mpidr),
                                           chosen: .init(bootArguments: "console=ttyAMA0", initrd: (0x4800_0000, 0x4810_0000)))
        // Every test goes through the blob and back, so the serialiser is checked too.
        return try FlattenedDeviceTree.parse(FlattenedDeviceTree.serialize(root))
    }

    func string(_ node: DeviceTreeNode?, _ property: String) -> [String]? {
        guard let bytes = node?.property(property) else { return nil }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func psciNodeFollowsThePolicy() throws {
        let psci = try tree().child("psci")
        #expect(string(psci, "compatible") == ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])
        #expect(string(psci, "method") == ["hvc"])
        #expect(psci?.property("cpu_on") == [0xC4, 0x00, 0x00, 0x03])

        let smc = try tree { $0.policy.conduits = .smc; $0.policy.apply(.psci) }.child("psci")
        #expect(string(smc, "method") == ["smc"])

        let old = try tree { try $0.policy.setPSCIVersion(.v0_2) }.child("psci")
        #expect(string(old, "compatible") == ["arm,psci-0.2", "arm,psci"])
    }

    @Test func noPSCINodeWhenNothingAnswersPSCI() throws {
        // PSCI forwarded with no handler, or denied by a range: the guest must not be told.
        let forwarded = try tree { $0.policy.psciMode = .forward }
        #expect(forwarded.child("psci") == nil)
        #expect(forwarded.child("cpus")?.children.first?.property("enable-method") == nil)
        let denied = try tree {
            try $0.policy.addRange(FunctionIDRange(first: 0x8400_0000, last: 0x8400_001F), action: .deny)
            try $0.policy.addRange(FunctionIDRange(first: 0xC400_0000, last: 0xC400_001F), action: .deny)
        }
        #expect(denied.child("psci") == nil)
    }

    @Test func cpusMemoryTimerAndChosen() throws {
        let root = try tree { $0.cpuCount = 3; $0.ramSize = 256 << 20 }
        let cpus = try #require(root.child("cpus"))
        #expect(cpus.children.map(\.name) == ["cpu@0", "cpu@1", "cpu@2"])
        #expect(cpus.children[2].property("reg") == [0, 0, 0, 2])
        #expect(string(cpus.children[0], "enable-method") == ["psci"])
        #expect(root.child("memory@40000000")?.property("reg") == [0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0])
        #expect(root.child("timer")?.property("interrupts")?.count == 48)
        let chosen = try #require(root.child("chosen"))
        #expect(string(chosen, "bootargs") == ["console=ttyAMA0"])
        #expect(string(chosen, "stdout-path") == ["/pl011@9000000"])
        #expect(chosen.property("linux,initrd-start") == [0, 0, 0, 0, 0x48, 0, 0, 0])
        #expect(string(root.child("intc@8000000"), "compatible") == ["arm,gic-v3"])
        #expect(string(try tree { $0.gicVersion = 2 }.child("intc@8000000"), "compatible") == ["arm,cortex-a15-gic"])
    }

    @Test func virtioTransportsAsQEMUListsThem() throws {
        let transports = try tree().children.filter { $0.name.hasPrefix("virtio_mmio@") }
        #expect(transports.count == 32)
        #expect(transports.first?.name == "virtio_mmio@a000000")
        #expect(transports.last?.name == "virtio_mmio@a003e00")
        #expect(string(transports.first, "compatible") == ["virtio,mmio"])
        #expect(transports.first?.property("interrupts") == [0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 1])  // SPI 16, edge
        #expect(transports.last?.property("interrupts") == [0, 0, 0, 0, 0, 0, 0, 47, 0, 0, 0, 1])
        #expect(transports.first?.property("dma-coherent") == [])
    }

    @Test func chosenSeedsComeFromTheEntropySource() throws {
        // Under a seeded TRNG the seeds repeat, and come from a stream of their own: the
        // guest's first TRNG word is what it was before the seeds existed.
        let seeded = VirtDeviceTree.Chosen.seeds(from: .seeded(42))
        #expect(seeded.kaslr == VirtDeviceTree.Chosen.seeds(from: .seeded(42)).kaslr)
        #expect(seeded.rng == VirtDeviceTree.Chosen.seeds(from: .seeded(42)).rng)
        #expect(seeded.rng.count == 32)
        var trng = EntropyStream(.seeded(42))
        #expect(trng.next() != seeded.kaslr)
        #expect(VirtDeviceTree.Chosen.seeds(from: .system).kaslr != VirtDeviceTree.Chosen.seeds(from: .system).kaslr)

        var configuration = MachineConfiguration()
        configuration.cpuCount = 1
        let machine = try VirtMachine(configuration) { _ in }
        let root = VirtDeviceTree.generate(configuration: configuration, router: machine.router, mpidrs: machine.cpus.map(\.identity.mpidr),
                                           chosen: .init(seeds: seeded))
        let chosen = try #require(root.child("chosen"))
        #expect(chosen.property("kaslr-seed") == withUnsafeBytes(of: seeded.kaslr.bigEndian, Array.init))
        #expect(chosen.property("rng-seed") == seeded.rng)
    }

    @Test func aUserTreeIsPatchedAndContradictionsAreReported() throws {
        let user = DeviceTreeNode("")
        let psci = user.add(DeviceTreeNode("psci"))
        psci.set("method", string: "smc")
        user.add(DeviceTreeNode("memory@80000000")).set("reg", u64s: [0x8000_0000, 1 << 20])
        let machine = try VirtMachine(MachineConfiguration()) { _ in }
        let warnings = VirtDeviceTree.patch(user, configuration: machine.configuration, router: machine.router,
                                            chosen: .init(bootArguments: "quiet"))
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("answers PSCI through hvc") == true)
        #expect(user.child("memory@80000000") == nil)
        #expect(user.child("memory@40000000") != nil)
        #expect(string(user.child("chosen"), "bootargs") == ["quiet"])
    }

    @Test func dtcAcceptsTheBlob() throws {
        let dtc = ["/usr/bin/dtc", "/usr/local/bin/dtc"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let dtc else { return }  // dtc (device-tree-compiler) is optional
        let machine = try VirtMachine(MachineConfiguration()) { _ in }
        let blob = FlattenedDeviceTree.serialize(VirtDeviceTree.generate(
            configuration: machine.configuration, router: machine.router, mpidrs: machine.cpus.map(\.identity.mpidr), chosen: .init()))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("conduit-\(UUID().uuidString).dtb")
        try Data(blob).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dtc)
        process.arguments = ["-I", "dtb", "-O", "dts", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let source = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(source.contains("arm,psci-1.0"))
        #expect(source.contains("pl011@9000000"))
    }

    @Test func parseRejectsGarbage() {
        #expect(throws: FlattenedDeviceTree.ParseError.self) { try FlattenedDeviceTree.parse([1, 2, 3]) }
        #expect(throws: FlattenedDeviceTree.ParseError.self) { try FlattenedDeviceTree.parse([0xD0, 0x0D, 0xFE, 0xED, 0, 0, 0, 0xFF]) }
    }
}
