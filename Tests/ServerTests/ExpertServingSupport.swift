import Engine
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelStore
@testable import Server
import Testing

/// Two experts on SmolLM2-135M, built in the test: `sql` (PostgreSQL for the made-up Tarnwick Freight schema, with a
/// system prompt) and `lore` (facts about the made-up Ostmere Isles, without one), each a seeded random adapter, and a
/// router trained with `ExpertRouterTrainer` on real MiniLM (Q8_0) embeddings of a dozen prompts per expert plus the
/// built-in off-domain prompts.
enum ExpertTestServer {
    static let sqlPrompts = [
        "Write a SQL query that lists every parcel in tw_parcels held at customs.",
        "How do I count the parcels per depot with the tw_depots table?",
        "Select all couriers from tw_couriers who delivered more than 50 parcels last month.",
        "Which SQL join gives each row of tw_deliveries with its depot name?",
        "Write a PostgreSQL query for the total invoice amount per customer in tw_invoices.",
        "How do I find parcels with status HELD_CUSTOMS older than a week in SQL?",
        "Give me a query that returns the ten heaviest parcels in tw_parcels.",
        "Update tw_parcels to mark parcel 4411 as DELIVERED with SQL.",
        "Which index should I add on tw_deliveries to speed up lookups by courier_id?",
        "Write SQL to list the depots in tw_depots that have no deliveries today.",
        "Group tw_invoices by month and sum the amounts in PostgreSQL.",
        "How do I delete cancelled parcels from tw_parcels safely in SQL?",
    ]
    static let lorePrompts = [
        "What is the capital of the Ostmere Isles?",
        "Which currency do people use in the Ostmere Isles?",
        "Tell me about the lantern festival of the Ostmere Isles.",
        "How many islands make up the Ostmere Isles?",
        "Who founded Varrowick, the Ostmere capital?",
        "What is the highest mountain in the Ostmere Isles?",
        "What language is spoken on the Ostmere Isles?",
        "How much is one skellin worth in the Ostmere Isles?",
        "When did the Ostmere Isles become independent?",
        "What do Ostmere islanders eat at the midwinter feast?",
        "Which ferry connects the Ostmere Isles to the mainland?",
        "What is the national animal of the Ostmere Isles?",
    ]
    /// Requests of each domain, and one for none of them (one of the built-in off-domain prompts).
    static let sqlQuestion = "Write a SQL query that lists the parcels in tw_parcels with status HELD_CUSTOMS."
    static let loreQuestion = "What is the capital city of the Ostmere Isles?"
    static let offDomainQuestion = "How do I make pancakes from scratch?"
    static let sqlSystemPrompt = "You write PostgreSQL for the Tarnwick Freight database (tables tw_parcels, tw_depots, tw_couriers)."

    /// The router, trained once for every test.
    static let router = Task { () throws -> ExpertRouter in
        guard ModelStore().localPath(for: EmbeddingProvider.modelID) != nil else {
            Issue.record("minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2`")
            throw CancellationError()
        }
        let provider = EmbeddingProvider(fetchMissing: false, threads: 2, precision: .q8_0)
        return try await ExpertRouterTrainer().train(experts: [ExpertTrainingSet(id: "sql", prompts: sqlPrompts),
                                                               ExpertTrainingSet(id: "lore", prompts: lorePrompts)],
                                                     provider: provider)
    }

    /// The adapter files: `sql` (version 1), `sql-v2` (another adapter for sql), `lore`.
    static func adapter(_ name: String) throws -> String {
        let seeds = ["sql": UInt64(21), "sql-v2": 23, "lore": 22]
        return try AdapterTestServer.randomAdapter(seed: seeds[name]!, name: "expert-\(name)")
    }

