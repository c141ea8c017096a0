/// Trains an `ExpertRouter` from each expert's prompt embeddings, then calibrates its "none" threshold.
///
/// - Classes: one per expert, plus a "none" class (`Configuration.noneClass`) trained on generic off-domain
///   prompts (`OffDomainPrompts.generic` by default); none examples that are nearly identical to an expert's
///   prompt (cosine ≥ `noneExclusionSimilarity`) are dropped so the two classes never contradict each other.
/// - Classifier: multinomial logistic regression (`SoftmaxRegression`, class-balanced, L2) or the k-NN baseline
///   (`NearestNeighborIndex`).
/// - Threshold: `folds`-fold cross-validation, stratified per class and shuffled with `seed`: each fold's router
///   scores its held-out training prompts and every off-domain calibration prompt, and
///   `ExpertRouterCalibration.calibrate` picks the threshold from these out-of-fold scores. The final router is
///   then trained on everything. Without calibration prompts, the out-of-fold none examples stand in for them.
///
/// Everything is deterministic: the same inputs and configuration give the same router, bit for bit.
public struct ExpertRouterTrainer: Sendable {
    /// Which classifier to train.
    public enum ClassifierKind: String, Sendable, Equatable, Codable, CaseIterable {
        case logisticRegression = "logistic_regression"
        case nearestNeighbors = "knn"
    }

    /// Training settings; the defaults are the ones measured in `ExpertRouter`'s documentation.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Logistic regression (default) or the k-NN baseline.
        public var classifier: ClassifierKind = .logisticRegression
        /// L2 penalty and iterations of logistic regression.
        public var logisticRegression = SoftmaxRegression.Options()
        /// k of the k-NN baseline (3: the best out-of-fold numbers of 1, 3, 5, 10 on the example experts).
        public var neighbors = 3
        /// Train a none class from the none examples (otherwise they only calibrate the threshold).
        public var noneClass = true
        /// None examples at least this similar (cosine) to some expert prompt are left out.
        public var noneExclusionSimilarity: Float = 0.8
        /// Cross-validation folds for the threshold (fewer when a class has fewer examples).
        public var folds = 5
        /// Shuffles the fold assignment.
        public var seed: UInt64 = 0
        /// Calibration goal: share of in-domain prompts routed to their expert.
        public var targetInDomainCorrect = 0.95
        /// Calibration goal: share of off-domain prompts routed to none.
        public var targetOffDomainNone = 0.90

        public init() {}
    }

    public var configuration: Configuration

    /// A trainer with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Trains and calibrates. `noneExamples`: off-domain embeddings for the none class (and for calibration
    /// when `offDomainCalibration` is empty); `offDomainCalibration`: off-domain embeddings that only calibrate
    /// the threshold.
    public func train(experts: [EmbeddedTrainingSet], noneExamples: [[Float]] = [],
                      offDomainCalibration: [[Float]] = []) throws(ExpertRouterError) -> ExpertRouter {
        let c = configuration
        guard !experts.isEmpty else { throw .invalidTrainingData("no experts") }
        let ids = experts.map(\.id)
        guard !ids.contains(""), Set(ids).count == ids.count else { throw .invalidTrainingData("expert ids must be distinct and non-empty: \(ids)") }
        if let thin = experts.first(where: { $0.embeddings.count < 2 }) {
            throw .invalidTrainingData("expert '\(thin.id)' has \(thin.embeddings.count) prompts; at least 2 are needed")
        }
        guard let dimension = experts.first?.embeddings.first?.count, dimension > 0 else { throw .invalidTrainingData("empty embedding") }
        for v in experts.flatMap(\.embeddings) + noneExamples + offDomainCalibration where v.count != dimension || !v.allSatisfy(\.isFinite) {
            throw .invalidEmbedding(expected: dimension, got: v.count)
        }
        guard c.folds >= 2 else { throw .invalidConfiguration(key: "folds", message: "must be at least 2 (got \(c.folds))") }
        guard (0...1).contains(c.targetInDomainCorrect), (0...1).contains(c.targetOffDomainNone) else {
            throw .invalidConfiguration(key: "targets", message: "must be shares in 0...1")
        }

        var vectors = experts.flatMap { $0.embeddings.map(VectorMath.normalized) }
        var labels = experts.enumerated().flatMap { i, set in Array(repeating: i, count: set.embeddings.count) }
        let expertVectors = vectors
        let none = noneExamples.map(VectorMath.normalized).filter { candidate in
            !expertVectors.contains { Self.cosine($0, candidate) >= c.noneExclusionSimilarity }
        }
        let useNoneClass = c.noneClass && none.count >= 2
        if useNoneClass {
            vectors += none
            labels += Array(repeating: experts.count, count: none.count)
        }
        let classCount = experts.count + (useNoneClass ? 1 : 0)
        let calibrationOffDomain = offDomainCalibration.map(VectorMath.normalized)

        // Stratified folds: each class's examples shuffled with the seed and dealt round-robin.
        let smallest = (0..<classCount).map { cls in labels.lazy.filter { $0 == cls }.count }.min()!
        let folds = min(c.folds, smallest)
        var random = SplitMix64(seed: c.seed)
        var fold = [Int](repeating: 0, count: labels.count)
        for cls in 0..<classCount {
            var members = labels.indices.filter { labels[$0] == cls }
            random.shuffle(&members)
            for (position, index) in members.enumerated() { fold[index] = position % folds }
        }

        var inDomain: [ExpertRouterCalibration.InDomainScore] = []
        var offDomain: [Float] = []
        for f in 0..<folds {
            let train = labels.indices.filter { fold[$0] != f }
            let held = labels.indices.filter { fold[$0] == f }
            let router = try ExpertRouter(expertIDs: ids, hasNoneClass: useNoneClass,
                                          classifier: try fit(train.map { vectors[$0] }, train.map { labels[$0] }, classCount: classCount),
                                          threshold: 0)
            for i in held {
                let decision = router.decide(vectors[i])
                if labels[i] < experts.count {
                    inDomain.append(.init(score: decision.gatedScore, correctExpert: decision.best == labels[i]))
                } else if calibrationOffDomain.isEmpty {
                    offDomain.append(decision.gatedScore)
                }
            }
            for v in calibrationOffDomain { offDomain.append(router.decide(v).gatedScore) }
            if calibrationOffDomain.isEmpty, !useNoneClass {
                for v in none { offDomain.append(router.decide(v).gatedScore) }
            }
        }
        let calibration = ExpertRouterCalibration.calibrate(inDomain: inDomain, offDomain: offDomain,
                                                            targetInDomainCorrect: c.targetInDomainCorrect,
                                                            targetOffDomainNone: c.targetOffDomainNone)
        return try ExpertRouter(expertIDs: ids, hasNoneClass: useNoneClass, classifier: try fit(vectors, labels, classCount: classCount),
                                threshold: calibration.threshold, calibration: calibration)
    }

    private func fit(_ vectors: [[Float]], _ labels: [Int], classCount: Int) throws(ExpertRouterError) -> ExpertRouter.Classifier {
        switch configuration.classifier {
        case .logisticRegression:
            .logisticRegression(try SoftmaxRegression.train(features: vectors, labels: labels, classCount: classCount,
                                                            options: configuration.logisticRegression))
        case .nearestNeighbors:
            .nearestNeighbors(try NearestNeighborIndex(vectors: vectors, labels: labels, classCount: classCount, k: configuration.neighbors))
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { VectorMath.dot(ap.baseAddress!, $0.baseAddress!, a.count) } }
    }
}
