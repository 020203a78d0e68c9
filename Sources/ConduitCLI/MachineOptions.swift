import ArgumentParser
import Firmware
import Foundation
import Machine
import SMCCC

/// The flags that shape a `virt` machine, shared by `run`, `dtb` and `demo`. Spellings follow
/// QEMU where QEMU has them (`-m`, `--smp`, `--append`, `--initrd`, `--dtb`, `--no-reboot`).
struct MachineOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional,
            help: "Number of vCPUs: 1-8 with --gic 2, 1-123 with --gic 3 (default 1; the demo: 4).")
    var smp: Int?

    @Option(name: [.customShort("m"), .customLong("memory")], parsing: .unconditional,
            help: "RAM size: a number of MiB, or with a suffix K, M, G or T (512, 512M, 1.5G, 2G).")
    var memory: String = "128M"

    @Option(name: .long, parsing: .unconditional, help: "Interrupt controller version: 2 or 3.")
    var gic: Int = 3

    @Option(name: .long, help: "Firmware policy file (YAML or TOML); flags below override it.")
    var policy: String?

    @Option(name: .long, help: "Which instructions reach firmware: hvc, smc or both (default: the policy's, or hvc).")
    var conduit: String?

    @Option(name: .customLong("psci-version"), help: "PSCI version: 0.2, 1.0, 1.1, 1.2 or 1.3 (default: the policy's, or 1.3).")
    var psciVersion: String?

    @Flag(name: .long, help: "Count time in instructions (1 ns each) for reproducible runs.")
    var icount = false

    @Option(name: .long, help: "The board: virt, or highbank64 (Highbank SiP services in the VMM and in a firmware blob).")
    var machine: String = "virt"

    /// The configuration these flags describe, with `forwardHandlers` registered. `defaultCPUs`
    /// is the vCPU count without `--smp`.
    func configuration(forwardHandlers: [any FirmwareService] = [], basePolicy: FirmwarePolicy? = nil,
                       defaultCPUs: Int = 1) throws -> MachineConfiguration {
        var configuration = MachineConfiguration()
        configuration.cpuCount = smp ?? defaultCPUs
        configuration.ramSize = try CommandLineValues.size(memory, flag: "-m")
        configuration.gicVersion = gic
        configuration.clockMode = icount ? .instructionCounted : .realTime
        configuration.forwardHandlers = forwardHandlers
        switch machine {
        case "virt":
            // Plain virt's one VMM service, reached only through a `forward` range naming it.
            configuration.profile = .virt
            configuration.forwardHandlers.append(DemoBoardService())
        case "highbank64": configuration.profile = .highbank64(blob: EmbeddedGuests.firmware)
        default: throw CommandError("--machine: '\(machine)' is not a board Conduit knows (\(MachineProfile.names.joined(separator: ", ")))")
        }
        var firmware = try policy.map(loadPolicy) ?? basePolicy ?? FirmwarePolicy()
        if let conduit {
            switch conduit.lowercased() {
            case "hvc": firmware.conduits = .hvc
            case "smc": firmware.conduits = .smc
            case "both": firmware.conduits = .both
            default: throw CommandError("--conduit: '\(conduit)' is not a conduit (hvc, smc or both)")
            }
            if firmware.conduits.contains(.smc), firmware.smcPreset == .undefined { firmware.apply(.psci) }
        }
        if let psciVersion {
            guard let parts = VersionText.parse(psciVersion),
                let version = FirmwareRegister.selectablePSCIVersions.first(where: { $0.major == parts.major && $0.minor == parts.minor })
            else {
                throw CommandError("--psci-version: '\(psciVersion)' is not offered (0.2, 1.0, 1.1, 1.2 or 1.3)")
            }
            do { try firmware.setPSCIVersion(version) } catch { throw CommandError("--psci-version: \(error)") }
        }
        configuration.policy = firmware
        do { try configuration.validate() } catch { throw CommandError(error.description) }
        return configuration
    }
}

/// What goes in RAM besides the machine: the kernel and its companions.
struct BootOptions: ParsableArguments {
    @Option(name: .long, help: "The kernel: an arm64 Linux Image, an ELF file, or a raw binary.")
    var kernel: String

    @Option(name: .long, help: "An initial ramdisk, placed as QEMU places it.")
    var initrd: String?

    @Option(name: .long, help: "The kernel command line (/chosen/bootargs).")
    var append: String?

    @Option(name: .long, help: "Use this device tree blob instead of the generated one (memory and /chosen are patched).")
    var dtb: String?
}

/// Builds the device tree for `machine` (generated, or the user's patched), printing warnings
/// where it contradicts the policy.
func deviceTree(for machine: VirtMachine, userBlob: (path: String, bytes: [UInt8])?, append: String?,
                initrd: (start: UInt64, end: UInt64)?) throws -> [UInt8] {
    let chosen = VirtDeviceTree.Chosen(bootArguments: append, initrd: initrd)
    if let userBlob {
        let root: DeviceTreeNode
        do { root = try FlattenedDeviceTree.parse(userBlob.bytes) } catch {
            throw CommandError("\(userBlob.path): \(error)")
        }
        for warning in VirtDeviceTree.patch(root, configuration: machine.configuration, router: machine.router, chosen: chosen) {
            OutputFile.report("warning: \(userBlob.path): \(warning)")
        }
        return FlattenedDeviceTree.serialize(root)
    }
    var generated = chosen
    generated.seeds = VirtDeviceTree.Chosen.seeds(from: machine.configuration.policy.entropy)
    let root = VirtDeviceTree.generate(configuration: machine.configuration, router: machine.router,
                                       mpidrs: machine.cpus.map(\.identity.mpidr), chosen: generated)
    return FlattenedDeviceTree.serialize(root)
}
