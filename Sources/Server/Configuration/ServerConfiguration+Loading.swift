import Foundation
import Gateway
import ModelStore
import Yams

extension ServerConfiguration: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, models, limits, routing, cache, training, experts, ui, mcp
        case keepAliveSeconds = "keep_alive_seconds"
        case memoryBudgetMB = "memory_budget_mb"
        case threads
        case apiKeys = "api_keys"
        case fetchMissing = "fetch_missing"
        case prefixCacheMB = "prefix_cache_mb"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerConfiguration()
        self.init(
            host: try c.decodeIfPresent(String.self, forKey: .host) ?? defaults.host,
            port: try c.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port,
            models: try c.decodeIfPresent([ServedModelEntry].self, forKey: .models)?.map(\.served) ?? defaults.models,
            limits: try c.decodeIfPresent(ServerLimits.self, forKey: .limits) ?? defaults.limits,
            keepAliveSeconds: c.contains(.keepAliveSeconds)
                ? try c.decodeIfPresent(Double.self, forKey: .keepAliveSeconds).flatMap { $0 < 0 ? nil : $0 }
                : defaults.keepAliveSeconds,
            memoryBudgetMB: try c.decodeIfPresent(Int.self, forKey: .memoryBudgetMB),
            threads: try c.decodeIfPresent(Int.self, forKey: .threads),
            apiKeys: try c.decodeIfPresent([APIKeyEntry].self, forKey: .apiKeys) ?? [],
            fetchMissing: try c.decodeIfPresent(Bool.self, forKey: .fetchMissing) ?? defaults.fetchMissing,
            routing: try c.decodeIfPresent(RoutingConfiguration.self, forKey: .routing) ?? defaults.routing,
            cache: try c.decodeIfPresent(CacheSection.self, forKey: .cache)?.configuration ?? CacheSection.defaultConfiguration,
            training: try c.decodeIfPresent(TrainingSection.self, forKey: .training)?.configuration ?? .standard,
            experts: try c.decodeIfPresent(ExpertsConfiguration.self, forKey: .experts) ?? ExpertsConfiguration(),
            ui: try c.decodeIfPresent(Bool.self, forKey: .ui) ?? defaults.ui)
        mcp = try c.decodeIfPresent(MCPConfiguration.self, forKey: .mcp) ?? defaults.mcp
        prefixCacheMB = try c.decodeIfPresent(Int.self, forKey: .prefixCacheMB) ?? defaults.prefixCacheMB
    }

    /// Reads and validates a YAML configuration file. Errors name the key and line at fault.
    public static func load(path: String) throws(ServerConfigurationError) -> ServerConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        var configuration = try parse(yaml: text)
        let directory = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).deletingLastPathComponent()
        configuration.resolveAdapterPaths(relativeTo: directory)
        configuration.resolveTrainingPaths(relativeTo: directory)
        configuration.mcp.resolvePaths(relativeTo: directory)
        try configuration.routing.loadLearnedRouter(relativeTo: directory)
        if let router = configuration.routing.learnedRouter {
            do { try router.validate() } catch { throw .invalid(key: "routing.learned_router", message: "\(error)", line: nil) }
        }
        return configuration
    }

    /// Makes a relative `training.path` and `training.directory` relative to `directory` (the configuration file's folder).
    mutating func resolveTrainingPaths(relativeTo directory: URL) {
        func resolved(_ path: String) -> String {
            path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardized.path
        }
        training.directory = resolved(training.directory)
        training.databasePath = training.databasePath.map(resolved)
    }

    /// Makes relative adapter paths relative to `directory` (the configuration file's folder); `~` is expanded.
    mutating func resolveAdapterPaths(relativeTo directory: URL) {
        for i in models.indices {
            for j in models[i].adapters.indices {
                let path = (models[i].adapters[j].path as NSString).expandingTildeInPath
                models[i].adapters[j].path = path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardized.path
            }
        }
    }

    /// Parses and validates YAML text (an empty document gives the defaults).
    public static func parse(yaml text: String) throws(ServerConfigurationError) -> ServerConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw .syntax(message: "\(error)", line: nil, column: nil)
        }
        guard let root else { return ServerConfiguration() }
        guard root.mapping != nil else {
            throw .invalid(key: "(document)", message: "must be a mapping of keys to values", line: root.mark?.line)
        }
        try checkKeys(root)
        let configuration: ServerConfiguration
        do {
            configuration = try YAMLDecoder().decode(ServerConfiguration.self, from: text)
        } catch let error as DecodingError {
            throw decodingError(error, root: root)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw .invalid(key: "(document)", message: "\(error)", line: nil)
        }
        do {
            try configuration.validate()
        } catch {
            if case let .invalid(key, message, nil) = error {
                throw .invalid(key: key, message: message, line: node(at: key, in: root)?.mark?.line)
            }
            throw error
        }
        return configuration
    }

    // MARK: - Error reporting

    private static func checkKeys(_ root: Node) throws(ServerConfigurationError) {
        try checkKeys(of: root, prefix: "", known: CodingKeys.allCases.map(\.rawValue))
        if let limits = root["limits"], limits.mapping != nil {
            try checkKeys(of: limits, prefix: "limits.", known: ServerLimits.CodingKeys.allCases.map(\.rawValue))
        }
        if let cache = root["cache"], cache.mapping != nil {
            try checkKeys(of: cache, prefix: "cache.", known: CacheSection.CodingKeys.allCases.map(\.rawValue))
        }
        if let training = root["training"], training.mapping != nil {
            try checkKeys(of: training, prefix: "training.", known: TrainingSection.CodingKeys.allCases.map(\.rawValue))
        }
        if let experts = root["experts"], experts.mapping != nil {
            try checkKeys(of: experts, prefix: "experts.", known: ExpertsConfiguration.CodingKeys.allCases.map(\.rawValue))
        }
        if let mcp = root["mcp"], mcp.mapping != nil {
            try checkKeys(of: mcp, prefix: "mcp.", known: MCPConfiguration.CodingKeys.allCases.map(\.rawValue))
        }
        if let routing = root["routing"], routing.mapping != nil {
            try checkKeys(of: routing, prefix: "routing.", known: RoutingConfiguration.CodingKeys.allCases.map(\.rawValue))
            if let weights = routing["weights"], weights.mapping != nil {
                try checkKeys(of: weights, prefix: "routing.weights.",
                              known: RoutingConfiguration.Weights.CodingKeys.allCases.map(\.rawValue))
            }
        }
        if let models = root["models"]?.sequence {
            for (i, model) in models.enumerated() where model.mapping != nil {
                try checkKeys(of: model, prefix: "models[\(i)].", known: ServedModelEntry.CodingKeys.allCases.map(\.rawValue))
                for (j, adapter) in (model["adapters"]?.sequence ?? []).enumerated() where adapter.mapping != nil {
                    try checkKeys(of: adapter, prefix: "models[\(i)].adapters[\(j)].",
                                  known: ServedAdapterEntry.CodingKeys.allCases.map(\.rawValue))
                }
            }
        }
    }

    private static func checkKeys(of node: Node, prefix: String, known: [String]) throws(ServerConfigurationError) {
        guard let mapping = node.mapping else { return }
        for (key, _) in mapping {
            let name = key.string ?? "\(key)"
            if !known.contains(name) {
                throw .unknownKey(key: prefix + name, line: key.mark?.line, known: known)
            }
        }
    }

    private static func syntaxError(_ error: YamlError) -> ServerConfigurationError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return .syntax(message: prefix + problem, line: mark.line, column: mark.column)
        default:
            return .syntax(message: "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable", line: nil, column: nil)
        }
    }

    private static func decodingError(_ error: DecodingError, root: Node) -> ServerConfigurationError {
        let (path, message): ([any CodingKey], String)
        switch error {
        case let .typeMismatch(type, context):
            (path, message) = (context.codingPath, "must be \(typeName(type))")
        case let .valueNotFound(type, context):
            (path, message) = (context.codingPath, "must be \(typeName(type)), not null")
        case let .keyNotFound(key, context):
            (path, message) = (context.codingPath + [key], "is required")
        case let .dataCorrupted(context):
            (path, message) = (context.codingPath, "is invalid: \(context.debugDescription)")
        @unknown default:
            (path, message) = ([], "\(error)")
        }
        let key = keyPath(path)
        return .invalid(key: key.isEmpty ? "(document)" : key, message: message, line: node(at: path, in: root)?.mark?.line)
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "a mapping" : "a mapping"
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    private static func node(at path: [any CodingKey], in root: Node) -> Node? {
        var node: Node? = root
        for key in path {
            if let index = key.intValue {
                guard let seq = node?.sequence, index >= 0, index < seq.count else { return node }
                node = seq[index]
            } else {
                guard let next = node?[key.stringValue] else { return node }
                node = next
            }
        }
        return node
    }

    /// The node for a dotted key path like `models[1].max_concurrent`.
    private static func node(at key: String, in root: Node) -> Node? {
        var node: Node? = root
        for part in key.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) ?? 0, at: 0)
                name = name[..<open]
            }
            guard let next = node?[String(name)] else { return node }
            node = next
            for index in indices {
                guard let seq = node?.sequence, index < seq.count else { return node }
                node = seq[index]
            }
        }
        return node
    }
}

