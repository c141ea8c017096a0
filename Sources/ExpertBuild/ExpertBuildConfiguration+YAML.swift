import Foundation
import Gateway
import Yams

extension ExpertBuildConfiguration {
    /// Parses an experts.yaml document; relative paths resolve against `directory`.
    public static func parse(yaml text: String, directory: URL) throws(ExpertBuildError) -> ExpertBuildConfiguration {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw .configuration("not valid YAML: \(error)") }
        guard let root, let top = root.mapping else { throw .configuration("must be a mapping (base_model, experts, …)") }
        let fields = try Fields(top, path: "")
        try fields.allow(["base_model", "output", "training", "split", "curate", "evaluation", "router", "experts"])
        func path(_ value: String) -> String {
            let expanded = (value as NSString).expandingTildeInPath
            return expanded.hasPrefix("/") ? expanded : directory.appendingPathComponent(expanded).standardizedFileURL.path
        }
        var c = ExpertBuildConfiguration(directory: directory, baseModel: try fields.string("base_model", required: true)!,
                                         output: URL(fileURLWithPath: path(try fields.string("output") ?? "experts-build")),
                                         training: try settings(fields.node("training"), path: "training"), experts: [])
        if let split = try fields.mapping("split") {
            try split.allow(["ratios", "seed"])
            c.splitRatios = try split.string("ratios") ?? c.splitRatios
            c.splitSeed = UInt64(try split.int("seed") ?? 0)
        }
        if let curate = try fields.mapping("curate") {
            try curate.allow(["near_duplicate_threshold"])
            if let t = try curate.double("near_duplicate_threshold") {
                guard (0...1).contains(t) else { throw curate.invalid("near_duplicate_threshold", "must be between 0 and 1") }
                c.nearDuplicateThreshold = t >= 1 ? nil : t
            }
        }
        if let evaluation = try fields.mapping("evaluation") {
            try evaluation.allow(["max_tokens"])
            c.evaluationMaxTokens = try evaluation.int("max_tokens") ?? c.evaluationMaxTokens
            guard c.evaluationMaxTokens > 0 else { throw evaluation.invalid("max_tokens", "must be positive") }
        }
        if let router = try fields.mapping("router") {
            try router.allow(["classifier", "off_domain", "targets", "embedding_model", "neighbors", "seed", "folds"])
            if let kind = try router.string("classifier") {
                guard let parsed = ExpertRouterTrainer.ClassifierKind(rawValue: kind) else {
                    throw router.invalid("classifier", "must be logistic_regression or knn (got '\(kind)')")
                }
                c.router.classifier = parsed
            }
            if let model = try router.string("embedding_model"), model != EmbeddingProvider.modelID {
                throw router.invalid("embedding_model", "only \(EmbeddingProvider.modelID) is supported (the server's cache-key model)")
            }
            c.offDomain = try router.string("off_domain").map(path)
            c.router.neighbors = try router.int("neighbors") ?? c.router.neighbors
            c.router.seed = UInt64(try router.int("seed") ?? 0)
            c.router.folds = try router.int("folds") ?? c.router.folds
            if let targets = try router.mapping("targets") {
                try targets.allow(["in_domain_correct", "off_domain_none"])
                c.router.targetInDomainCorrect = try targets.double("in_domain_correct") ?? c.router.targetInDomainCorrect
                c.router.targetOffDomainNone = try targets.double("off_domain_none") ?? c.router.targetOffDomainNone
            }
        }
        guard let list = fields.node("experts")?.sequence, !list.isEmpty else {
            throw .configuration("'experts' must be a non-empty list\(fields.lineText("experts"))")
        }
        for (i, node) in list.enumerated() {
            guard let mapping = node.mapping else { throw .configuration("experts[\(i)] must be a mapping\(Fields.lineText(node))") }
            let e = try Fields(mapping, path: "experts[\(i)].")
            try e.allow(["id", "description", "spec", "data", "held_out", "system_prompt", "training"])
            let id = try e.string("id", required: true)!
            if let problem = ServedAdapter.problem(withID: id) { throw e.invalid("id", problem) }
            guard !c.experts.contains(where: { $0.id == id }) else { throw e.invalid("id", "'\(id)' is used twice") }
            let spec = try e.string("spec"), data = try e.string("data")
            guard (spec == nil) != (data == nil) else { throw e.invalid("spec", "give exactly one of 'spec' (a data generate spec) and 'data' (a JSONL file)") }
            c.experts.append(Expert(id: id, description: try e.string("description") ?? "", spec: spec.map(path), data: data.map(path),
                                    heldOut: try e.string("held_out").map(path), systemPrompt: try e.string("system_prompt"),
                                    training: try settings(e.node("training"), path: "experts[\(i)].training")))
        }
        for expert in c.experts { _ = try c.trainingConfiguration(for: expert) }
        return c
    }

    private static func settings(_ node: Node?, path: String) throws(ExpertBuildError) -> [Setting] {
        guard let node else { return [] }
        guard let mapping = node.mapping else { throw .configuration("'\(path)' must be a mapping of `groupqwen train` settings\(Fields.lineText(node))") }
        var result: [Setting] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw .configuration("'\(path)' has a key that is not a name\(Fields.lineText(key))") }
            guard !["model", "data", "valid", "output"].contains(name) else {
                throw .configuration("'\(path).\(name)' is set by the build\(Fields.lineText(key))")
            }
            let text: String?
            if let scalar = value.scalar { text = scalar.string == "null" || scalar.string == "~" ? nil : scalar.string }
            else if let items = value.sequence { text = items.compactMap { $0.scalar?.string }.joined(separator: ",") }
            else { throw .configuration("'\(path).\(name)' must be a value\(Fields.lineText(value))") }
            result.append(Setting(key: name, value: text, line: key.mark.map { $0.line }))
        }
        return result
    }
}

