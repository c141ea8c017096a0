import Foundation
import Gateway
import Training

/// What `groupqwen experts build` builds: the `experts.yaml` file (see docs/examples/experts/experts.yaml).
///
/// ```yaml
/// base_model: smollm2-135m        # a known model id or a .gguf path; the release names it as the served model id
/// output: build                   # stage folders, adapters and the report (default: experts-build beside this file)
/// training: {epochs: 6, learning_rate: 5.0e-4, rank: 16}   # `groupqwen train` settings shared by every expert
/// split: {ratios: 80/20, seed: 0}
/// curate: {near_duplicate_threshold: 0.8}
/// evaluation: {max_tokens: 64}
/// router: {classifier: logistic_regression, off_domain: off-domain.txt, targets: {in_domain_correct: 0.95, off_domain_none: 0.9}}
/// experts:
///   - id: sql
///     description: SQL for the Tarnwick Freight database.
///     spec: sql-spec.yaml         # a `data generate` spec, or `data: sql.jsonl` (OpenAI chat JSONL)
///     held_out: sql-held-out.jsonl   # optional: {"prompt": …, "expected": …} lines; default: the spec's paraphrases
///     training: {epochs: 8}       # optional overrides
/// ```
/// Relative paths are relative to the file. Unknown keys are refused with their line.
public struct ExpertBuildConfiguration: Sendable {
    /// One `training:` setting as written (`groupqwen train`'s flag names).
    public struct Setting: Sendable, Equatable {
        public var key: String
        public var value: String?
        public var line: Int?
    }

    /// One entry of `experts:`.
    public struct Expert: Sendable {
        public var id: String
        public var description: String
        /// A `data generate` spec (resolved path), or nil when `data` is given.
        public var spec: String?
        /// An OpenAI chat JSONL file (resolved path), or nil when `spec` is given.
        public var data: String?
        /// Held-out questions file (resolved path); nil: taken from the spec's `paraphrase*` / `key` fields.
        public var heldOut: String?
        /// The system prompt served with the expert; nil: the most common one of its data.
        public var systemPrompt: String?
        /// Training settings over the shared ones.
        public var training: [Setting]
    }

    /// The file's folder: relative paths resolve against it.
    public var directory: URL
    public var baseModel: String
    /// Absolute output folder.
    public var output: URL
    public var training: [Setting]
    public var splitRatios = "80/20"
    public var splitSeed: UInt64 = 0
    /// MinHash near-duplicate threshold of curation; nil keeps near-duplicates.
    public var nearDuplicateThreshold: Double? = 0.8
    /// Tokens generated per held-out answer.
    public var evaluationMaxTokens = 64
    /// The router's classifier, settings and targets.
    public var router = ExpertRouterTrainer.Configuration()
    /// `router.off_domain` (resolved path): off-domain prompts, one a line; the part after a `# held-out` line only measures.
    public var offDomain: String?
    public var experts: [Expert]

    /// The training configuration of `expert`: the defaults, the shared settings, then its own.
    public func trainingConfiguration(for expert: Expert) throws(ExpertBuildError) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        for setting in training + expert.training {
            do {
                try configuration.set(setting.key, to: setting.value)
            } catch {
                throw .configuration("training.\(setting.key)\(setting.line.map { " (line \($0))" } ?? ""): \(error.description)")
            }
        }
        return configuration
    }

    /// Reads and checks `path`.
    public static func load(path: String) throws(ExpertBuildError) -> ExpertBuildConfiguration {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .configuration("\(path): \((error as NSError).localizedDescription)")
        }
        return try parse(yaml: text, directory: url.deletingLastPathComponent())
    }
}
