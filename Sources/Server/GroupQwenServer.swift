import Gateway
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// Builds and runs the OpenAI-compatible HTTP server.
///
/// The CLI calls `GroupQwenServer.run(configuration:)`; tests build the same application with
/// `makeApplication(configuration:pool:managesPool:)` around a shared pool.
public enum GroupQwenServer {
    /// Serves `configuration` until SIGINT/SIGTERM. The configured LoRA adapters are loaded and checked
    /// against their base models' headers first (a bad one throws `ConfiguredAdapterError` and nothing is
    /// served); models marked `preload` load in the background (`/health` answers 503 until they are in),
    /// idle models are unloaded after `keep_alive`, and on a signal the listener stops, in-flight
    /// generations finish, then the models are released.
    public static func run(configuration: ServerConfiguration, logger: Logger? = nil) async throws {
        try configuration.validate()
        let pool = ModelPool(configuration: configuration.poolConfiguration)
        let adapters = try await AdapterRegistry.load(models: configuration.models, pool: pool)
        let cache = configuration.cache.enabled ? try await SemanticCache(configuration: configuration.cache) : nil
        let fineTuning = configuration.training.enabled
            ? try FineTuningJobs(configuration: configuration.training, models: configuration.models, pool: pool, adapters: adapters)
            : nil
        let experts = configuration.experts.enabled ? try ExpertRegistry(path: configuration.training.databasePath) : nil
        let app = makeApplication(configuration: configuration, pool: pool, managesPool: true, logger: logger, cache: cache,
                                  adapters: adapters, fineTuning: fineTuning, expertRegistry: experts)
        try await app.runService()
    }

