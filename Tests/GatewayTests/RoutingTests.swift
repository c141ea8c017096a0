import Foundation
import Gateway
import Testing

@Suite("Routing")
struct RoutingTests {
    static let models = [
        ServedModel(id: "small", source: "s", tier: 0),
        ServedModel(id: "medium", source: "m", tier: 1),
        ServedModel(id: "large", source: "l", tier: 2),
        ServedModel(id: "large-b", source: "l2", tier: 2),
    ]
    /// The keyword router with the hand-set values these tests were written for (the shipped defaults are calibrated).
    static let keywordConfiguration: RoutingConfiguration = {
        var c = RoutingConfiguration()
        c.strategy = .keywords
        c.weights = RoutingConfiguration.Weights()
        c.weights.length = 0.2; c.weights.depth = 0.1; c.weights.reasoning = 0.25; c.weights.code = 0.25
        c.weights.math = 0.1; c.weights.output = 0.1
        c.tierThresholds = [0.2, 0.5]
        c.minConfidence = 0.3
        return c
    }()
    let router = ModelRouter(configuration: Self.keywordConfiguration, models: Self.models)

    func plan(_ text: String, maxTokens: Int? = nil, profile: String? = nil, history: Int = 0) throws -> RoutingPlan {
        var messages: [(role: String, text: String)] = []
        for i in 0..<history { messages.append((role: i % 2 == 0 ? "user" : "assistant", text: "turn \(i)")) }
        messages.append((role: "user", text: text))
        return try router.plan(RoutingRequest(messages: messages, maxTokens: maxTokens, profile: profile))
    }

    @Test func simplePromptsGoToTheSmallTier() throws {
        for text in ["Hi!", "What is the capital of France?", "Say hello in Spanish.", "Thanks, that helps."] {
            let p = try plan(text)
            #expect(p.candidates.map(\.id) == ["small", "medium", "large"], "\(text): \(p.complexity)")
            #expect(p.complexity.score < 0.2)
        }
    }

    @Test func complexPromptsGoToTheLargeTier() throws {
        let text = """
            Explain step by step why this recursive function is slow, analyze its complexity, compare it with an \
            iterative design, and justify the trade-offs: ```def f(n): return f(n-1) + f(n-2) if n > 1 else n``` \
            Then derive a closed form and prove it: solve x^2 = x + 1.
            """
        let p = try plan(text, maxTokens: 1_024, history: 6)
        #expect(p.targetTier == 2, "\(p.complexity)")
        #expect(p.candidates.map(\.id) == ["large"])
        #expect(p.complexity.code == 1 && p.complexity.math > 0 && p.complexity.reasoning == 1)
    }

    @Test func mediumPromptsStartInTheMiddle() throws {
        let p = try plan("Write a Python function that checks whether a string is a palindrome and explain it.", maxTokens: 400)
        #expect(p.targetTier == 1, "\(p.complexity)")
        #expect(p.candidates.first?.id == "medium")
    }

    @Test func deviceProfilesCapTheTier() throws {
        let hard = "Explain step by step and analyze in depth, compare and evaluate: ```code();``` solve 3 * 4 = x"
        #expect(try plan(hard, maxTokens: 2_000, profile: "mobile").candidates.map(\.id) == ["small"])
        #expect(try plan(hard, maxTokens: 2_000, profile: "laptop").candidates.map(\.id) == ["medium"])
        #expect(throws: RoutingError.unknownProfile("watch", known: ["laptop", "mobile", "server"])) {
            _ = try plan("hi", profile: "watch")
        }
    }

    @Test func forcedModelIsHonoured() throws {
        let p = try router.plan(RoutingRequest(messages: [(role: "user", text: "Hi")], profile: "mobile"), forcedModel: "large-b")
        #expect(p.forced && p.candidates.map(\.id) == ["large-b"])
        #expect(ModelRouter.isAutomatic(nil) && ModelRouter.isAutomatic("auto") && !ModelRouter.isAutomatic("small"))
    }

    @Test func escalationIsLimited() throws {
        var configuration = Self.keywordConfiguration
        configuration.maxEscalations = 1
        let p = try ModelRouter(configuration: configuration, models: Self.models)
            .plan(RoutingRequest(messages: [(role: "user", text: "Hi")]))
        #expect(p.candidates.map(\.id) == ["small", "medium"])
    }

    @Test func confidenceIsTheGeometricMeanProbability() {
        #expect(AnswerConfidence.of(logprobs: []) == 1)
        #expect(abs(AnswerConfidence.of(logprobs: [log(0.5), log(0.5)]) - 0.5) < 1e-6)
        #expect(abs(AnswerConfidence.of(logprobs: [0, log(0.25)]) - 0.5) < 1e-6)
        #expect(AnswerConfidence.of(logprobs: [-.infinity]) < 1e-12)
    }

    @Test func configurationIsValidated() {
        var c = RoutingConfiguration()
        c.tierThresholds = [0.7, 0.2]
        #expect(throws: RoutingError.self) { try c.validate() }
        c = RoutingConfiguration()
        c.defaultProfile = "desk"
        #expect(throws: RoutingError.self) { try c.validate() }
        #expect(Self.keywordConfiguration.tier(forScore: 0.1) == 0)
        #expect(Self.keywordConfiguration.tier(forScore: 0.2) == 1)
        #expect(Self.keywordConfiguration.tier(forScore: 0.99) == 2)
    }
}
