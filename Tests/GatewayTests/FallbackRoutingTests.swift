import Gateway
import Testing

/// `routing.fallback`: the lower tiers a request may fall back to when every routed candidate is down.
struct FallbackRoutingTests {
    static let models = [
        ServedModel(id: "small", source: "s", tier: 0, capabilities: [.chat]),
        ServedModel(id: "small-b", source: "s", tier: 0, capabilities: [.chat]),
        ServedModel(id: "mid", source: "m", tier: 1, capabilities: [.chat, .tools]),
        ServedModel(id: "big", source: "b", tier: 2, capabilities: [.chat, .tools]),
        ServedModel(id: "base", source: "g", tier: 1, capabilities: [.completion]),
    ]

    func router(_ fallback: RoutingConfiguration.Fallback = .lower) -> ModelRouter {
        var routing = RoutingConfiguration()
        routing.strategy = .keywords
        routing.tierThresholds = [-1, -1]   // every request is routed to the top tier
        routing.fallback = fallback
        return ModelRouter(configuration: routing, models: Self.models)
    }

    let hi = RoutingRequest(messages: [(role: "user", text: "Hi")])

    @Test func theBestModelOfEachLowerTierBestFirst() throws {
        let plan = try router().plan(hi)
        #expect(plan.candidates.map(\.id) == ["big"])
        #expect(plan.fallbacks.map(\.id) == ["mid", "small"])          // one per tier; never the base model
    }

    @Test func fallbacksKeepToTheCapabilityAndTheDeviceProfile() throws {
        #expect(try router().plan(hi, capability: .tools).fallbacks.map(\.id) == ["mid"])
        var laptop = hi
        laptop.profile = "laptop"
        let plan = try router().plan(laptop)
        #expect(plan.candidates.map(\.id) == ["mid"] && plan.fallbacks.map(\.id) == ["small"])
    }

    @Test func aNamedModelOrFallbackNoneHasNone() throws {
        #expect(try router().plan(hi, forcedModel: "big").fallbacks.isEmpty)
        #expect(try router(.none).plan(hi).fallbacks.isEmpty)
    }
}
