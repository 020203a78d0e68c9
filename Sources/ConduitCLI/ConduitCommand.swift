import ArgumentParser
@_exported import CommandLineSupport

/// `conduit`: an ARM virtual machine monitor built around how guests' SMC and HVC firmware
/// calls are handled.
public struct ConduitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "conduit",
        abstract: "An ARM VMM that makes guest firmware calls (SMC, HVC) a declarative part of the VM.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, RunCommand.self, DTBCommand.self, DecodeCommand.self, PolicyCommand.self]
    )

    public init() {}
}

extension ConduitCommand {
    /// Parses `arguments` (without the program name), runs the command and returns its
    /// ``ExitStatus``: every error is one line on standard error.
    public static func main(arguments: [String]) -> Int32 {
        CommandLineEntry.main(Self.self, arguments: arguments, programName: "conduit",
                              statuses: .init(badInput: ExitStatus.badInput.rawValue, outputFailed: ExitStatus.outputFailed.rawValue),
                              rewriteUsageError: QEMUSpellings.explainUnknownOption)
    }
}
