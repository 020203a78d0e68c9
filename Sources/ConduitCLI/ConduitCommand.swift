import ArgumentParser

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

/// An error the command line reports as one line and a non-zero exit status.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
