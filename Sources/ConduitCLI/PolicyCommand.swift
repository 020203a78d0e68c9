import ArgumentParser
import Firmware
import Machine
import PolicyFile
import SMCCC

/// `conduit policy`: check and show firmware policies.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check a firmware-call policy file, or show the effective routing table.",
        subcommands: [Check.self, Show.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate policy files (YAML or TOML) against the machine they will run on.",
            discussion: """
                Each file is checked with the rules `conduit run --machine M --policy FILE` applies: the \
                syntax and schema, KVM's filter rules, the handlers the machine registers, its firmware \
                blob, and the ranges its board profile claims. One line per file; the exit status is 1 \
                if any file fails.
                """)

        @Option(name: .long, help: "The board the files are for: virt or highbank64.")
        var machine: String = "virt"

        @Argument(help: "Policy files (.yaml, .yml or .toml).")
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one policy file") }
        }

        func run() throws {
            var failures = 0
            for file in files {
                do {
                    var options = try MachineOptions.parse(["--machine", machine])
                    options.policy = file
                    let vm: VirtMachine
                    do { vm = try VirtMachine(try options.configuration(), transmit: { _ in }) } catch let error as MachineError {
                        throw CommandError(error.description)
                    }
                    OutputFile.standardOutput.write("\(file): OK on \(machine) (\(summary(of: vm.router.policy)))\n")
                } catch let error as CommandError {
                    OutputFile.report(error.description)
                    failures += 1
                }
            }
            if failures > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective table: every function-ID range, its action and who handles it.",
            discussion: "Without a file, shows Conduit's default policy.")

        @Argument(help: "The policy file (.yaml, .yml or .toml); the default policy if omitted.")
        var file: String?

        @Option(name: .long, help: "Show the table of a machine with this board profile (its ranges, handlers and blob included).")
        var machine: String?

        func run() throws {
            let policy = try file.map(loadPolicy) ?? FirmwarePolicy()
            guard let machine else {
                OutputFile.standardOutput.write(try PolicyReport(policy: policy).text + "\n")
                return
            }
            var options = try MachineOptions.parse(["--machine", machine])
            options.policy = file
            let vm: VirtMachine
            do { vm = try VirtMachine(try options.configuration(), transmit: { _ in }) } catch let error as MachineError {
                throw CommandError(error.description)
            }
            OutputFile.standardOutput.write(try PolicyReport(policy: vm.router.policy, machineRouter: vm.router).text + "\n")
        }
    }
}

/// Loads a policy file and checks what only a started VM would otherwise check.
func loadPolicy(_ path: String) throws -> FirmwarePolicy {
    do {
        let policy = try PolicyFile.load(path: path)
        _ = try policy.effectiveFilter()
        return policy
    } catch let error as PolicyFileError {
        throw CommandError(error.description)
    } catch let error as PolicyError {
        throw CommandError("\(path): \(error.description)")
    }
}

func summary(of policy: FirmwarePolicy) -> String {
    let ranges = policy.filter.entries.filter { !$0.isReserved }.count
    return "conduits \(policy.conduits), smc \(policy.smcPreset.rawValue), PSCI \(policy.psciVersion.major).\(policy.psciVersion.minor) "
        + "\(policy.psciMode.rawValue), SMCCC \(policy.smcccVersion.major).\(policy.smcccVersion.minor), \(ranges) range\(ranges == 1 ? "" : "s")"
}
