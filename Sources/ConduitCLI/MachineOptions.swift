import AArch64
import ArgumentParser
import CommandLineSupport
import Firmware
import Foundation
import Machine
import SMCCC

/// The flags that shape a `virt` machine, shared by `run`, `dtb` and `demo`. Each has QEMU's
/// spelling beside Conduit's (`-M`, `-cpu`, `-smp`, `-m`), with QEMU's value syntax
/// (``QEMUSpellings``).
struct MachineOptions: ParsableArguments {
    @Option(name: [.customLong("smp"), .customLong("smp", withSingleDash: true)], parsing: .unconditional,
            help: "Number of vCPUs: 1-8 with --gic 2, 1-123 with --gic 3 (default 1; the demo: 4); QEMU's cpus=N form too.")
    var smp: String?

    @Option(name: [.customShort("m"), .customLong("memory")], parsing: .unconditional,
            help: "RAM size: a number of MiB, or with a suffix K, M, G or T (512, 512M, 1.5G, 2G; QEMU's size=512M too).")
    var memory: String = "128M"

    @Option(name: .long, parsing: .unconditional, help: "Interrupt controller version: 2 or 3 (default 3; also -M virt,gic-version=N).")
    var gic: Int?

    @Option(name: .long, help: "Firmware policy file (YAML or TOML); flags below override it.")
    var policy: String?

    @Option(name: .long, help: "Which instructions reach firmware: hvc, smc or both (default: the policy's, or hvc).")
    var conduit: String?

    @Option(name: .customLong("psci-version"), help: "PSCI version: 0.2, 1.0, 1.1, 1.2 or 1.3 (default: the policy's, or 1.3).")
    var psciVersion: String?

    @Flag(name: .long, help: "Count time in instructions (1 ns each) for reproducible runs.")
    var icount = false

    @Option(name: .long, help: "The execution engine: interpreter (the default), or translator (hot blocks become x86-64 code; x86-64 hosts).")
    var engine: String = "interpreter"

    @Option(name: .customLong("code-cache"), parsing: .unconditional,
            help: "The translator's code cache per vCPU, 64K to 1G (default 32M); emptied and refilled when full.")
    var codeCache: String?

    @Flag(name: .customLong("perf-map"), help: "Name each translated block in /tmp/perf-PID.map, for perf report (QEMU's -perfmap).")
    var perfMap = false

    @Option(name: [.customLong("machine"), .customShort("M"), .customLong("machine", withSingleDash: true)],
            parsing: .unconditional,
            help: "The board: virt, or highbank64 (Highbank SiP services in the VMM and in a firmware blob); QEMU's properties gic-version=2|3, secure=off, virtualization=off may follow (virt,gic-version=2).")
    var machine: String = "virt"

    @Option(name: [.customLong("cpu"), .customLong("cpu", withSingleDash: true)], parsing: .unconditional,
            help: "The CPU model: cortex-a57, the one Conduit implements (accepted for QEMU command lines).")
    var cpu: String?

    /// `--machine`/`-M` read: the board and the GIC version its properties name.
    func board() throws -> QEMUSpellings.Machine { try QEMUSpellings.machine(machine, flag: "--machine") }

    /// The configuration these flags describe, with `forwardHandlers` registered. `defaultCPUs`
    /// is the vCPU count without `--smp`.
    func configuration(forwardHandlers: [any FirmwareService] = [], basePolicy: FirmwarePolicy? = nil,
                       defaultCPUs: Int = 1) throws -> MachineConfiguration {
        var configuration = MachineConfiguration()
        configuration.cpuCount = try smp.map(QEMUSpellings.cpuCount) ?? defaultCPUs
        configuration.ramSize = try QEMUSpellings.memorySize(memory)
        if let cpu { try QEMUSpellings.checkCPU(cpu) }
        let board = try self.board()
        if let gic, let named = board.gicVersion, gic != named {
            throw CommandError("--gic \(gic) contradicts --machine \(machine)")
        }
        configuration.gicVersion = gic ?? board.gicVersion ?? 3
        configuration.clockMode = icount ? .instructionCounted : .realTime
        guard let engine = ExecutionEngine(rawValue: engine.lowercased()) else {
            throw CommandError("--engine: '\(self.engine)' is not an engine (interpreter or translator)")
        }
        guard engine.isAvailable else { throw CommandError("--engine: \(engine.rawValue) needs an x86-64 host") }
        configuration.engine = engine
        configuration.translator.perfMap = perfMap
        if let codeCache {
            let bytes = try CommandLineValues.size(codeCache, flag: "--code-cache")
            guard bytes <= UInt64(TranslatorSettings.codeCacheSizes.upperBound), TranslatorSettings.codeCacheSizes.contains(Int(bytes)) else {
                throw CommandError("--code-cache: '\(codeCache)' is outside 64K to 1G")
            }
            configuration.translator.codeCacheSize = Int(bytes)
        }
        configuration.forwardHandlers = forwardHandlers
        switch board.board {
        case "virt":
            // Plain virt's one VMM service, reached only through a `forward` range naming it.
            configuration.profile = .virt
            configuration.forwardHandlers.append(DemoBoardService())
        case "highbank64": configuration.profile = .highbank64(blob: EmbeddedGuests.firmware)
        default: throw CommandError("--machine: '\(board.board)' is not a board Conduit knows (\(MachineProfile.names.joined(separator: ", ")))")
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
/// QEMU's single-dash spellings (`-kernel`, `-initrd`, `-append`, `-dtb`) work too.
struct BootOptions: ParsableArguments {
    @Option(name: [.long, .customLong("kernel", withSingleDash: true)], parsing: .unconditional,
            help: "The kernel: an arm64 Linux Image, an ELF file, or a raw binary.")
    var kernel: String

    @Option(name: [.long, .customLong("initrd", withSingleDash: true)], parsing: .unconditional,
            help: "An initial ramdisk, placed as QEMU places it.")
    var initrd: String?

    @Option(name: [.long, .customLong("append", withSingleDash: true)], parsing: .unconditional,
            help: "The kernel command line (/chosen/bootargs).")
    var append: String?

    @Option(name: [.long, .customLong("dtb", withSingleDash: true)], parsing: .unconditional, help: "Use this device tree blob instead of the generated one (memory and /chosen are patched).")
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
    return machine.generatedDeviceTree(bootArguments: append, initrd: initrd)
}
