/// How the next token is chosen. Defaults follow llama.cpp's.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 selects greedy decoding.
    public var temperature: Float = 0.8
    /// Keep only the `topK` most likely tokens (0 = no limit).
    public var topK: Int = 40
    /// Nucleus sampling: keep the smallest set whose probability reaches `topP` (1 = off).
    public var topP: Float = 0.95
    /// Drop tokens whose probability is below `minP` × the top token's (0 = off).
    public var minP: Float = 0.05
    /// Divides positive (multiplies negative) logits of recently seen tokens (1 = off).
    public var repetitionPenalty: Float = 1
    /// Subtracts `frequencyPenalty × count` from a recently seen token's logit.
    public var frequencyPenalty: Float = 0
    /// Subtracts `presencePenalty` from the logit of any recently seen token.
    public var presencePenalty: Float = 0
    /// How many recent tokens the penalties look at.
    public var penaltyWindow: Int = 64
    /// Random seed; nil draws one.
    public var seed: UInt64? = nil

    public init() {}

    /// Greedy decoding (temperature 0, no penalties).
    public static var greedy: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = 0
        return p
    }

    /// Checks ranges; throws `EngineError.invalidArgument` naming the parameter.
    public func validate() throws(EngineError) {
        guard temperature.isFinite, temperature >= 0 else { throw .invalidArgument("temperature must be ≥ 0") }
        guard topK >= 0 else { throw .invalidArgument("top_k must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw .invalidArgument("top_p must be in (0, 1]") }
        guard minP >= 0, minP <= 1 else { throw .invalidArgument("min_p must be in [0, 1]") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else { throw .invalidArgument("repetition_penalty must be > 0") }
        guard frequencyPenalty.isFinite, abs(frequencyPenalty) <= 2 else { throw .invalidArgument("frequency_penalty must be in [-2, 2]") }
        guard presencePenalty.isFinite, abs(presencePenalty) <= 2 else { throw .invalidArgument("presence_penalty must be in [-2, 2]") }
        guard penaltyWindow >= 0 else { throw .invalidArgument("penalty window must be ≥ 0") }
    }
}
