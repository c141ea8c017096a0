/// The stored results of one expert's stages (each `stage.json` of `OUTPUT/<id>/`).
struct DataStageResult: Codable {
    var examples: Int
    var rejected: Int
}

struct CurateStageResult: Codable {
    var input: Int
    var kept: Int
    var removed: [String: Int]
    /// The most common system prompt of the kept conversations.
    var systemPrompt: String?
    var userPrompts: [String]
}

struct SplitStageResult: Codable {
    var train: Int
    var valid: Int
}

struct TrainStageResult: Codable {
    var seconds: Double
    var steps: Int
    var tokensPerSecond: Double
    var validLossBase: Double?
    var validLossExpert: Double?
    /// The adapter, copied to `OUTPUT/adapters/<id>-<fingerprint>.gguf` (never overwritten: a deployed version keeps its file).
    var adapterPath: String
    var fingerprint: String
}

struct EvaluateStageResult: Codable {
    struct Answer: Codable {
        var prompt: String
        var expected: String
        var base: String
        var expert: String
    }

    var answers: [Answer]
    var scoreBase: Double
    var scoreExpert: Double
}
