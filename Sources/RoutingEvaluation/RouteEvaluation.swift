import Foundation
import GGUF
import Gateway
import ModelStore

/// Builds the outcome table of a graded set: every chat tier answers every prompt (one model in memory at a
/// time; stored answers reused), and every answer is graded.
public struct RouteEvaluation: Sendable {
    /// What happens while the table is built, for progress display.
    public enum Event: Sendable {
        case loading(model: String)
        case answering(TierRunner.Progress)
        case grading(model: String, done: Int, total: Int)
    }

    /// The chat tiers, cheapest first.
    public let models: [ServedModel]
    public let store: AnswerStore
    public let threads: Int?
    public let sandbox: PythonSandbox
    public let modelStore: ModelStore

    public init(models: [ServedModel], store: AnswerStore, threads: Int? = nil, sandbox: PythonSandbox = PythonSandbox(),
                modelStore: ModelStore = ModelStore()) {
        self.models = models
        self.store = store
        self.threads = threads
        self.sandbox = sandbox
        self.modelStore = modelStore
    }

    /// The chat tiers of a configuration: its local models with the `chat` capability, one per tier (the first
    /// by id when a tier has several), cheapest first.
    public static func chatTiers(of models: [ServedModel]) -> [ServedModel] {
        let chat = models.filter { $0.can(.chat) && $0.remote == nil }.sorted { ($0.tier, $0.id) < ($1.tier, $1.id) }
        var tiers: [ServedModel] = []
        for model in chat where tiers.last?.tier != model.tier { tiers.append(model) }
        return tiers
    }

    /// The weights a token is multiplied through: every tensor's elements, except the token-embedding table when
    /// the file also has an output matrix (then the embedding is a lookup, not a product; a tied model's single
    /// table is the output product and counts once). This is the published parameter count of the models here
    /// (135M, 494M, 1.54B).
    public static func parametersPerToken(_ tensors: [TensorInfo]) -> Double {
        let all = tensors.reduce(0) { $0 + $1.elementCount }
        let hasOutput = tensors.contains { $0.name == "output.weight" }
        let embedding = tensors.first { $0.name == "token_embd.weight" }?.elementCount ?? 0
        return Double(hasOutput ? all - embedding : all)
    }

    /// The graded table of `prompts`.
    public func outcomes(_ prompts: [GradedPrompt], onEvent: @Sendable (Event) -> Void = { _ in }) async throws -> RouteOutcomes {
        if prompts.contains(where: { if case .python = $0.grader { true } else { false } }),
           !FileManager.default.isExecutableFile(atPath: sandbox.python) {
            throw RouteEvaluationError.input("the set has python graders, which need \(sandbox.python) (not found)")
        }
        var tiers: [RouteOutcomes.Tier] = []
        var answers: [[TierAnswer]] = []
        var correct: [[Bool]] = []
        for served in models {
            onEvent(.loading(model: served.id))
            let path: String
            do {
                path = modelStore.localPath(for: served.source) == nil && ModelCatalog.descriptor(for: served.source) != nil
                    ? try await modelStore.fetch(served.source).path : try modelStore.resolve(served.source).path
            } catch {
                throw RouteEvaluationError.model("\(served.id): \(error)")
            }
            let local: LocalModel
            do { local = try LocalModel.load(path: path, id: served.id, threads: threads, maxConcurrent: 8) } catch {
                throw RouteEvaluationError.model("\(served.id): cannot load \(path): \(error)")
            }
            let parameters = Self.parametersPerToken(local.model.file.tensors)
            let runner = TierRunner(model: local, store: store)
            let tierAnswers = try await runner.answers(prompts) { onEvent(.answering($0)) }
            var graded: [Bool] = []
            for (i, answer) in tierAnswers.enumerated() {
                graded.append(await prompts[i].grader.grade(answer.text, sandbox: sandbox))
                if (i + 1) % 25 == 0 || i + 1 == prompts.count { onEvent(.grading(model: served.id, done: i + 1, total: prompts.count)) }
            }
            tiers.append(RouteOutcomes.Tier(model: served.id, tier: served.tier, parameters: parameters))
            answers.append(tierAnswers)
            correct.append(graded)
        }
        return RouteOutcomes(prompts: prompts, tiers: tiers, answers: answers, correct: correct)
    }
}
