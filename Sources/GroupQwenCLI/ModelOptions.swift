import ArgumentParser
import Engine
import Foundation
import ModelStore

/// The `-m MODEL` option shared by every command that runs a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A known model id (see `groupqwen models list`) or a path to a .gguf file.")
    var model: String = "smollm2-135m"

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    /// Resolves the model name (fetching a known model on first use, like `ollama run`) and loads it.
    func load(batchCapacity: Int = 512) async throws -> LanguageModel {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        let url = try await resolveModel(model)
        return try ModelLoader.load(path: url.path, options: ModelLoadOptions(threads: threads, batchCapacity: batchCapacity))
    }
}

/// Runs a command body, turning any error into one line on stderr and exit code 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        printError(describe(error))
        throw ExitCode.failure
    }
}

/// Writes a JSON object to stdout on one line.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Resolves `-m`: a known id is fetched first if it is not in the store yet; anything else must be a file.
func resolveModel(_ nameOrPath: String) async throws -> URL {
    let store = ModelStore()
    if ModelCatalog.descriptor(for: nameOrPath) != nil, store.localPath(for: nameOrPath) == nil {
        let renderer = ProgressRenderer()
        renderer.note("\(nameOrPath) is not in the model store yet; fetching it")
        let url = try await store.fetch(nameOrPath) { renderer.render($0) }
        renderer.finishLine()
        return url
    }
    return try store.resolve(nameOrPath)
}
