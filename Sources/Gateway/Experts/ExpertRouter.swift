import Foundation

/// Picks the LoRA expert for a request from an embedding of its text (see `ExpertQuery`), or none — the base
/// model — when no expert is confident enough. Trained by `ExpertRouterTrainer`; a plain value that encodes to
/// JSON (`jsonData()` / `init(jsonData:)`, ~8 KB for logistic regression over three experts) so it can be stored
/// in a file or a SQLite column, and routes identically after a round trip (the floats are stored bit-exact).
///
/// Decision: the classifier scores every expert (and the "none" class when it was trained with off-domain
/// examples); the best expert is chosen when its score is at least `threshold` and above the none class's,
/// otherwise the route is none. Routing is a few dot products (0.25 µs for logistic regression, 7 µs for k-NN
/// over 258 prompts); the embedding dominates the cost of a request (see `ExpertQueryEncoder`).
///
/// Logistic regression vs the k-NN baseline, on the three example experts of docs/examples/experts (48 training
/// prompts each; held out: 72 paraphrases never trained on and the 30 held-out prompts of off-domain.txt; both
/// with the built-in none class and thresholds calibrated on the other 30 off-domain prompts;
/// `Benchmarks/ExpertRouterBench`, 2026-12-05):
///
/// | | sql | support | lore | off-domain → none | score gap (lowest in-domain − highest off-domain) | size |
/// |---|---:|---:|---:|---:|---:|---:|
/// | logistic regression (l2 1e-3) | 24/24 | 24/24 | 24/24 | 29/30 | 0.557 − 0.430 = 0.13 | 8.9 KB |
/// | k-NN (k = 3) | 24/24 | 24/24 | 24/24 | 30/30 | 0.507 − 0.450 = 0.06 | 534 KB |
///
/// Neither wins clearly: one held-out prompt apart ("How do I get a refund for a train ticket in the UK?" went to
/// sql at 0.43 over a threshold of 0.40). Logistic regression is the default: its scores separate the two sides
/// twice as widely (any threshold in 0.43…0.56 would have been perfect), its out-of-fold off-domain rate is higher
/// (99.3 % vs 97.3 %), and its size and cost (0.25 µs a route vs 7 µs) do not grow with the training prompts.
/// Without the none class logistic regression needs a threshold near 0.8 and drops to 71/72 in-domain.
public struct ExpertRouter: Sendable, Equatable, Codable {
    /// The model behind the scores.
    public enum Classifier: Sendable, Equatable, Codable {
        /// Class probabilities from `SoftmaxRegression`.
        case logisticRegression(SoftmaxRegression)
        /// Similarity-weighted votes of the k nearest training prompts.
        case nearestNeighbors(NearestNeighborIndex)

        private enum CodingKeys: String, CodingKey { case kind, logisticRegression = "logistic_regression", nearestNeighbors = "knn" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            switch try c.decode(String.self, forKey: .kind) {
            case "logistic_regression": self = .logisticRegression(try c.decode(SoftmaxRegression.self, forKey: .logisticRegression))
            case "knn": self = .nearestNeighbors(try c.decode(NearestNeighborIndex.self, forKey: .nearestNeighbors))
            case let other: throw ExpertRouterError.invalidModel("unknown classifier kind '\(other)'")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case let .logisticRegression(model):
                try c.encode("logistic_regression", forKey: .kind)
                try c.encode(model, forKey: .logisticRegression)
            case let .nearestNeighbors(index):
                try c.encode("knn", forKey: .kind)
                try c.encode(index, forKey: .nearestNeighbors)
            }
        }

        /// `logistic_regression` or `knn`, as stored.
        public var kindName: String {
            switch self {
            case .logisticRegression: "logistic_regression"
            case .nearestNeighbors: "knn"
            }
        }

        var classCount: Int {
            switch self {
            case let .logisticRegression(m): m.classCount
            case let .nearestNeighbors(m): m.classCount
            }
        }

        var dimension: Int {
            switch self {
            case let .logisticRegression(m): m.dimension
            case let .nearestNeighbors(m): m.dimension
            }
        }

        /// Per-class scores in [0, 1].
        func scores(_ x: [Float]) -> [Float] {
            switch self {
            case let .logisticRegression(m): m.probabilities(x)
            case let .nearestNeighbors(m): m.scores(x)
            }
        }
    }

    /// The format version `init(jsonData:)` accepts.
    public static let formatVersion = 1

