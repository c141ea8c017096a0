import Foundation

// Build tool of the ConsoleAssetsPlugin: `ConsoleAssetsGenerator ROOT OUTPUT.swift` writes a Swift file that
// holds every file under ROOT (hidden files skipped) as Base64, keyed by its path relative to ROOT.

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: ConsoleAssetsGenerator ROOT OUTPUT.swift\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])

var entries: [(String, String)] = []
if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                               options: [.skipsHiddenFiles]) {
    for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
        let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
        do {
            entries.append((relative, try Data(contentsOf: url).base64EncodedString()))
        } catch {
            FileHandle.standardError.write(Data("ConsoleAssetsGenerator: cannot read \(url.path): \(error)\n".utf8))
            exit(1)
        }
    }
}
entries.sort { $0.0 < $1.0 }

var source = "// Generated at build time by ConsoleAssetsGenerator from Sources/Server/Console; do not edit.\n\n"
source += "extension ConsoleAssets {\n    /// The console's files, by path relative to the Console folder, Base64-encoded.\n"
source += "    static let embeddedBase64: [String: String] = [\n"
for (path, base64) in entries {
    let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    source += "        \"\(escaped)\": \"\(base64)\",\n"
}
source += entries.isEmpty ? "        :\n" : ""
source += "    ]\n}\n"
do {
    // Written only when changed, so an unchanged console does not recompile the server.
    if (try? String(contentsOf: output, encoding: .utf8)) != source {
        try source.write(to: output, atomically: true, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("ConsoleAssetsGenerator: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
