import Foundation
import Gateway
import ModelStore
import Testing

/// The expert router on the example experts of docs/examples/experts, embedded with the real MiniLM (Q8_0, as
/// the server's semantic-cache keys): trained on the generated training prompts, calibrated on the first half of
/// off-domain.txt, measured on the held-out paraphrases and the held-out half.
@Suite("Expert router")
struct ExpertRouterTests {
    struct Prepared: Sendable {
        var examples: ExpertExamples
        var training: [EmbeddedTrainingSet]
        var generic: [[Float]]
        var calibration: [[Float]]
        var heldOut: [ExpertRouterEvaluation.Example]
    }

    static let provider = EmbeddingProvider(fetchMissing: false, threads: 2, precision: .q8_0)
    static let prepared = Task { try await prepare() }

    static func prepare() async throws -> Prepared {
        guard ModelStore().localPath(for: EmbeddingProvider.modelID) != nil else {
            Issue.record("minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2` (the README's test command does)")
            throw CancellationError()
        }
        let examples = try ExpertExamples.load()
        let embed: ExpertQueryEncoder.Embed = { try await provider.embed($0).vectors }
        var training: [EmbeddedTrainingSet] = []
        var heldOut: [ExpertRouterEvaluation.Example] = []
        for expert in examples.experts {
            training.append(EmbeddedTrainingSet(id: expert.id, embeddings: try await ExpertRouterTrainer.embed(expert.trainingPrompts, with: embed)))
            for (text, v) in zip(expert.heldOut, try await ExpertRouterTrainer.embed(expert.heldOut, with: embed)) {
                heldOut.append(.init(embedding: v, expertID: expert.id, text: text))
            }
        }
        for (text, v) in zip(examples.offDomainHeldOut, try await ExpertRouterTrainer.embed(examples.offDomainHeldOut, with: embed)) {
            heldOut.append(.init(embedding: v, expertID: nil, text: text))
        }
        return Prepared(examples: examples, training: training,
                        generic: try await ExpertRouterTrainer.embed(OffDomainPrompts.generic, with: embed),
                        calibration: try await ExpertRouterTrainer.embed(examples.offDomainCalibration, with: embed),
                        heldOut: heldOut)
    }

    static func router(_ data: Prepared, training: [EmbeddedTrainingSet]? = nil,
                       _ configure: (inout ExpertRouterTrainer.Configuration) -> Void = { _ in }) throws -> ExpertRouter {
        var configuration = ExpertRouterTrainer.Configuration()
        configure(&configuration)
        return try ExpertRouterTrainer(configuration: configuration)
            .train(experts: training ?? data.training, noneExamples: data.generic, offDomainCalibration: data.calibration)
    }

    @Test func examplesAreWellFormed() async throws {
        let data = try await Self.prepared.value
        #expect(data.examples.experts.map(\.id) == ["sql", "support", "lore"])
        for expert in data.examples.experts {
            #expect((40...60).contains(expert.trainingPrompts.count), "\(expert.id): \(expert.trainingPrompts.count) training prompts")
            #expect(expert.heldOut.count == 24, "\(expert.id)")
            #expect(Set(expert.heldOut).isDisjoint(with: expert.trainingPrompts), "\(expert.id): a held-out wording is a training prompt")
            #expect(!expert.system.isEmpty)
        }
        #expect(data.examples.offDomainCalibration.count == 30 && data.examples.offDomainHeldOut.count == 30)
        #expect(Set(data.examples.offDomainHeldOut).isDisjoint(with: data.examples.offDomainCalibration + OffDomainPrompts.generic))
    }

    @Test func logisticRegressionMeetsTheTargetsOnHeldOutData() async throws {
        let data = try await Self.prepared.value
        let router = try Self.router(data)
        let evaluation = ExpertRouterEvaluation(router: router, examples: data.heldOut)
        print("logistic regression, threshold \(router.threshold) (calibration \(router.calibration!)):\n\(evaluation)")
        for miss in evaluation.misrouted { print("  misrouted: \(miss.text) → \(miss.routed) (expected \(miss.expected), \(miss.confidence))") }
        #expect(evaluation.inDomainCount == 72 && evaluation.offDomainCount == 30)
        #expect(evaluation.inDomainAccuracy >= 0.95)
        #expect(evaluation.offDomainNoneRate >= 0.90)
        #expect(router.calibration?.feasible == true)
    }

