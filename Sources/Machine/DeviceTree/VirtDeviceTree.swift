import Firmware
import SMCCC

/// The device tree Conduit gives a `virt` guest: QEMU's nodes (hw/arm/virt.c and boot.c), and a
/// `/psci` node only when the policy really answers PSCI, with the `method` it really enables.
public struct VirtDeviceTree {
    /// What `/chosen` carries.
    public struct Chosen {
        public var bootArguments: String?
        public var initrd: (start: UInt64, end: UInt64)?
        /// `kaslr-seed` (8 bytes) and `rng-seed` (32 bytes) for a generated tree; a user's tree
        /// is left as it is, as QEMU leaves a `-dtb`.
        public var seeds: (kaslr: UInt64, rng: [UInt8])?
        public init(bootArguments: String? = nil, initrd: (start: UInt64, end: UInt64)? = nil,
                    seeds: (kaslr: UInt64, rng: [UInt8])? = nil) {
            self.bootArguments = bootArguments
            self.initrd = initrd
            self.seeds = seeds
        }

        /// Seeds drawn from `entropy`: the host's generator, or under a seeded TRNG a stream of
        /// its own derived from the seed, so that a reproducible run stays reproducible and
        /// the guest's TRNG answers do not change.
        public static func seeds(from entropy: EntropySource) -> (kaslr: UInt64, rng: [UInt8]) {
            var stream = EntropyStream(entropy, domain: .deviceTreeSeeds)
            let kaslr = stream.next()
            let rng = (0..<4).flatMap { _ in withUnsafeBytes(of: stream.next().littleEndian, Array.init) }
            return (kaslr, rng)
        }
    }

    static let gicPhandle: UInt32 = 0x8001
    static let clockPhandle: UInt32 = 0x8000

    /// The conduit `/psci` names, or nil when the guest must not be told about PSCI: PSCI_VERSION
    /// gets no real answer through any enabled conduit. HVC wins when both answer (QEMU's default).
    public static func psciMethod(router: FirmwareRouter) -> Conduit? {
        let version = PSCIFunction.PSCI_VERSION.rawValue
        for conduit in [Conduit.hvc, .smc] where router.answers(version, conduit: conduit) { return conduit }
        return nil
    }