/// A YAML mapping's fields with their lines, for error messages that point at the file.
struct Fields {
    let mapping: Node.Mapping
    let path: String

    init(_ mapping: Node.Mapping, path: String) throws(ExpertBuildError) {
        self.mapping = mapping
        self.path = path
    }

    func node(_ key: String) -> Node? { mapping.first { $0.key.scalar?.string == key }?.value }

    func allow(_ keys: Set<String>) throws(ExpertBuildError) {
        for (key, _) in mapping where !keys.contains(key.scalar?.string ?? "") {
            throw .configuration("unknown key '\(path)\(key.scalar?.string ?? "?")'\(Self.lineText(key)); known: \(keys.sorted().joined(separator: ", "))")
        }
    }

    func invalid(_ key: String, _ message: String) -> ExpertBuildError {
        .configuration("'\(path)\(key)' \(message)\(lineText(key))")
    }

    func lineText(_ key: String) -> String {
        mapping.first { $0.key.scalar?.string == key }.map { Self.lineText($0.key) } ?? ""
    }

    static func lineText(_ node: Node) -> String { node.mark.map { " (line \($0.line))" } ?? "" }

    func string(_ key: String, required: Bool = false) throws(ExpertBuildError) -> String? {
        guard let value = node(key) else {
            if required { throw .configuration("'\(path)\(key)' is required") }
            return nil
        }
        guard let scalar = value.scalar, !scalar.string.isEmpty else { throw invalid(key, "must be a non-empty text") }
        return scalar.string
    }

    func int(_ key: String) throws(ExpertBuildError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text) else { throw invalid(key, "must be a whole number (got '\(text)')") }
        return value
    }

    func double(_ key: String) throws(ExpertBuildError) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let value = Double(text), value.isFinite else { throw invalid(key, "must be a number (got '\(text)')") }
        return value
    }

    func mapping(_ key: String) throws(ExpertBuildError) -> Fields? {
        guard let value = node(key) else { return nil }
        guard let mapping = value.mapping else { throw invalid(key, "must be a mapping") }
        return try Fields(mapping, path: "\(path)\(key).")
    }
}
