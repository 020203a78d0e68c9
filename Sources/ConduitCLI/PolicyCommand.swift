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
            abstract: "Validate a policy file (YAML or TOML); exits non-zero with the line at fault.")

        @Argument(help: "The policy file (.yaml, .yml or .toml).")
        var file: String

        func run() throws {
            let policy = try loadPolicy(file)
            print("\(file): OK (\(summary(of: policy)))")
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
                print(try PolicyReport(policy: policy).text)
                return
            }
            var options = try MachineOptions.parse(["--machine", machine])
            options.policy = file
            let vm: VirtMachine
            do { vm = try VirtMachine(try options.configuration(), transmit: { _ in }) } catch let error as MachineError {
                throw CommandError(error.description)
            }
            print(try PolicyReport(policy: vm.router.policy, machineRouter: vm.router).text)
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