    /// The `/psci` node for `version` and `method`, as QEMU's `fdt_add_psci_node` writes it.
    static func psciNode(version: PSCIVersion, method: Conduit) -> DeviceTreeNode {
        let node = DeviceTreeNode("psci")
        if version.major >= 1 {
            node.set("compatible", strings: ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])
        } else {
            node.set("compatible", strings: ["arm,psci-0.2", "arm,psci"])
        }
        node.set("method", string: method == .hvc ? "hvc" : "smc")
        node.set("cpu_suspend", cells: [0xC400_0001])
        node.set("cpu_off", cells: [0x8400_0002])
        node.set("cpu_on", cells: [0xC400_0003])
        node.set("migrate", cells: [0xC400_0005])
        return node
    }

    /// `/firmware` with a child per firmware the board profile provides, each with the `method`
    /// (conduit) that really reaches it; nil when there is none (plain `virt`). Board firmware is
    /// traditionally reached with SMC, so SMC wins when both conduits answer.
    static func firmwareNode(profile: MachineProfile, router: FirmwareRouter) -> DeviceTreeNode? {
        var children: [DeviceTreeNode] = []
        for description in profile.firmwareNodes {
            guard let method = [Conduit.smc, .hvc].first(where: { router.answers(description.probe, conduit: $0) }) else { continue }
            let node = DeviceTreeNode(description.name)
            node.set("compatible", strings: description.compatible)
            node.set("method", string: method == .smc ? "smc" : "hvc")
            children.append(node)
        }
        guard !children.isEmpty else { return nil }
        let firmware = DeviceTreeNode("firmware")
        for child in children { firmware.add(child) }
        return firmware
    }

    /// The whole tree for `machine`.
    public static func generate(configuration: MachineConfiguration, router: FirmwareRouter, mpidrs: [UInt64],
                                chosen: Chosen) -> DeviceTreeNode {
        let root = DeviceTreeNode("")
        root.set("compatible", string: "linux,dummy-virt")
        root.set("model", string: "linux,dummy-virt")
        root.set("#address-cells", cells: [2])
        root.set("#size-cells", cells: [2])
        root.set("interrupt-parent", cells: [gicPhandle])

        let psciMethod = psciMethod(router: router)
        if let psciMethod { root.add(psciNode(version: configuration.policy.psciVersion, method: psciMethod)) }
        if let firmware = firmwareNode(profile: configuration.profile, router: router) { root.add(firmware) }

        let memory = root.add(DeviceTreeNode("memory@\(hex(VirtMemoryMap.ramBase))"))
        memory.set("device_type", string: "memory")
        memory.set("reg", u64s: [VirtMemoryMap.ramBase, configuration.ramSize])

        let cpus = root.add(DeviceTreeNode("cpus"))
        let hasAff3 = mpidrs.contains { $0 >> 32 & 0xFF != 0 }
        cpus.set("#address-cells", cells: [hasAff3 ? 2 : 1])
        cpus.set("#size-cells", cells: [0])
        for mpidr in mpidrs {
            let affinity = mpidr & MPIDR.affinityMask
            let cpu = cpus.add(DeviceTreeNode("cpu@\(hex(affinity))"))
            cpu.set("device_type", string: "cpu")
            cpu.set("compatible", string: "arm,cortex-a57")
            if hasAff3 { cpu.set("reg", u64s: [affinity]) } else { cpu.set("reg", cells: [UInt32(affinity)]) }
            if psciMethod != nil { cpu.set("enable-method", string: "psci") }
        }

        // Timer PPIs as (INTID - 16), level-high; GICv2 adds the CPU mask in bits 15:8.
        let timer = root.add(DeviceTreeNode("timer"))
        timer.set("compatible", strings: ["arm,armv8-timer", "arm,armv7-timer"])
        timer.set("always-on")
        let cpuMask: UInt32 = configuration.gicVersion == 2 ? ((1 << UInt32(mpidrs.count)) - 1) << 8 : 0
        let flags = 4 | cpuMask
        timer.set("interrupts", cells: [1, 13, flags, 1, 14, flags, 1, 11, flags, 1, 10, flags])

        // The PMUv3 overflow interrupt, PPI 7 (INTID 23) level-high, as QEMU's virt describes it.
        let pmu = root.add(DeviceTreeNode("pmu"))
        pmu.set("compatible", string: "arm,armv8-pmuv3")
        pmu.set("interrupts", cells: [1, UInt32(VirtMemoryMap.pmuPPI - 16), flags])

        let gic = root.add(DeviceTreeNode("intc@\(hex(VirtMemoryMap.gicDistributor))"))
        gic.set("phandle", cells: [gicPhandle])
        gic.set("#interrupt-cells", cells: [3])
        gic.set("interrupt-controller")
        gic.set("#address-cells", cells: [2])
        gic.set("#size-cells", cells: [2])
        gic.set("ranges")
        if configuration.gicVersion == 3 {
            gic.set("compatible", string: "arm,gic-v3")
            gic.set("#redistributor-regions", cells: [1])
            gic.set("reg", u64s: [VirtMemoryMap.gicDistributor, VirtMemoryMap.gicDistributorSize,
                                 VirtMemoryMap.gicRedistributors, UInt64(mpidrs.count) * VirtMemoryMap.gicRedistributorStride])
        } else {
            gic.set("compatible", string: "arm,cortex-a15-gic")
            gic.set("reg", u64s: [VirtMemoryMap.gicDistributor, VirtMemoryMap.gicDistributorSize,
                                 VirtMemoryMap.gicCPUInterface, VirtMemoryMap.gicCPUInterfaceSize])
        }

        let clock = root.add(DeviceTreeNode("apb-pclk"))
        clock.set("phandle", cells: [clockPhandle])
        clock.set("clock-output-names", string: "clk24mhz")
        clock.set("clock-frequency", cells: [VirtMemoryMap.apbClockFrequency])
        clock.set("#clock-cells", cells: [0])
        clock.set("compatible", string: "fixed-clock")

        let uartName = "pl011@\(hex(VirtMemoryMap.uart))"
        let uart = root.add(DeviceTreeNode(uartName))
        uart.set("compatible", strings: ["arm,pl011", "arm,primecell"])
        uart.set("reg", u64s: [VirtMemoryMap.uart, VirtMemoryMap.primeCellSize])
        uart.set("interrupts", cells: [0, UInt32(VirtMemoryMap.uartSPI), 4])
        uart.set("clock-names", strings: ["uartclk", "apb_pclk"])
        uart.set("clocks", cells: [clockPhandle, clockPhandle])

        let rtc = root.add(DeviceTreeNode("pl031@\(hex(VirtMemoryMap.rtc))"))
        rtc.set("compatible", strings: ["arm,pl031", "arm,primecell"])
        rtc.set("reg", u64s: [VirtMemoryMap.rtc, VirtMemoryMap.primeCellSize])
        rtc.set("interrupts", cells: [0, UInt32(VirtMemoryMap.rtcSPI), 4])
        rtc.set("clock-names", string: "apb_pclk")
        rtc.set("clocks", cells: [clockPhandle])

        // The empty virtio-mmio transports, lowest address first as QEMU emits them; edge-
        // triggered (flags 1), and DMA-coherent.
        for index in 0..<VirtMemoryMap.virtioTransportCount {
            let base = VirtMemoryMap.virtioTransports + UInt64(index) * VirtMemoryMap.virtioTransportSize
            let transport = root.add(DeviceTreeNode("virtio_mmio@\(hex(base))"))
            transport.set("dma-coherent")
            transport.set("interrupts", cells: [0, UInt32(VirtMemoryMap.firstVirtioSPI + index), 1])
            transport.set("reg", u64s: [base, VirtMemoryMap.virtioTransportSize])
            transport.set("compatible", string: "virtio,mmio")
        }

        let chosenNode = root.add(DeviceTreeNode("chosen"))
        chosenNode.set("stdout-path", string: "/" + uartName)
        // Seeds for KASLR and the kernel's entropy pool (QEMU's create_randomness).
        if let seeds = chosen.seeds {
            chosenNode.set("kaslr-seed", u64s: [seeds.kaslr])
            chosenNode.set("rng-seed", bytes: seeds.rng)
        }
        apply(chosen, to: chosenNode)
        return root
    }

    static func apply(_ chosen: Chosen, to node: DeviceTreeNode) {
        if let arguments = chosen.bootArguments { node.set("bootargs", string: arguments) }
        if let initrd = chosen.initrd {
            node.set("linux,initrd-start", u64s: [initrd.start])
            node.set("linux,initrd-end", u64s: [initrd.end])
        }
    }

    /// Patches a user's tree as QEMU's `arm_load_dtb` does: the memory nodes replaced by one
    /// for the machine's RAM, and `/chosen` given the boot arguments and initrd. Returns warnings
    /// where the tree contradicts the firmware policy (its `/psci` node is kept: the user asked
    /// for this tree).
    public static func patch(_ root: DeviceTreeNode, configuration: MachineConfiguration, router: FirmwareRouter,
                             chosen: Chosen) -> [String] {
        root.removeChildren { $0.name == "memory" || $0.name.hasPrefix("memory@") }
        let memory = root.add(DeviceTreeNode("memory@\(hex(VirtMemoryMap.ramBase))"))
        memory.set("device_type", string: "memory")
        memory.set("reg", u64s: [VirtMemoryMap.ramBase, configuration.ramSize])
        let chosenNode = root.child("chosen") ?? root.add(DeviceTreeNode("chosen"))
        apply(chosen, to: chosenNode)

        var warnings: [String] = []
        let method = psciMethod(router: router)
        if let psci = root.child("psci") {
            let declared = psci.property("method").map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if method == nil {
                warnings.append("the device tree has a /psci node (method \(declared ?? "unset")), but the firmware policy does not answer PSCI: the guest's PSCI calls will fail")
            } else if let method, declared != method.description.lowercased() {
                warnings.append("the device tree's /psci method is \(declared ?? "unset"), but the firmware policy answers PSCI through \(method.description.lowercased())")
            }
        } else if method != nil {
            warnings.append("the device tree has no /psci node, but the firmware policy answers PSCI: secondary CPUs will not be started")
        }
        return warnings
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}
