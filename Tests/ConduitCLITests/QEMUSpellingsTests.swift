import ArgumentParser
@testable import ConduitCLI
import Testing

/// QEMU's spellings of the machine and boot flags mean on Conduit what they mean on
/// `qemu-system-aarch64` (qemu-options.hx), and QEMU's options Conduit lacks are refused by name.
@Suite struct QEMUSpellingsTests {
    /// The README's Linux command line for QEMU, with `qemu-system-aarch64` replaced by
    /// `conduit run`.
    @Test func qemuCommandLineParsesToTheSameMachine() throws {
        let command = try ConduitCommand.parseAsRoot([
            "run", "-M", "virt", "-cpu", "cortex-a57", "-smp", "2", "-m", "128M",
            "-kernel", "Image", "-initrd", "initramfs.cpio.gz", "-append", "console=ttyAMA0", "-nographic", "-no-reboot",
        ])
        let run = try #require(command as? RunCommand)
        #expect(run.boot.kernel == "Image")
        #expect(run.boot.initrd == "initramfs.cpio.gz")
        #expect(run.boot.append == "console=ttyAMA0")
        #expect(run.session.noReboot)
        #expect(run.session.noGraphic)
        let configuration = try run.machine.configuration()
        #expect(configuration.cpuCount == 2)
        #expect(configuration.ramSize == 128 << 20)
        #expect(configuration.gicVersion == 3)
    }

    @Test func longAndQEMUSpellingsAgree() throws {
        let qemu = try MachineOptions.parse(["-machine", "virt,gic-version=2", "-smp", "cpus=4,maxcpus=4", "-m", "size=1.5G"])
        let conduit = try MachineOptions.parse(["--machine", "virt", "--gic", "2", "--smp", "4", "--memory", "1536M"])
        let (a, b) = (try qemu.configuration(), try conduit.configuration())
        #expect(a.cpuCount == b.cpuCount && a.cpuCount == 4)
        #expect(a.ramSize == b.ramSize && a.ramSize == 1536 << 20)
        #expect(a.gicVersion == b.gicVersion && a.gicVersion == 2)
    }

    /// An argument that begins with a dash is still the value of the option before it, as in QEMU.
    @Test func valuesMayBeginWithADash() throws {
        let options = try BootOptions.parse(["-kernel", "Image", "-append", "-- poweroff -f"])
        #expect(options.append == "-- poweroff -f")
    }

    @Test func machineProperties() throws {
        #expect(try QEMUSpellings.machine("virt") == .init(board: "virt", gicVersion: nil))
        #expect(try QEMUSpellings.machine("type=virt,gic-version=3,secure=off,virtualization=off")
                == .init(board: "virt", gicVersion: 3))
        #expect(throws: CommandError.self) { try QEMUSpellings.machine("virt,gic-version=max") }
        #expect(throws: CommandError.self) { try QEMUSpellings.machine("virt,secure=on") }
        #expect(throws: CommandError.self) { try QEMUSpellings.machine("virt,virtualization") }  // bare: =on
        #expect(throws: CommandError.self) { try QEMUSpellings.machine("virt,highmem=off") }
        #expect(throws: CommandError.self) { try QEMUSpellings.machine(",gic-version=3") }
    }

    @Test func cpuCounts() throws {
        #expect(try QEMUSpellings.cpuCount("8") == 8)
        #expect(try QEMUSpellings.cpuCount("cpus=3") == 3)
        #expect(try QEMUSpellings.cpuCount("maxcpus=2") == 2)  // QEMU: cpus defaults to maxcpus
        for bad in ["0", "", "4,sockets=2", "4,cores=2", "2,maxcpus=4", "cpus=", "99999999999999999999", "-1"] {
            #expect(throws: CommandError.self, "\(bad)") { try QEMUSpellings.cpuCount(bad) }
        }
    }

    @Test func memorySizes() throws {
        #expect(try QEMUSpellings.memorySize("512") == 512 << 20)
        #expect(try QEMUSpellings.memorySize("size=2G") == 2 << 30)
        #expect(throws: CommandError.self) { try QEMUSpellings.memorySize("1G,maxmem=4G") }
        #expect(throws: CommandError.self) { try QEMUSpellings.memorySize("size=") }
    }

    @Test func cpuModelAndConsole() throws {
        #expect(throws: Never.self) { try QEMUSpellings.checkCPU("cortex-a57") }
        #expect(throws: CommandError.self) { try QEMUSpellings.checkCPU("max") }
        #expect(throws: CommandError.self) { try QEMUSpellings.checkCPU("cortex-a57,pmu=off") }
        #expect(try QEMUSpellings.serial("mon:stdio") == .standardIO)
        #expect(try QEMUSpellings.serial("file:/tmp/console") == .file("/tmp/console"))
        #expect(throws: CommandError.self) { try QEMUSpellings.serial("file:") }
        #expect(throws: CommandError.self) { try QEMUSpellings.serial("pty") }
    }

    /// The gdbstub's QEMU flags parse beside the single-dash long options that begin with the
    /// same letters (`-smp` is not `-s -m -p`, `-serial` not `-s -e ...`).
    @Test func gdbFlagsBesideSingleDashLongOptions() throws {
        let command = try ConduitCommand.parseAsRoot(["run", "-kernel", "Image", "-smp", "2", "-s", "-S", "-serial", "stdio"])
        let run = try #require(command as? RunCommand)
        #expect(run.session.gdbDefault && run.session.waitForDebugger)
        #expect(run.session.serial == "stdio")
        let other = try #require(try ConduitCommand.parseAsRoot(["run", "-kernel", "Image", "-gdb", "unix:/tmp/s"]) as? RunCommand)
        #expect(other.session.gdb == "unix:/tmp/s" && !other.session.gdbDefault)
    }

    /// ArgumentParser's "Unknown option" becomes a line that names QEMU's option and the reason;
    /// an option that is nobody's keeps ArgumentParser's line.
    @Test func qemuOptionsConduitLacksAreRefusedByName() throws {
        #expect(throws: (any Error).self) { try ConduitCommand.parseAsRoot(["run", "-kernel", "Image", "-device", "virtio-net-device"]) }
        let line = QEMUSpellings.explainUnknownOption("Unknown option '-device'")
        #expect(line?.hasPrefix("-device: QEMU's option is not supported: ") == true)
        #expect(QEMUSpellings.explainUnknownOption("Unknown option '-monitor'")?.contains("no monitor") == true)
        #expect(QEMUSpellings.explainUnknownOption("Unknown option '-bogus'") == nil)
        #expect(QEMUSpellings.explainUnknownOption("Missing expected argument '--kernel <kernel>'") == nil)
    }
}
