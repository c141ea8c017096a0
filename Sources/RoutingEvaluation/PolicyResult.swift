/// How one routing policy did on a table of outcomes.
public struct PolicyResult: Sendable, Codable, Equatable {
    public var name: String
    public var prompts: Int
    /// Share of prompts whose final answer was graded correct.
    public var quality: Double
    /// Mean cost per request (parameters × tokens processed, escalations included).
    public var cost: Double
    /// `quality` and `cost` relative to always using the largest tier.
    public var relativeQuality: Double
    public var relativeCost: Double
    /// Share of requests each tier answered first (cheapest first).
    public var startShares: [Double]
    /// Requests that escalated at least once.
    public var escalated: Int
    /// Of those, how many ended correct, and how many the first answer alone would have got right.
    public var escalatedCorrect: Int
    public var escalatedCorrectWithout: Int

    enum CodingKeys: String, CodingKey {
        case name, prompts, quality, cost, escalated
        case relativeQuality = "relative_quality", relativeCost = "relative_cost", startShares = "start_shares"
        case escalatedCorrect = "escalated_correct", escalatedCorrectWithout = "escalated_correct_without"
    }
}
