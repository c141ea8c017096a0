import ArgumentParser
import Foundation
import Gateway
import ModelStore
import RoutingEvaluation
import Server

/// What `route eval` and `route calibrate` share: the graded set, the server configuration whose chat tiers
/// answer, the answer cache and the threads.
struct RouteOptions: ParsableArguments {
    @Argument(help: "The graded set (JSON Lines; see Benchmarks/RoutingBench/README.md).") var set: String
    @Option(help: "Server configuration (YAML) whose chat tiers and routing are evaluated (default: the built-in defaults).")
    var config: String?
    @Option(help: "Folder of cached answers (default: $GROUPQWEN_HOME/cache/route-eval).") var cache: String?
    @Option(help: "Forward-pass threads (default: all cores).") var threads: Int?
    @Option(help: "Percent of prompts held out from calibration (by a hash of their id).") var heldOutPercent = 30

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (5...95).contains(heldOutPercent) else { throw ValidationError("--held-out-percent must be in 5…95") }
    }

    func serverConfiguration() throws -> ServerConfiguration {
        try config.map { try ServerConfiguration.load(path: $0) } ?? ServerConfiguration()
    }

    /// Every chat tier's graded answer to every prompt, with progress on stderr.
    func outcomes(_ prompts: [GradedPrompt], configuration: ServerConfiguration) async throws -> RouteOutcomes {
        let tiers = RouteEvaluation.chatTiers(of: configuration.models)
        guard !tiers.isEmpty else { throw RouteEvaluationError.input("the configuration has no local chat model") }
        let directory = cache.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
            ?? ModelStore().home.appendingPathComponent("cache/route-eval")
        let evaluation = RouteEvaluation(models: tiers, store: try AnswerStore(directory: directory), threads: threads)
        printNote("\(prompts.count) prompts × \(tiers.count) chat tiers (\(tiers.map(\.id).joined(separator: ", "))); answers cached in \(directory.path)")
        let progress = RouteProgress()
        let outcomes = try await evaluation.outcomes(prompts) { progress.show($0) }
        progress.finish()
        return outcomes
    }

    func features(_ prompts: [GradedPrompt], configuration: ServerConfiguration) async throws -> [[Float]] {
        let provider = EmbeddingProvider(fetchMissing: configuration.fetchMissing, threads: 1, precision: .q8_0)
        return try await RouterFeatures.of(prompts, configuration: configuration.routing, embeddings: provider)
    }
}

/// One status line on stderr while tiers answer.
final class RouteProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var lastLength = 0

    func show(_ event: RouteEvaluation.Event) {
        let line: String
        switch event {
        case let .loading(model):
            line = "\(model): loading"
        case let .answering(p):
            let rate = p.seconds > 0 ? Double(p.generatedTokens) / p.seconds : 0
            let left = p.total - p.done
            let eta = p.done > p.cached && rate > 0 ? " eta \(Int(p.seconds / Double(p.done - p.cached) * Double(left)))s" : ""
            line = "\(p.model): answered \(p.done)/\(p.total) (\(p.cached) cached), \(String(format: "%.1f", rate)) tok/s\(eta)"
        case let .grading(model, done, total):
            line = "\(model): graded \(done)/\(total)"
        }
        lock.withLock {
            let pad = max(0, lastLength - line.count)
            FileHandle.standardError.write(Data(("\r" + line + String(repeating: " ", count: pad)).utf8))
            lastLength = line.count
        }
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
