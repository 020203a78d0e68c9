import ConduitCLI
import Foundation

exit(ConduitCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
