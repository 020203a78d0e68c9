import ArgumentParser
import Foundation
import Machine

/// `conduit dtb`: write the device tree `conduit run` would give the guest.
struct DTBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtb",
        abstract: "Write the generated device tree blob for the machine the flags describe.",
        discussion: "The /psci node appears only when the firmware policy answers PSCI, with the conduit it enables.")

    @OptionGroup var machine: MachineOptions

    @Option(name: .long, help: "The kernel command line (/chosen/bootargs).")
    var append: String?

    @Option(name: .shortAndLong, help: "Where to write the blob (- for standard output).")
    var output: String

    func run() throws {
        let configuration = try machine.configuration()
        let vm: VirtMachine
        do { vm = try VirtMachine(configuration, transmit: { _ in }) } catch { throw CommandError(error.description) }
        let blob = try deviceTree(for: vm, userBlob: nil, append: append, initrd: nil)
        let file = try OutputFile.open(output, flag: "-o")
        file.write(blob)
        if let failure = file.failureDescription {
            OutputFile.report(failure)
            throw ExitCode(ExitStatus.outputFailed.rawValue)
        }
    }
}
