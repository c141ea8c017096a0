import Gateway

/// One expert at one version, as `GET /v1/experts` (with `versions`: every stored version number) and
/// `GET /v1/experts/{id}` (with `live`: whether this version is served) show it. Every key is written, `null`
/// included.
struct ExpertObject: Encodable, Sendable {
    let record: ExpertRecord
    /// Every stored version of the expert (the list of live experts).
    var versions: [Int]?
    /// Whether this version is the live one (the list of one expert's versions).
    var live: Bool?

    enum CodingKeys: String, CodingKey {
        case id, object, version, baseModel = "base_model", description, adapterPath = "adapter_path"
        case adapterFingerprint = "adapter_fingerprint", systemPrompt = "system_prompt", examplePrompts = "example_prompts"
        case metrics, created, versions, live
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode("expert", forKey: .object)
        try c.encode(record.version, forKey: .version)
        try c.encode(record.baseModel, forKey: .baseModel)
        try c.encode(record.description, forKey: .description)
        try c.encode(record.adapterPath, forKey: .adapterPath)
        try c.encode(record.adapterFingerprint, forKey: .adapterFingerprint)
        try c.encode(record.systemPrompt, forKey: .systemPrompt)
        try c.encode(record.examplePrompts, forKey: .examplePrompts)
        try c.encode(record.metrics, forKey: .metrics)
        try c.encode(record.created, forKey: .created)
        try c.encodeIfPresent(versions, forKey: .versions)
        try c.encodeIfPresent(live, forKey: .live)
    }
}

/// `GET /v1/experts` (and the answer of a deployment or rollback): the live release's experts, its router, its
/// deployment and the model name that asks for it. With nothing live: empty `data`, `null` router and deployment,
/// and `problem` saying why the registry's last deployment is not served, if it is not.
struct ExpertList: Encodable, Sendable {
    /// The router's settings and the build's measurement of it.
    struct Router: Encodable, Sendable {
        let classifier: String
        let threshold: Float
        let embeddingModel: String
        let expertIDs: [String]
        let hasNoneClass: Bool
        let evaluation: ExpertRouterEvaluation?

        enum CodingKeys: String, CodingKey {
            case classifier, threshold, embeddingModel = "embedding_model", expertIDs = "expert_ids", hasNoneClass = "has_none_class"
            case evaluation
        }

        init(_ release: ExpertRelease) {
            let router = release.router
            classifier = router.classifier.kindName
            threshold = router.threshold
            embeddingModel = router.embeddingModel
            expertIDs = router.expertIDs
            hasNoneClass = router.hasNoneClass
            evaluation = release.routerEvaluation
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(classifier, forKey: .classifier)
            try c.encode(threshold, forKey: .threshold)
            try c.encode(embeddingModel, forKey: .embeddingModel)
            try c.encode(expertIDs, forKey: .expertIDs)
            try c.encode(hasNoneClass, forKey: .hasNoneClass)
            try c.encode(evaluation, forKey: .evaluation)
        }
    }

    let data: [ExpertObject]
    let router: Router?
    let baseModel: String?
    let deployment: Int?
    let deployed: Int?
    let origin: String?
    /// The model name that asks for expert routing.
    let model: String
    let problem: String?

    enum CodingKeys: String, CodingKey {
        case object, data, router, baseModel = "base_model", deployment, deployed, origin, model, problem
    }

    /// `live` with every expert's stored version numbers (`versions[id]`).
    init(_ live: LiveExperts?, versions: [String: [Int]], model: String, problem: String?) {
        let release = live?.release
        data = (release?.experts ?? []).map { ExpertObject(record: $0, versions: versions[$0.id] ?? [$0.version]) }
        router = release.map(Router.init)
        baseModel = release?.baseModel
        deployment = release?.deployment
        deployed = release?.deployed
        origin = release?.origin
        self.model = model
        self.problem = problem
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("list", forKey: .object)
        try c.encode(data, forKey: .data)
        try c.encode(router, forKey: .router)
        try c.encode(baseModel, forKey: .baseModel)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(deployed, forKey: .deployed)
        try c.encode(origin, forKey: .origin)
        try c.encode(model, forKey: .model)
        try c.encode(problem, forKey: .problem)
    }
}

/// `GET /v1/experts/{id}`: every stored version of one expert, oldest first, and the live one's number.
struct ExpertVersionList: Encodable, Sendable {
    let id: String
    let data: [ExpertObject]
    let liveVersion: Int?

    enum CodingKeys: String, CodingKey { case object, id, data, liveVersion = "live_version" }

    init(id: String, versions: [ExpertRecord], liveVersion: Int?) {
        self.id = id
        self.data = versions.map { ExpertObject(record: $0, live: $0.version == liveVersion) }
        self.liveVersion = liveVersion
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("list", forKey: .object)
        try c.encode(id, forKey: .id)
        try c.encode(data, forKey: .data)
        try c.encode(liveVersion, forKey: .liveVersion)
    }
}