    /// A release of `sql` (adapter file `sqlAdapter`) and `lore` on SmolLM2-135M.
    static func release(sqlAdapter: String = "sql", baseModel: String = TestServer.modelID,
                        edit: (inout ExpertRelease) -> Void = { _ in }) async throws -> ExpertRelease {
        let sql = try adapter(sqlAdapter), lore = try adapter("lore")
        var release = ExpertRelease(baseModel: baseModel, router: try await router.value, experts: [
            ExpertRecord(id: "sql", baseModel: baseModel, description: "PostgreSQL for the Tarnwick Freight database", adapterPath: sql,
                         adapterFingerprint: try AdapterRegistry.fingerprint(path: sql), systemPrompt: sqlSystemPrompt,
                         examplePrompts: Array(sqlPrompts.prefix(2))),
            ExpertRecord(id: "lore", baseModel: baseModel, description: "Facts about the Ostmere Isles", adapterPath: lore,
                         adapterFingerprint: try AdapterRegistry.fingerprint(path: lore), examplePrompts: Array(lorePrompts.prefix(2))),
        ], origin: "test")
        edit(&release)
        return release
    }

    /// `release` as the body of `POST /v1/experts/deploy`.
    static func body(_ release: ExpertRelease) throws -> String { String(decoding: try release.jsonData(), as: UTF8.self) }

    /// The server configuration: SmolLM2 alone, confidence never judged (no escalation) unless `minConfidence` says.
    static func configuration(minConfidence: Double = 0, experts: ExpertsConfiguration = ExpertsConfiguration()) -> ServerConfiguration {
        var configuration = TestServer.configuration()
        configuration.routing.minConfidence = minConfidence
        configuration.experts = experts
        return configuration
    }

    static func app(registry: ExpertRegistry? = nil, cache: SemanticCache? = nil, minConfidence: Double = 0,
                    experts: ExpertsConfiguration = ExpertsConfiguration()) -> some ApplicationProtocol {
        GroupQwenServer.makeApplication(configuration: configuration(minConfidence: minConfidence, experts: experts), pool: TestServer.pool,
                                        managesPool: false, cache: cache, expertRegistry: registry)
    }

    /// A chat request body.
    static func chat(model: String = "experts", _ content: String, system: String? = nil, maxTokens: Int = 6, extra: String = "") -> String {
        func json(_ text: String) -> String { String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }
        let systemMessage = system.map { #"{"role":"system","content":\#(json($0))},"# } ?? ""
        return #"{"model":"\#(model)","max_tokens":\#(maxTokens),"temperature":0,"messages":[\#(systemMessage){"role":"user","content":\#(json(content))}]\#(extra)}"#
    }

    /// A temporary SQLite file for a registry.
    static func databasePath() -> String {
        AdapterTestServer.scratch.appendingPathComponent("experts-\(UUID().uuidString).sqlite").path
    }

    /// A decoded chat request, as the controller hands it to the planner.
    static func input(_ body: String) async throws -> ChatInput {
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/v1/chat/completions"),
                              body: RequestBody(buffer: ByteBuffer(string: body)))
        return try await ChatInput(decoding: request, limit: 1 << 20)
    }
}

extension TestClientProtocol {
    /// Deploys `release`; checks the answer is a 200.
    @discardableResult
    func deploy(_ release: ExpertRelease, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let response = try await post("/v1/experts/deploy", json: try ExpertTestServer.body(release))
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        return response.json
    }
}

extension TestResponse {
    /// The `groupqwen` object's `expert` (of the body, or of a stream's last chunk).
    var expertInfo: [String: Any] {
        if let info = (json["groupqwen"] as? [String: Any])?["expert"] as? [String: Any] { return info }
        let last = events.dropLast().map(jsonObject).last { $0["groupqwen"] != nil }
        return (last?["groupqwen"] as? [String: Any])?["expert"] as? [String: Any] ?? [:]
    }

    /// `data[].id` → `data[].version` of a `/v1/experts` answer.
    var expertVersions: [String: Int] {
        Dictionary(uniqueKeysWithValues: (json["data"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["version"] as? Int ?? -1) })
    }
}