    /// `formatVersion` of the code that wrote it.
    public var version: Int
    /// The experts, in class order.
    public let expertIDs: [String]
    /// Whether the classifier has one more class after the experts: "none", trained on off-domain prompts.
    public let hasNoneClass: Bool
    /// Scores the classes.
    public let classifier: Classifier
    /// The minimum best-expert score that routes to an expert.
    public var threshold: Float
    /// The embedding model the router was trained with (queries must be embedded by the same one).
    public var embeddingModel: String
    /// How the threshold was chosen (out-of-fold numbers), when it was calibrated.
    public var calibration: ExpertRouterCalibration?

    /// Checks that the classifier has one class per expert (plus none when `hasNoneClass`).
    public init(expertIDs: [String], hasNoneClass: Bool, classifier: Classifier, threshold: Float,
                embeddingModel: String = EmbeddingProvider.modelID, calibration: ExpertRouterCalibration? = nil) throws(ExpertRouterError) {
        guard !expertIDs.isEmpty, Set(expertIDs).count == expertIDs.count, !expertIDs.contains("") else {
            throw .invalidModel("expert ids must be distinct and non-empty (got \(expertIDs))")
        }
        guard classifier.classCount == expertIDs.count + (hasNoneClass ? 1 : 0) else {
            throw .invalidModel("the classifier has \(classifier.classCount) classes for \(expertIDs.count) experts\(hasNoneClass ? " + none" : "")")
        }
        guard threshold.isFinite else { throw .invalidModel("threshold must be finite") }
        self.version = Self.formatVersion
        self.expertIDs = expertIDs
        self.hasNoneClass = hasNoneClass
        self.classifier = classifier
        self.threshold = threshold
        self.embeddingModel = embeddingModel
        self.calibration = calibration
    }

    private enum CodingKeys: String, CodingKey {
        case version, expertIDs = "expert_ids", hasNoneClass = "has_none_class", classifier, threshold
        case embeddingModel = "embedding_model", calibration
    }

    /// Decodes and checks a stored router.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else { throw ExpertRouterError.invalidModel("format version \(version); this build reads \(Self.formatVersion)") }
        try self.init(expertIDs: try c.decode([String].self, forKey: .expertIDs), hasNoneClass: try c.decode(Bool.self, forKey: .hasNoneClass),
                      classifier: try c.decode(Classifier.self, forKey: .classifier), threshold: try c.decode(Float.self, forKey: .threshold),
                      embeddingModel: try c.decode(String.self, forKey: .embeddingModel),
                      calibration: try c.decodeIfPresent(ExpertRouterCalibration.self, forKey: .calibration))
    }

    /// The length of the embeddings the router takes (384 for MiniLM).
    public var dimension: Int { classifier.dimension }

    /// The route for a unit-length query embedding of `dimension` values (a wrong length is a programming error).
    public func route(embedding: [Float]) -> ExpertRoute {
        let decision = decide(embedding)
        let best = ExpertRoute.Candidate(id: expertIDs[decision.best], confidence: decision.scores[decision.best])
        let runnerUp = decision.runnerUp.map { ExpertRoute.Candidate(id: expertIDs[$0], confidence: decision.scores[$0]) }
        let chosen = !decision.noneWins && best.confidence >= threshold
        return ExpertRoute(expertID: chosen ? best.id : nil, confidence: best.confidence, best: best, runnerUp: runnerUp)
    }

    /// The classifier's view of one embedding: the best and second expert, all class scores, and whether the
    /// none class outscored the best expert.
    struct Decision {
        var best: Int
        var runnerUp: Int?
        var scores: [Float]
        var noneWins: Bool

        /// The score the threshold applies to; -1 when the none class already decided.
        var gatedScore: Float { noneWins ? -1 : scores[best] }
    }

    func decide(_ embedding: [Float]) -> Decision {
        precondition(embedding.count == dimension, "embedding has \(embedding.count) values, the router expects \(dimension)")
        let scores = classifier.scores(embedding)
        let experts = expertIDs.count
        var best = 0
        var second: Int?
        for c in 1..<max(1, experts) {
            if scores[c] > scores[best] {
                second = best
                best = c
            } else if second == nil || scores[c] > scores[second!] {
                second = c
            }
        }
        let noneWins = hasNoneClass && scores[experts] > scores[best]
        return Decision(best: best, runnerUp: second, scores: scores, noneWins: noneWins)
    }

    /// The router as JSON (sorted keys, so equal routers give equal bytes).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// A router from `jsonData()`'s output.
    public init(jsonData: Data) throws(ExpertRouterError) {
        do {
            self = try JSONDecoder().decode(ExpertRouter.self, from: jsonData)
        } catch let error as ExpertRouterError {
            throw error
        } catch {
            throw .invalidModel("\(error)")
        }
    }
}
