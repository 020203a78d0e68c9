import Foundation
import PackagePlugin

/// Builds the demo guest from `Guests/` with the toolchain's clang and ld.lld (through
/// `scripts/build-guests.sh`) and embeds it in the target as a generated Swift source, so that
/// `conduit demo` needs no files. Nothing built is committed: the guest is rebuilt whenever a
/// file under `Guests/` or the script changes.
@main
struct EmbedGuests: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let guests = package.appending(path: "Guests")
        var inputs = [package.appending(path: "scripts/build-guests.sh")]
        if let enumerator = FileManager.default.enumerator(at: guests, includingPropertiesForKeys: nil) {
            for case let url as URL in enumerator where !url.hasDirectoryPath { inputs.append(url) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedGuests.swift")
        let work = context.pluginWorkDirectoryURL.appending(path: "guests")
        return [
            .buildCommand(
                displayName: "Building and embedding the demo guest",
                executable: try context.tool(named: "guest-embedder").url,
                arguments: [package.path(), work.path(), output.path()],
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
