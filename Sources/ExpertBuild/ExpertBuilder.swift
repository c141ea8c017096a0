import Engine
import Foundation
import Gateway

/// Runs `groupqwen experts build`: for every expert data → curate → split → train → evaluate (`ExpertBuilder+Stages`),
/// then the deploy gate, the router over the experts that go live, its held-out measurement and the routed system's
/// score (`ExpertBuilder+Router`), and returns the release with its report (`ExpertBuildResult`). Deploying it is the
/// caller's part, so a failed stage (an `ExpertBuildError` naming the expert and stage) leaves the live set unchanged.
///
/// Each stage keeps its outputs and a `stage.json` in `OUTPUT/<expert>/<stage>/`; a re-run skips the stages whose
/// inputs (files' contents, settings, the base model) hash as before.
public final class ExpertBuilder: @unchecked Sendable {
    public let configuration: ExpertBuildConfiguration
    /// The base model's GGUF file.
    public let modelPath: String
    /// Trainer and evaluation threads (nil: all cores).
    public var threads: Int?
    /// Checked after every training step; true stops the build (a failed stage, nothing deployed).
    public var shouldStop: () -> Bool = { false }
    /// Embeds router prompts; the server's cache-key model (MiniLM, Q8_0) so routes match serving.
    public var embeddings = EmbeddingProvider(fetchMissing: true, threads: 1, precision: .q8_0)
    let events: (ExpertBuildEvent) -> Void
    /// The base model's file, by name and size: part of every stage input that depends on the model.
    let modelIdentity: String
    private var loadedAnswerer: HeldOutAnswerer?

    public init(configuration: ExpertBuildConfiguration, modelPath: String, events: @escaping (ExpertBuildEvent) -> Void = { _ in }) {
        self.configuration = configuration
        self.modelPath = modelPath
        self.events = events
        let size = ((try? FileManager.default.attributesOfItem(atPath: modelPath))?[.size] as? NSNumber)?.int64Value ?? 0
        self.modelIdentity = "\(URL(fileURLWithPath: modelPath).lastPathComponent):\(size)"
    }

    func emit(_ event: ExpertBuildEvent) { events(event) }

    /// The generator of held-out answers, loaded on first use.
    func answerer() throws -> HeldOutAnswerer {
        if let loadedAnswerer { return loadedAnswerer }
        let model = try LocalModel.load(path: modelPath, id: configuration.baseModel, threads: threads, maxConcurrent: 16)
        let answerer = HeldOutAnswerer(model: model, maxTokens: configuration.evaluationMaxTokens)
        loadedAnswerer = answerer
        return answerer
    }

    /// Builds every expert and the router, and decides what to deploy given the `live` release (nil: nothing is live).
    public func build(live: ExpertRelease?) async throws -> ExpertBuildResult {
        let started = ContinuousClock.now
        try FileManager.default.createDirectory(at: configuration.output, withIntermediateDirectories: true)
        var outcomes: [ExpertOutcome] = []
        for expert in configuration.experts { outcomes.append(try await buildExpert(expert)) }

        // Gate: an expert goes live only when it beats the base model on its own validation set; one that does not keeps
        // its live version, if it has one, and is otherwise left out.
        var members: [ReleaseMember] = []
        var verdicts: [String: String] = [:]
        for outcome in outcomes {
            let base = outcome.train.validLossBase, tuned = outcome.train.validLossExpert
            if let base, let tuned, tuned < base {
                members.append(ReleaseMember(outcome: outcome, record: record(outcome)))
            } else if let kept = live?.expert(outcome.expert.id) {
                verdicts[outcome.expert.id] = "kept v\(kept.version): the new adapter did not beat the base on validation loss"
                members.append(ReleaseMember(outcome: outcome, record: kept))
            } else {
                verdicts[outcome.expert.id] = "left out: the adapter did not beat the base on validation loss"
            }
        }
        guard !members.isEmpty else {
            return ExpertBuildResult(release: nil, report: report(outcomes, members: [], router: nil, verdicts: verdicts, started: started,
                                                                  decision: .init(deploy: false, reason: "no expert beat the base model")))
        }
        let routing = try await buildRouter(members)
        members = try await scoreRouted(members, routing: routing)
        var release = ExpertRelease(baseModel: configuration.baseModel, router: routing.router, experts: members.map(\.record),
                                    routerEvaluation: routing.evaluation)
        release.origin = "build " + configuration.output.path
        let decision = Self.decide(release, live: live)
        return ExpertBuildResult(release: decision.deploy ? release : nil,
                                 report: report(outcomes, members: members, router: routing, verdicts: verdicts, started: started, decision: decision))
    }

    /// The registry record of a freshly built expert.
    func record(_ o: ExpertOutcome) -> ExpertRecord {
        var metrics = ExpertMetrics()
        metrics.trainExamples = o.split.train
        metrics.validExamples = o.split.valid
        metrics.heldOutQuestions = o.evaluate.answers.count
        metrics.trainingSeconds = o.train.seconds
        metrics.validLossBase = o.train.validLossBase
        metrics.validLossExpert = o.train.validLossExpert
        if !o.evaluate.answers.isEmpty {
            metrics.heldOutScoreBase = o.evaluate.scoreBase
            metrics.heldOutScoreExpert = o.evaluate.scoreExpert
        }
        return ExpertRecord(id: o.expert.id, baseModel: configuration.baseModel, description: o.expert.description,
                            adapterPath: o.train.adapterPath, adapterFingerprint: o.train.fingerprint, systemPrompt: o.systemPrompt,
                            examplePrompts: Array(o.curate.userPrompts.prefix(5)), metrics: metrics)
    }

    /// Deploy when something changed and the router's held-out accuracy did not drop below the live router's.
    static func decide(_ release: ExpertRelease, live: ExpertRelease?) -> ExpertBuildResult.Decision {
        guard let live else { return .init(deploy: true, reason: "nothing is live yet") }
        let sameExperts = live.baseModel == release.baseModel
            && live.experts.map { "\($0.id)#\($0.adapterFingerprint)" } == release.experts.map { "\($0.id)#\($0.adapterFingerprint)" }
        if sameExperts, live.router == release.router {
            return .init(deploy: false, reason: "unchanged: deployment \(live.deployment) already serves these adapters and this router")
        }
        if let old = live.routerEvaluation?.heldOutAccuracy, let new = release.routerEvaluation?.heldOutAccuracy, new + 1e-9 < old {
            return .init(deploy: false, reason: String(format: "the router's held-out accuracy would drop from %.1f %% to %.1f %%", 100 * old, 100 * new))
        }
        return .init(deploy: true, reason: sameExperts ? "the router changed" : "new or changed experts")
    }
}

/// One expert of the release being assembled: its stages' outcome and the record that goes live.
struct ReleaseMember {
    var outcome: ExpertBuilder.ExpertOutcome
    var record: ExpertRecord
}

extension ExpertRouterEvaluation {
    /// Held-out prompts (in-domain and off-domain) that went where they should.
    public var heldOutAccuracy: Double {
        let total = inDomainCount + offDomainCount
        guard total > 0 else { return 1 }
        return (inDomainAccuracy * Double(inDomainCount) + offDomainNoneRate * Double(offDomainCount)) / Double(total)
    }
}
