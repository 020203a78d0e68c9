import Foundation
import PackagePlugin

/// Generates Swift from the target's encoding tables (`ISA/*.isa`): for each table, the
/// encodings' field accessors, a visitor protocol, the decoder and the table as data, so that
/// decoding, golden tests and random instruction generators all derive from one declarative
/// list close to the ARM ARM's encoding diagrams (see Sources/isa-generator).
@main
struct ISATables: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let directory = target.directoryURL.appending(path: "ISA")
        let tables = ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "isa" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let generator = try context.tool(named: "isa-generator").url
        return tables.map { table in
            let output = context.pluginWorkDirectoryURL.appending(path: table.deletingPathExtension().lastPathComponent + ".generated.swift")
            return .buildCommand(
                displayName: "Generating the decoder from \(table.lastPathComponent)",
                executable: generator,
                arguments: [table.path(), output.path()],
                inputFiles: [table],
                outputFiles: [output]
            )
        }
    }
}
