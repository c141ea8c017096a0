import Gateway
import Testing

@Suite("Routing by language")
struct LanguageRoutingTests {
    static func router() -> ModelRouter {
        var routing = RoutingConfiguration()
        routing.strategy = .keywords
        routing.tierThresholds = [0.5, 0.9]
        return ModelRouter(configuration: routing, models: [
            ServedModel(id: "english", source: "a", tier: 0, languages: ["en"]),
            ServedModel(id: "european", source: "b", tier: 1, languages: ["en", "fr", "de"]),
            ServedModel(id: "any", source: "c", tier: 2),
        ])
    }

    static func request(_ language: String?) -> RoutingRequest {
        var request = RoutingRequest(messages: [(role: "user", text: "Hello there")])
        request.language = language
        return request
    }

    @Test("a prompt goes only to models that speak its language; an unknown language narrows nothing")
    func filters() throws {
        let router = Self.router()
        #expect(try router.plan(Self.request("en")).candidates.map(\.id) == ["english", "european", "any"])
        #expect(try router.plan(Self.request(nil)).candidates.first?.id == "english")
        #expect(try router.plan(Self.request("fr")).candidates.map(\.id) == ["european", "any"])
        #expect(try router.plan(Self.request("ja")).candidates.map(\.id) == ["any"])
        #expect(try router.plan(Self.request("fr")).language == "fr")
    }

    @Test("when no model lists the language, it does not narrow the choice; a named model is always kept")
    func fallsBack() throws {
        var routing = RoutingConfiguration()
        routing.tierThresholds = [0.5, 0.9]
        let onlyEnglish = ModelRouter(configuration: routing, models: [ServedModel(id: "english", source: "a", tier: 0, languages: ["en"])])
        #expect(try onlyEnglish.plan(Self.request("ko")).candidates.map(\.id) == ["english"])
        #expect(try Self.router().plan(Self.request("ja"), forcedModel: "english").candidates.map(\.id) == ["english"])
        #expect(ServedModel.defaults.first { $0.id == "smollm2-135m" }?.speaks("fr") == false)
        #expect(ServedModel.defaults.first { $0.id == "qwen2.5-coder-0.5b" }?.speaks("fr") == true)
    }
}
