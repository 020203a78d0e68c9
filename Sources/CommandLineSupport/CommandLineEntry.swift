import ArgumentParser
import Foundation

/// An error a command reports as one line and its bad-input status.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How Conduit's programs start: parse, run, and turn every error into one line on standard
/// error and a documented status. Usage errors are bad input like any other (ArgumentParser's
/// own convention is several lines and status 64); `--help` and `--version` print to standard
/// output and succeed; a command that succeeded but could not write its output fails.
public enum CommandLineEntry {
    /// The statuses an entry point needs to know.
    public struct Statuses: Sendable {
        public var badInput: Int32
        public var outputFailed: Int32
        public init(badInput: Int32, outputFailed: Int32) {
            self.badInput = badInput
            self.outputFailed = outputFailed
        }
    }

    /// Turns ArgumentParser's one-line usage error into a better one, or returns nil to keep it
    /// (`conduit` names QEMU's options it does not take as QEMU's).
    public typealias UsageErrorRewriter = @Sendable (String) -> String?

    /// Parses `arguments` (without the program name) as `Command`, runs it and returns the
    /// exit status.
    public static func main<Command: ParsableCommand>(_ type: Command.Type, arguments: [String], programName: String,
                                                      statuses: Statuses, rewriteUsageError: UsageErrorRewriter? = nil) -> Int32 {
        OutputFile.programName = programName
        // A closed pipe must be an EPIPE error the writers report, not a signal that kills the
        // process with status 141.
        signal(SIGPIPE, SIG_IGN)
        var status = run(type, arguments, statuses, rewriteUsageError)
        if status == 0, OutputFile.standardOutput.failed {
            // Standard error may still work; if it does not, the status says it all.
            OutputFile.report(OutputFile.standardOutput.failureDescription ?? "cannot write standard output")
            status = statuses.outputFailed
        }
        if status == 0, OutputFile.standardError.failed { status = statuses.outputFailed }
        return status
    }

    private static func run<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String], _ statuses: Statuses,
                                                       _ rewriteUsageError: UsageErrorRewriter?) -> Int32 {
        var command: ParsableCommand
        do {
            command = try Command.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch let error as CommandError {
            OutputFile.report(error.description)
            return statuses.badInput
        } catch {
            if Command.exitCode(for: error) == .success {
                // --help, --version: the full text is what was asked for.
                OutputFile.standardOutput.write(Command.fullMessage(for: error) + "\n")
                return 0
            }
            let message = oneLine(Command.message(for: error))
            if let better = rewriteUsageError?(message) {
                OutputFile.report(better)
                return statuses.badInput
            }
            let path = ([OutputFile.programName] + subcommandPath(Command.self, arguments)).joined(separator: " ")
            OutputFile.report(message + " (see '\(path) --help')")
            return statuses.badInput
        }
    }

    /// The names of the subcommands `arguments` selects, for the help hint.
    static func subcommandPath(_ root: ParsableCommand.Type, _ arguments: [String]) -> [String] {
        var path: [String] = []
        var command = root
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            command = next
        }
        return path
    }

    /// ArgumentParser's message as one line, without its "Error: " prefix.
    static func oneLine(_ message: String) -> String {
        var text = message.split(separator: "\n").first.map(String.init) ?? message
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        return text
    }
}