    /// The Hummingbird application serving `pool`.
    ///
    /// - Parameter managesPool: when true (the real server) the application preloads models at
    ///   startup, unloads idle ones every 10 s, and on graceful shutdown calls
    ///   `pool.shutdown(cancelInFlight: false)`. Tests sharing one pool pass false.
    /// - Parameter cache: the semantic cache (`nil`: none; `X-GroupQwen-Cache: bypass` on every answer).
    /// - Parameter adapters: the LoRA adapters served, from `AdapterRegistry.load(models: configuration.models,
    ///   pool:)` (which loads the configured ones); the default serves none until `POST /v1/adapters`.
    /// - Parameter fineTuning: the Files and Fine-tuning APIs' store and job runner, built on the same `pool` and
    ///   `adapters` (nil: those routes answer 404 `fine_tuning_disabled`). Before serving, the adapters of succeeded
    ///   jobs are registered again; a service runs queued jobs and resumes one a stopped server left running.
    /// - Parameter expertRegistry: the experts' versions and deployments (`ExpertRegistry(path: training.databasePath)`
    ///   in the real server); nil keeps them in memory, with nothing deployed. Before serving, the live release is
    ///   loaded; one that cannot be served is logged as a warning and no experts are served.
    public static func makeApplication(configuration: ServerConfiguration, pool: ModelPool, managesPool: Bool = true,
                                       logger: Logger? = nil, cache: SemanticCache? = nil,
                                       adapters: AdapterRegistry = AdapterRegistry(),
                                       fineTuning: FineTuningJobs? = nil,
                                       expertRegistry: ExpertRegistry? = nil) -> some ApplicationProtocol {
        let preloads = managesPool && configuration.models.contains(where: \.preload)
        let state = ServerState(configuration: configuration, pool: pool, starting: preloads, cache: cache, adapters: adapters,
                                fineTuning: fineTuning, expertRegistry: expertRegistry)
        let logger = logger ?? Logger(label: "groupqwen")
        var services: [any Service] = []
        if managesPool {
            services.append(PoolLifecycleService(state: state, logger: logger))
            services.append(IdleUnloadService(pool: pool, interval: .seconds(10), logger: logger))
            if !state.remotes.isEmpty {
                services.append(RemoteHealthService(backends: Array(state.remotes.values), interval: .seconds(15), logger: logger))
            }
        }
        if let fineTuning { services.append(FineTuningService(jobs: fineTuning)) }
        let metricsSocket = MetricsWebSocket(state: state)
        var app = Application(
            router: makeRouter(state: state),
            server: httpServer(state: state, metricsSocket: metricsSocket),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "GroupQwen"),
            services: services,
            logger: logger)
        if let fineTuning { app.beforeServerStarts { await fineTuning.prepare() } }
        // Language identification maps its table before the first request (or starts fetching the profiles).
        app.beforeServerStarts { _ = await state.languages.quickIdentifier() }
        if let experts = state.experts {
            app.beforeServerStarts {
                do {
                    try await experts.start()
                    if let live = await experts.live {
                        let versions = live.release.experts.map { "\($0.id)@\($0.version)" }.joined(separator: ",")
                        logger.info("experts served", metadata: ["deployment": "\(live.deployment)", "base": .string(live.base.id),
                                                                 "experts": .string(versions)])
                    }
                } catch {
                    logger.warning("no experts served: the live expert release cannot be loaded",
                                   metadata: ["error": .string("\(error)")])
                }
            }
        }
        return app
    }

    /// HTTP/1.1 with the console's WebSocket upgrade, behind the connection guard (cap, first-head deadline), with
    /// the idle timeout and the lingering drain after early answers.
    static func httpServer(state: ServerState, metricsSocket: MetricsWebSocket) -> HTTPServerBuilder {
        let policy = state.connections
        let idle = TimeAmount.nanoseconds(Int64(state.configuration.limits.idleTimeoutSeconds * 1e9))
        return HTTPServerBuilder { responder in
            GuardedHTTPChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(http1: .init(additionalChannelHandlers: [EarlyAnswerDrainHandler(policy: policy)],
                                                      idleTimeout: idle)),
                    shouldUpgrade: { request, _, _ in metricsSocket.shouldUpgrade(request) }),
                policy: policy)
        }
    }

    /// The routes and middleware, in the order they apply: metrics, access log, errors, cancellation when the client
    /// goes, authentication, body limit.
    static func makeRouter(state: ServerState) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: state.metrics))
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: DisconnectCancellationMiddleware())
        if !state.configuration.apiKeys.isEmpty {
            router.add(middleware: AuthMiddleware(keys: state.configuration.apiKeys))
        }
        // Uploads to POST /v1/files are streamed to disk by their handler, under their own limit.
        router.add(middleware: BodyLimitMiddleware(maxBytes: state.configuration.limits.maxBodyBytes, streamedPaths: ["/v1/files"]))

        let chat = ChatCompletionsController(state: state)
        let completions = CompletionsController(state: state)
        let models = ModelsController(state: state)
        let health = HealthController(state: state)
        let metrics = MetricsController(state: state)
        let embeddings = EmbeddingsController(state: state)
        router.post("/v1/chat/completions") { request, context in try await chat.create(request, context: context) }
        router.post("/v1/completions") { request, context in try await completions.create(request, context: context) }
        router.post("/v1/embeddings") { request, context in try await embeddings.create(request, context: context) }
        let vision = VisionController(state: state)
        router.post("/v1/vision/analyze") { request, context in try await vision.analyze(request, context: context) }
        let detectLanguage = DetectLanguageController(state: state)
        router.post("/v1/detect-language") { request, context in try await detectLanguage.detect(request, context: context) }
        let translate = TranslateController(state: state)
        router.post("/v1/translate") { request, context in try await translate.translate(request, context: context) }
        let cacheController = CacheController(state: state)
        router.get("/v1/cache/stats") { request, context in try await cacheController.stats(request, context: context) }
        router.delete("/v1/cache") { request, context in try await cacheController.clear(request, context: context) }
        router.get("/v1/models") { request, context in try await models.list(request, context: context) }
        router.get("/v1/models/{id}") { request, context in try await models.get(request, context: context) }
        router.post("/v1/models/{id}/load") { request, context in try await models.load(request, context: context) }
        router.post("/v1/models/{id}/unload") { request, context in try await models.unload(request, context: context) }
        let adapters = AdaptersController(state: state)
        router.post("/v1/adapters") { request, context in try await adapters.create(request, context: context) }
        router.get("/v1/adapters") { request, context in try await adapters.list(request, context: context) }
        router.get("/v1/adapters/{id}") { request, context in try await adapters.get(request, context: context) }
        router.delete("/v1/adapters/{id}") { request, context in try await adapters.delete(request, context: context) }
        let experts = ExpertsController(state: state)
        router.get("/v1/experts") { request, context in try await experts.list(request, context: context) }
        router.get("/v1/experts/{id}") { request, context in try await experts.get(request, context: context) }
        router.post("/v1/experts/deploy") { request, context in try await experts.deploy(request, context: context) }
        router.post("/v1/experts/{id}/rollback") { request, context in try await experts.rollback(request, context: context) }
        let files = FilesController(state: state)
        router.post("/v1/files") { request, context in try await files.create(request, context: context) }
        router.get("/v1/files") { request, context in try await files.list(request, context: context) }
        router.get("/v1/files/{id}") { request, context in try await files.get(request, context: context) }
        router.get("/v1/files/{id}/content") { request, context in try await files.content(request, context: context) }
        router.delete("/v1/files/{id}") { request, context in try await files.delete(request, context: context) }
        let fineTuning = FineTuningController(state: state)
        // OpenAI's paths, and the same handlers under /v1/finetune/.
        for prefix in ["/v1/fine_tuning/jobs", "/v1/finetune/jobs"] {
            router.post(RouterPath(prefix)) { request, context in try await fineTuning.create(request, context: context) }
            router.get(RouterPath(prefix)) { request, context in try await fineTuning.list(request, context: context) }
            router.get(RouterPath(prefix + "/{id}")) { request, context in try await fineTuning.get(request, context: context) }
            router.get(RouterPath(prefix + "/{id}/events")) { request, context in try await fineTuning.events(request, context: context) }
            router.get(RouterPath(prefix + "/{id}/checkpoints")) { request, context in
                try await fineTuning.checkpoints(request, context: context)
            }
            router.post(RouterPath(prefix + "/{id}/cancel")) { request, context in try await fineTuning.cancel(request, context: context) }
        }
        if state.configuration.mcp.enabled { MCPController(state: state).register(on: router) }
        router.get("/health") { request, context in try await health.check(request, context: context) }
        router.get("/metrics") { request, context in try await metrics.scrape(request, context: context) }
        router.get("/v1/metrics/live") { request, context in try await metrics.live(request, context: context) }
        // Reached only when the WebSocket upgrade was not made (a plain GET, or a refused key: 401 comes first).
        router.get(RouterPath(MetricsWebSocket.path)) { _, _ -> Response in
            throw APIError(status: .upgradeRequired, message: "\(MetricsWebSocket.path) is a WebSocket; connect with an Upgrade request",
                           type: "invalid_request_error", code: "upgrade_required")
        }
        if state.configuration.ui {
            let console = ConsoleController(assets: .fromEnvironment())
            router.get("/") { request, context in try await console.index(request, context: context) }
            router.get("/ui/**") { request, context in try await console.file(request, context: context) }
        }
        return router
    }
}