extension ServerLimits: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBodyBytes = "max_body_bytes"
        case maxQueuedPerModel = "max_queued_per_model"
        case maxTokensDefault = "max_tokens_default"
        case requestTimeoutSeconds = "request_timeout"
        case maxConnections = "max_connections"
        case idleTimeoutSeconds = "idle_timeout"
        case headerTimeoutSeconds = "header_timeout"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerLimits()
        self.init(
            maxBodyBytes: try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes,
            maxQueuedPerModel: try c.decodeIfPresent(Int.self, forKey: .maxQueuedPerModel) ?? defaults.maxQueuedPerModel,
            maxTokensDefault: try c.decodeIfPresent(Int.self, forKey: .maxTokensDefault),
            requestTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds),
            maxConnections: try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? defaults.maxConnections,
            idleTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .idleTimeoutSeconds) ?? defaults.idleTimeoutSeconds,
            headerTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .headerTimeoutSeconds) ?? defaults.headerTimeoutSeconds)
    }
}

/// One `models:` entry in the YAML file (snake_case keys, everything but `id` optional).
struct ServedModelEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, source, tier, labels, preload, url, attempts, adapters, capabilities, draft, languages
        case draftTokens = "draft_tokens"
        case contextLength = "context_length"
        case maxConcurrent = "max_concurrent"
        case maxQueued = "max_queued"
        case remoteModel = "remote_model"
        case apiKey = "api_key"
        case timeout
    }

    let served: ServedModel

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        let known = ServedModel.defaults.first { $0.id == id }
        let source = try c.decodeIfPresent(String.self, forKey: .source) ?? known?.source ?? id
        let remote = try c.decodeIfPresent(String.self, forKey: .url)
        served = ServedModel(
            id: id,
            source: source,
            contextLength: try c.decodeIfPresent(Int.self, forKey: .contextLength),
            tier: try c.decodeIfPresent(Int.self, forKey: .tier) ?? known?.tier ?? 1,
            labels: try c.decodeIfPresent([String].self, forKey: .labels) ?? known?.labels ?? [],
            maxConcurrent: try c.decodeIfPresent(Int.self, forKey: .maxConcurrent) ?? 8,
            maxQueued: try c.decodeIfPresent(Int.self, forKey: .maxQueued),
            preload: try c.decodeIfPresent(Bool.self, forKey: .preload) ?? false,
            remote: try remote.map { url in
                RemoteEndpoint(url: url, model: try c.decodeIfPresent(String.self, forKey: .remoteModel),
                               apiKey: try c.decodeIfPresent(String.self, forKey: .apiKey),
                               timeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .timeout) ?? 120,
                               attempts: try c.decodeIfPresent(Int.self, forKey: .attempts) ?? 3)
            },
            adapters: try c.decodeIfPresent([ServedAdapterEntry].self, forKey: .adapters)?.map(\.served) ?? [],
            capabilities: try c.decodeIfPresent([ModelCapability].self, forKey: .capabilities).map(Set.init)
                ?? Self.capabilities(source: source, remote: remote != nil),
            draft: try c.decodeIfPresent(String.self, forKey: .draft),
            draftTokens: try c.decodeIfPresent(Int.self, forKey: .draftTokens),
            languages: try c.decodeIfPresent([String].self, forKey: .languages).map { Set($0.map { $0.lowercased() }) }
                ?? ServedModel.defaults.first { $0.source == source && remote == nil }?.languages)
    }

    /// Capabilities of a model configured without `capabilities:`: a remote model chats, calls tools and translates; a known
    /// model has its default's; a GGUF path is read (`ModelCapability.detect`); anything else (not fetched yet) chats and
    /// translates.
    static func capabilities(source: String, remote: Bool) -> Set<ModelCapability> {
        if remote { return [.chat, .completion, .tools, .translation] }
        if let known = ServedModel.defaults.first(where: { $0.source == source }) { return known.capabilities }
        if source.hasSuffix(".gguf"), let detected = ModelCapability.detect(path: (source as NSString).expandingTildeInPath) {
            return detected
        }
        return [.chat, .completion, .translation]
    }
}

