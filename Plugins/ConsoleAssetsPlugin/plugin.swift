import Foundation
import PackagePlugin

/// Embeds the web console (`Sources/Server/Console/`) into the server binary: every file there becomes an entry
/// of `ConsoleAssets.embedded`, generated at build time, so `groupqwen serve` needs no files beside itself.
@main
struct ConsoleAssetsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = target.directoryURL.appending(path: "Console")
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Embedded.swift")
        return [.buildCommand(displayName: "Embedding the web console",
                              executable: try context.tool(named: "ConsoleAssetsGenerator").url,
                              arguments: [root.path, output.path],
                              inputFiles: Self.files(under: root),
                              outputFiles: [output])]
    }

    /// Every regular file under `root` (the generator's inputs: a change to one rebuilds).
    static func files(under root: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
