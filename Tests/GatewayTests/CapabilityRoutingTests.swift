import Foundation
import Gateway
import ModelStore
import Testing

@Suite("Capabilities and the learned router")
struct CapabilityRoutingTests {
    static let chatPrompts = ["Hi!", "Explain step by step how to compute the derivative of x^2 sin(x).",
                              "Write a Rust function that parses a CSV line with quoted fields."]

    @Test("chat is never routed to a model without the chat capability; naming one is an error that says so")
    func chatNeedsChat() throws {
        var routing = RoutingConfiguration()
        routing.strategy = .keywords
        let router = ModelRouter(configuration: routing, models: ServedModel.defaults)
        for text in Self.chatPrompts {
            for maxTokens in [nil, 64, 4_000] {
                let plan = try router.plan(RoutingRequest(messages: [(role: "user", text: text)], maxTokens: maxTokens))
                #expect(!plan.candidates.contains { $0.id == "gemma3-270m" }, "\(text): \(plan.candidates.map(\.id))")
                #expect(plan.candidates.allSatisfy { $0.can(.chat) })
            }
        }
        let hi = RoutingRequest(messages: [(role: "user", text: "Hi")])
        #expect(throws: RoutingError.missingCapability(.chat, model: "gemma3-270m")) {
            _ = try router.plan(hi, forcedModel: "gemma3-270m")
        }
        #expect(try router.plan(hi, forcedModel: "gemma3-270m", capability: .completion).candidates.map(\.id) == ["gemma3-270m"])
        let baseOnly = ModelRouter(configuration: routing, models: [ServedModel(id: "base", source: "b", tier: 0, capabilities: [.completion])])
        #expect(throws: RoutingError.missingCapability(.chat, model: nil)) { _ = try baseOnly.plan(hi) }
        #expect("\(RoutingError.missingCapability(.chat, model: "gemma3-270m"))".contains("/v1/completions"))
    }

    @Test("capabilities are read from the GGUF: a chat template or an instruct fine-tune chats, a bare base model only completes")
    func detection() throws {
        let store = ModelStore()
        let expected: [(String, Set<ModelCapability>)] = [
            ("smollm2-135m", [.chat, .completion, .translation]), ("qwen2.5-coder-0.5b", [.chat, .completion, .tools, .translation]),
            ("gemma3-270m", [.completion]),
        ]
        for (id, capabilities) in expected {
            let path = try #require(store.localPath(for: id), "run `groupqwen models fetch \(id)`").path
            #expect(ModelCapability.detect(path: path) == capabilities, "\(id)")
        }
        #expect(ModelCapability.detect(path: "/nonexistent.gguf") == nil)
    }

    static let tiers = [ServedModel(id: "a", source: "a", tier: 0), ServedModel(id: "b", source: "b", tier: 1),
                        ServedModel(id: "c", source: "c", tier: 2), ServedModel(id: "base", source: "x", tier: 1, capabilities: [.completion])]

    /// A router whose tier `t` is sure exactly when the embedding's coordinate `t` is positive.
    static func router(models: [String] = ["a", "b", "c"], costWeight: Double = 0.5) throws -> LearnedRouter {
        let d = LearnedRouter.featureCount
        let tierModels = try (0..<3).map { t in
            var weights = [Float](repeating: 0, count: 2 * d)
            weights[d + t] = 20   // class 1 (correct) rises with coordinate t
            return LearnedRouter.TierModel.logistic(try SoftmaxRegression(classCount: 2, dimension: d, weights: weights, biases: [0, -5]))
        }
        return LearnedRouter(models: models, relativeCosts: [0.1, 0.35, 1], tierModels: tierModels, costWeight: costWeight,
                             minConfidence: [0.4, 0.2, 0], fittedOn: "test")
    }

    static func embedding(hot t: Int) -> [Float] {
        var e = [Float](repeating: 0, count: LearnedRouter.embeddingDimension)
        e[t] = 1
        return e
    }

    @Test("the learned router starts at the cheapest tier it expects to answer well, and only over its own tiers")
    func learnedRouting() throws {
        var routing = RoutingConfiguration()
        routing.strategy = .learned
        routing.learnedRouter = try Self.router()
        let router = ModelRouter(configuration: routing, models: Self.tiers)
        #expect(router.learnedRouter != nil)
        for (hot, expected) in [(0, "a"), (1, "b"), (2, "c")] {
            let plan = try router.plan(RoutingRequest(messages: [(role: "user", text: "Hi")], embedding: Self.embedding(hot: hot)))
            #expect(plan.strategy == .learned && plan.candidates.first?.id == expected, "\(hot): \(plan.candidates.map(\.id))")
            #expect(plan.minConfidence == ["a": 0.4, "b": 0.2, "c": 0])
            #expect(plan.predictedQuality?.count == 3)
        }
        // Without an embedding, or with other tiers, the keyword score decides.
        let keywordPlan = try router.plan(RoutingRequest(messages: [(role: "user", text: "Hi")]))
        #expect(keywordPlan.strategy == .keywords && keywordPlan.minConfidence == nil)
        routing.learnedRouter = try Self.router(models: ["a", "b", "z"])
        #expect(ModelRouter(configuration: routing, models: Self.tiers).learnedRouter == nil)
        routing.learnedRouter = try Self.router()
        routing.strategy = .keywords
        #expect(ModelRouter(configuration: routing, models: Self.tiers).learnedRouter == nil)
    }

    @Test("the shipped learned router fits the default chat tiers")
    func shippedRouter() throws {
        let shipped = try #require(LearnedRouter.shipped)
        try shipped.validate()
        var routing = RoutingConfiguration()
        routing.strategy = .learned
        #expect(ModelRouter(configuration: routing, models: ServedModel.defaults).learnedRouter == shipped)
        #expect(shipped.models == ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    }
}