/// One `models[].adapters` entry: `id` and `path` required; `scale` (default 1), `tier`, `labels` and
/// `description` optional.
struct ServedAdapterEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, path, scale, tier, labels, description
    }

    let served: ServedAdapter

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        served = ServedAdapter(
            id: try c.decode(String.self, forKey: .id),
            path: try c.decode(String.self, forKey: .path),
            scale: try c.decodeIfPresent(Double.self, forKey: .scale) ?? 1,
            tier: try c.decodeIfPresent(Int.self, forKey: .tier),
            labels: try c.decodeIfPresent([String].self, forKey: .labels) ?? [],
            description: try c.decodeIfPresent(String.self, forKey: .description))
    }
}

/// The `cache:` section. Its file defaults to `$GROUPQWEN_HOME/semantic-cache.sqlite`; `":memory:"` keeps
/// entries in memory only.
struct CacheSection: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, path
        case similarityThreshold = "similarity_threshold"
        case ttlSeconds = "ttl_seconds"
        case timeSensitiveTTLSeconds = "time_sensitive_ttl_seconds"
        case maxEntries = "max_entries"
    }

    static var defaultConfiguration: SemanticCacheConfiguration {
        var c = SemanticCacheConfiguration()
        c.path = ModelStore().home.appendingPathComponent("semantic-cache.sqlite").path
        return c
    }

    let configuration: SemanticCacheConfiguration

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = Self.defaultConfiguration
        s.enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? s.enabled
        if let path = try c.decodeIfPresent(String.self, forKey: .path) {
            s.path = path == ":memory:" ? nil : (path as NSString).expandingTildeInPath
        }
        s.similarityThreshold = try c.decodeIfPresent(Float.self, forKey: .similarityThreshold) ?? s.similarityThreshold
        s.ttlSeconds = try c.decodeIfPresent(Double.self, forKey: .ttlSeconds) ?? s.ttlSeconds
        s.timeSensitiveTTLSeconds = try c.decodeIfPresent(Double.self, forKey: .timeSensitiveTTLSeconds) ?? s.timeSensitiveTTLSeconds
        s.maxEntries = try c.decodeIfPresent(Int.self, forKey: .maxEntries) ?? s.maxEntries
        configuration = s
    }
}

/// The `training:` section (see `FineTuningConfiguration`). `path` defaults to `$GROUPQWEN_HOME/fine-tuning.sqlite`
/// (`":memory:"`: in memory only), `directory` to `$GROUPQWEN_HOME`; `~` is expanded in both.
struct TrainingSection: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, path, directory, threads
        case maxUploadBytes = "max_upload_bytes"
        case activationMemoryMB = "activation_memory_mb"
    }

    let configuration: FineTuningConfiguration

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = FineTuningConfiguration.standard
        s.enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? s.enabled
        if let directory = try c.decodeIfPresent(String.self, forKey: .directory) {
            s.directory = (directory as NSString).expandingTildeInPath
        }
        if let path = try c.decodeIfPresent(String.self, forKey: .path) {
            s.databasePath = path == ":memory:" ? nil : (path as NSString).expandingTildeInPath
        }
        s.threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? s.threads
        s.maxUploadBytes = try c.decodeIfPresent(Int.self, forKey: .maxUploadBytes) ?? s.maxUploadBytes
        s.activationMemoryMB = try c.decodeIfPresent(Int.self, forKey: .activationMemoryMB) ?? s.activationMemoryMB
        configuration = s
    }
}
