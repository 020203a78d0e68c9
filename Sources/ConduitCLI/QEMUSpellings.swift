import CommandLineSupport

/// QEMU's `-M`, `-cpu`, `-smp`, `-m` and `-serial` values, read as `qemu-system-aarch64` reads
/// them (QEMU's `qemu-options.hx`), so a command line written for QEMU's `virt` means the same
/// on Conduit. A property, CPU or option Conduit does not have is refused by name rather than
/// ignored: a script that asked for it would otherwise run a different machine than it says.
enum QEMUSpellings {
    /// `-M TYPE[,PROPERTY=VALUE...]` (also `type=TYPE`): the board and the GIC version, when
    /// the properties name one.
    struct Machine: Equatable {
        var board: String
        var gicVersion: Int?
    }

    static func machine(_ text: String, flag: String = "-M") throws -> Machine {
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var board = parts.removeFirst()
        if board.hasPrefix("type=") { board.removeFirst("type=".count) }
        guard !board.isEmpty else { throw CommandError("\(flag): '\(text)' names no board (virt or highbank64)") }
        var result = Machine(board: board)
        for part in parts {
            let (key, value) = property(part)
            switch key {
            case "gic-version":
                switch value {
                case "2": result.gicVersion = 2
                case "3": result.gicVersion = 3
                default:
                    throw CommandError("\(flag): gic-version=\(value) is not a GIC Conduit has (2 or 3)")
                }
            case "secure", "virtualization":
                // QEMU's defaults, and true of Conduit's vCPUs: EL1 and EL0 only, no EL3 or EL2.
                guard ["off", "no", "false"].contains(value) else {
                    throw CommandError("\(flag): \(key)=\(value) is not available: Conduit's vCPUs have EL1 and EL0, no EL3 or EL2")
                }
            default:
                throw CommandError("\(flag): property '\(key)' is not supported by Conduit (gic-version, secure=off, virtualization=off)")
            }
        }
        return result
    }

    /// The one CPU model Conduit implements: its vCPUs report MIDR_EL1 0x411FD070, a Cortex-A57
    /// r1p0, as QEMU's `-cpu cortex-a57` does.
    static let cpuModel = "cortex-a57"

    /// `-cpu MODEL`: only ``cpuModel``, without properties.
    static func checkCPU(_ text: String) throws {
        guard text == cpuModel else {
            throw CommandError("-cpu: '\(text)' is not a CPU Conduit models; its vCPUs are Cortex-A57 r1p0 (-cpu \(cpuModel))")
        }
    }

    /// `-smp [cpus=]N[,maxcpus=N]`: the vCPU count. QEMU's topology properties (sockets,
    /// clusters, cores, threads) would change the MPIDR affinities, which Conduit assigns as
    /// QEMU's `virt` does for a plain count.
    static func cpuCount(_ text: String) throws -> Int {
        var count: Int?
        var maximum: Int?
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let part = String(part)
            if index == 0, !part.contains("=") {
                count = try CommandLineValues.count(part, flag: "-smp", maximum: 4096)
                continue
            }
            let (key, value) = property(part)
            switch key {
            case "cpus": count = try CommandLineValues.count(value, flag: "-smp cpus", maximum: 4096)
            case "maxcpus": maximum = try CommandLineValues.count(value, flag: "-smp maxcpus", maximum: 4096)
            default:
                throw CommandError("-smp: '\(key)' is not supported by Conduit (a vCPU count: -smp N or -smp cpus=N)")
            }
        }
        guard let count = count ?? maximum else { throw CommandError("-smp: '\(text)' gives no vCPU count") }
        if let maximum, maximum != count {
            throw CommandError("-smp: maxcpus=\(maximum) differs from cpus=\(count): Conduit has no CPU hotplug")
        }
        return count
    }

    /// `-m [size=]SIZE`: QEMU's memory size forms (``CommandLineValues/size(_:flag:)``).
    static func memorySize(_ text: String) throws -> UInt64 {
        var size: String?
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let part = String(part)
            if index == 0, !part.contains("=") { size = part; continue }
            let (key, value) = property(part)
            guard key == "size" else {
                throw CommandError("-m: '\(key)' is not supported by Conduit (a size: -m 512M or -m size=512M; no memory hotplug)")
            }
            size = value
        }
        guard let size else { throw CommandError("-m: '\(text)' gives no size") }
        return try CommandLineValues.size(size, flag: "-m")
    }

    /// Where `-serial` sends the console: standard input and output, or a file (output only).
    enum Serial: Equatable {
        case standardIO
        case file(String)
    }

    static func serial(_ text: String) throws -> Serial {
        switch text {
        // mon:stdio multiplexes QEMU's monitor in; Conduit's console has its escape (Ctrl-A x)
        // and no monitor, so both spellings mean the console on the terminal.
        case "stdio", "mon:stdio": return .standardIO
        default:
            if text.hasPrefix("file:"), text.count > "file:".count { return .file(String(text.dropFirst("file:".count))) }
            throw CommandError("-serial: '\(text)' is not a console Conduit has (stdio, mon:stdio or file:PATH)")
        }
    }

    /// `KEY=VALUE`, or a bare `KEY` (QEMU reads it as `KEY=on`).
    private static func property(_ text: String) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else { return (text, "on") }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// QEMU system-emulator options Conduit does not take, with what to use instead where
    /// Conduit has something. ArgumentParser reports them as unknown; ``explainUnknownOption``
    /// names them as QEMU's.
    static let unsupported: [String: String] = {
        var table: [String: String] = [:]
        func add(_ names: [String], _ reason: String) { for name in names { table[name] = reason } }
        add(["-d", "-D", "-trace"], "Conduit traces firmware calls: --trace firmware [--trace-file FILE]")
        add(["-icount"], "--icount counts one instruction a nanosecond (QEMU's -icount shift=0)")
        add(["-accel", "-enable-kvm"], "Conduit runs guests on its own interpreter, with no accelerator to choose")
        add(["-device", "-drive", "-blockdev", "-netdev", "-net", "-nic", "-chardev", "-object", "-global",
             "-fsdev", "-virtfs", "-hda", "-hdb", "-cdrom", "-sd", "-pflash", "-mtdblock", "-usb", "-usbdevice",
             "-vga", "-audiodev", "-numa"],
            "Conduit's virt has no devices beyond its PL011, PL031, GIC and empty virtio-mmio transports")
        add(["-bios", "-L", "-boot"], "Conduit boots the -kernel image itself, with no firmware ROM")
        add(["-monitor", "-qmp", "-mon"], "Conduit has no monitor (Ctrl-A x quits the console)")
        add(["-nodefaults", "-no-shutdown", "-daemonize", "-pidfile", "-snapshot", "-loadvm", "-incoming",
             "-rtc", "-name", "-uuid", "-k", "-overcommit", "-mem-path", "-mem-prealloc", "-action",
             "-watchdog-action", "-semihosting", "-semihosting-config", "-plugin", "-sandbox", "-readconfig",
             "-msg", "-singlestep", "-one-insn-per-tb"],
            "a QEMU option Conduit does not support")
        return table
    }()

    /// The one-line refusal of an option ArgumentParser did not know, when it is QEMU's.
    static func explainUnknownOption(_ message: String) -> String? {
        let prefix = "Unknown option '"
        guard let start = message.range(of: prefix)?.upperBound,
            let end = message[start...].firstIndex(of: "'")
        else { return nil }
        let name = String(message[start..<end])
        guard let reason = unsupported[name] else { return nil }
        return "\(name): QEMU's option is not supported: \(reason) (README: QEMU's command line)"
    }
}