    @Test func nearestNeighborBaseline() async throws {
        let data = try await Self.prepared.value
        let router = try Self.router(data) { $0.classifier = .nearestNeighbors }
        let evaluation = ExpertRouterEvaluation(router: router, examples: data.heldOut)
        print("k-NN (k = \(ExpertRouterTrainer.Configuration().neighbors)), threshold \(router.threshold):\n\(evaluation)")
        // The baseline: better than chance on both sides, reported rather than held to the targets.
        #expect(evaluation.inDomainAccuracy >= 0.8)
        #expect(evaluation.offDomainNoneRate >= 0.6)
    }

    @Test func shuffledLabelsFailTheTargets() async throws {
        let data = try await Self.prepared.value
        // The same prompts dealt to the experts at random (seeded): nothing left to learn.
        var all = data.training.flatMap(\.embeddings)
        var state: UInt64 = 42
        for i in stride(from: all.count - 1, to: 0, by: -1) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            all.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
        }
        var shuffled: [EmbeddedTrainingSet] = []
        var start = 0
        for set in data.training {
            shuffled.append(EmbeddedTrainingSet(id: set.id, embeddings: Array(all[start..<(start + set.embeddings.count)])))
            start += set.embeddings.count
        }
        let evaluation = ExpertRouterEvaluation(router: try Self.router(data, training: shuffled), examples: data.heldOut)
        print("shuffled labels:\n\(evaluation)")
        #expect(!(evaluation.inDomainAccuracy >= 0.95 && evaluation.offDomainNoneRate >= 0.90))
        #expect(evaluation.inDomainAccuracy < 0.7)
    }

    @Test(arguments: ExpertRouterTrainer.ClassifierKind.allCases)
    func jsonRoundTripRoutesIdentically(kind: ExpertRouterTrainer.ClassifierKind) async throws {
        let data = try await Self.prepared.value
        let router = try Self.router(data) { $0.classifier = kind }
        let json = try router.jsonData()
        let decoded = try ExpertRouter(jsonData: json)
        #expect(decoded == router)
        #expect(try decoded.jsonData() == json)
        for example in data.heldOut {
            #expect(decoded.route(embedding: example.embedding) == router.route(embedding: example.embedding))
        }
        // Training is deterministic: the same data and configuration give the same bytes.
        #expect(try Self.router(data) { $0.classifier = kind }.jsonData() == json)
    }

    @Test func storedRoutersAreChecked() throws {
        #expect(throws: ExpertRouterError.self) { try ExpertRouter(jsonData: Data("{}".utf8)) }
        let model = try SoftmaxRegression(classCount: 2, dimension: 3, weights: [1, 0, 0, 0, 1, 0], biases: [0, 0])
        let router = try ExpertRouter(expertIDs: ["a", "b"], hasNoneClass: false, classifier: .logisticRegression(model), threshold: 0.6)
        var json = String(decoding: try router.jsonData(), as: UTF8.self)
        #expect(router.route(embedding: [1, 0, 0]).expertID == "a")
        #expect(router.route(embedding: [0, 0, 1]).expertID == nil)   // 50/50: below the threshold
        json = json.replacingOccurrences(of: "\"version\":1", with: "\"version\":99")
        #expect(throws: ExpertRouterError.self) { try ExpertRouter(jsonData: Data(json.utf8)) }
        #expect(throws: ExpertRouterError.self) {
            try ExpertRouter(expertIDs: ["a", "b", "c"], hasNoneClass: false, classifier: .logisticRegression(model), threshold: 0.5)
        }
    }

    @Test func trainingDataIsValidated() throws {
        let v: [Float] = [1, 0, 0]
        let trainer = ExpertRouterTrainer()
        #expect(throws: ExpertRouterError.self) { try trainer.train(experts: []) }
        #expect(throws: ExpertRouterError.self) {
            try trainer.train(experts: [EmbeddedTrainingSet(id: "a", embeddings: [v, v]), EmbeddedTrainingSet(id: "a", embeddings: [v, v])])
        }
        #expect(throws: ExpertRouterError.self) { try trainer.train(experts: [EmbeddedTrainingSet(id: "a", embeddings: [v])]) }
        #expect(throws: ExpertRouterError.self) {
            try trainer.train(experts: [EmbeddedTrainingSet(id: "a", embeddings: [v, v]), EmbeddedTrainingSet(id: "b", embeddings: [[1, 0], [0, 1]])])
        }
    }

    @Test func calibrationTakesTheMiddleOfTheFeasibleRange() {
        typealias S = ExpertRouterCalibration.InDomainScore
        // In-domain scores 0.6…0.95 (one wrong expert), off-domain 0.1…0.5: every t in (0.5, 0.6] meets 95 % / 90 %.
        let inDomain = (0..<20).map { S(score: 0.6 + Float($0) * 0.0175, correctExpert: true) } + [S(score: 0.9, correctExpert: false)]
        let offDomain: [Float] = (0..<10).map { 0.1 + Float($0) * 0.0444 } + [-1]
        let c = ExpertRouterCalibration.calibrate(inDomain: inDomain, offDomain: offDomain, targetInDomainCorrect: 0.95, targetOffDomainNone: 0.9)
        #expect(c.feasible)
        #expect(c.threshold > 0.5 && c.threshold <= 0.6)
        #expect(c.offDomainNone == 1 && c.inDomainCorrect == 20.0 / 21)
        // Overlapping scores: no threshold meets both; the best balance is reported as infeasible.
        let hard = ExpertRouterCalibration.calibrate(inDomain: (0..<10).map { S(score: Float($0) / 10, correctExpert: true) },
                                                     offDomain: (0..<10).map { Float($0) / 10 }, targetInDomainCorrect: 0.95, targetOffDomainNone: 0.9)
        #expect(!hard.feasible)
    }

    @Test func queriesTakeTheLastUserTurnAndAShortContext() async throws {
        let messages: [(role: String, text: String)] = [
            (role: "system", text: "  You are Mira.  "), (role: "user", text: "How much is Lumora Plus?"),
            (role: "assistant", text: "7.40 euros."), (role: "user", text: "And the Team plan?"),
        ]
        let query = try #require(ExpertQuery(messages: messages))
        #expect(query == ExpertQuery(lastUser: "And the Team plan?", previousUser: "How much is Lumora Plus?", system: "You are Mira."))
        #expect(ExpertQuery(messages: [(role: "system", text: "x")]) == nil)
        let long = String(repeating: "a", count: 1_000) + " question?"
        let cut = ExpertQuery.truncated(long)
        #expect(cut.count == ExpertQuery.headCharacters + 3 + ExpertQuery.tailCharacters && cut.hasSuffix(" question?"))

        // Texts are embedded once (the last turn is the next request's previous one); the router input is the weighted, normalised sum.
        let counter = EmbedCounter()
        let encoder = ExpertQueryEncoder { texts in
            counter.add(texts)
            return try await Self.provider.embed(texts).vectors
        }
        let v1 = try await encoder.embedding(for: query)
        let v2 = try await encoder.embedding(for: ExpertQuery(lastUser: "Where is the Recycle Vault?", previousUser: "And the Team plan?", system: "You are Mira."))
        #expect(counter.texts == ["And the Team plan?", "How much is Lumora Plus?", "You are Mira.", "Where is the Recycle Vault?"])
        let parts = try await Self.provider.embed(["And the Team plan?", "How much is Lumora Plus?", "You are Mira."]).vectors
        let expected = ExpertQueryEncoder.combine(last: parts[0], previous: parts[1], system: parts[2], previousUserWeight: 0.3, systemWeight: 0.2)
        #expect(zip(v1, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(v2.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
    }

    final class EmbedCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        var texts: [String] { lock.withLock { all } }
        func add(_ t: [String]) { lock.withLock { all += t } }
    }
}
