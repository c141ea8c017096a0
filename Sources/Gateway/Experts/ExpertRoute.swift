/// The router's decision for one request.
public struct ExpertRoute: Sendable, Equatable, Codable, CustomStringConvertible {
    /// An expert and the router's confidence in it.
    public struct Candidate: Sendable, Equatable, Codable {
        public var id: String
        /// Logistic regression: the expert's probability. k-NN: the similarity-weighted vote of the k nearest
        /// training prompts (the sum of their cosines over k). In [0, 1] either way.
        public var confidence: Float

        public init(id: String, confidence: Float) {
            self.id = id
            self.confidence = confidence
        }
    }

    /// The expert to use, or nil: none fits (the base model answers).
    public var expertID: String?
    /// The confidence of the best expert, whether or not it was chosen (below the threshold it is not).
    public var confidence: Float
    /// The best expert even when the route is none (for logs and metrics).
    public var best: Candidate
    /// The second-best expert, when the router has more than one.
    public var runnerUp: Candidate?

    /// A route as the router builds it.
    public init(expertID: String?, confidence: Float, best: Candidate, runnerUp: Candidate?) {
        self.expertID = expertID
        self.confidence = confidence
        self.best = best
        self.runnerUp = runnerUp
    }

    public var description: String {
        let choice = expertID ?? "none"
        let second = runnerUp.map { ", runner-up \($0.id) \($0.confidence)" } ?? ""
        return "\(choice) (best \(best.id) \(best.confidence)\(second))"
    }
}
