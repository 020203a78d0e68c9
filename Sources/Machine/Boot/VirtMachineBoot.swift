/// Booting an image the way `conduit run --kernel` does, for library users: the loader's
/// placement and the device tree the machine generates for itself.
extension VirtMachine {
    /// The device tree Conduit generates for this machine (memory, CPUs, `/psci` when the
    /// policy answers PSCI, the devices, `/chosen` with `bootArguments`, the initrd's range and
    /// QEMU's `kaslr-seed` and `rng-seed` from the policy's entropy source), flattened.
    public func generatedDeviceTree(bootArguments: String? = nil, initrd: (start: UInt64, end: UInt64)? = nil) -> [UInt8] {
        var chosen = VirtDeviceTree.Chosen(bootArguments: bootArguments, initrd: initrd)
        chosen.seeds = VirtDeviceTree.Chosen.seeds(from: configuration.policy.entropy)
        let root = VirtDeviceTree.generate(configuration: configuration, router: router,
                                           mpidrs: cpus.map(\.identity.mpidr), chosen: chosen)
        return FlattenedDeviceTree.serialize(root)
    }

    /// Places `kernel` (an arm64 Linux `Image`, an ELF file or a raw binary) and `initrd` in RAM
    /// as QEMU's `virt` does (``KernelLoader``), with ``generatedDeviceTree(bootArguments:initrd:)``,
    /// and makes the boot vCPU enter the kernel. `kernelName` names the image in errors.
    public func boot(kernel: [UInt8], named kernelName: String = "kernel", initrd: [UInt8]? = nil,
                     bootArguments: String? = nil) throws(MachineError) {
        let loader = KernelLoader(ramSize: configuration.ramSize)
        let plan = try loader.plan(kernel: kernel, kernelName: kernelName, initrd: initrd) { range in
            generatedDeviceTree(bootArguments: bootArguments, initrd: range)
        }
        try boot(plan)
    }
}
