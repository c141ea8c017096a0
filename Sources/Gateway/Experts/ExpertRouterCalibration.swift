/// How a router's "none" threshold was chosen, and what it achieved on the calibration data.
///
/// The calibration data are out-of-fold: every in-domain training prompt is scored by a router trained without
/// its fold, and every off-domain calibration prompt by each fold's router. A threshold `t` routes an example to
/// its best expert when that expert's score is ≥ `t` (and the none class, if any, scores lower). Among the
/// thresholds that meet both targets (in-domain prompts to the right expert ≥ `targetInDomainCorrect`,
/// off-domain prompts to none ≥ `targetOffDomainNone`) the middle of the feasible range is taken, leaving
/// margin on both sides; when none meets both, the one with the best worst-case ratio to its target
/// (`min(in / targetIn, off / targetOff)`, middle of ties).
public struct ExpertRouterCalibration: Sendable, Equatable, Codable {
    /// The chosen threshold (the router's `threshold`).
    public var threshold: Float
    /// Whether some threshold met both targets on the calibration data.
    public var feasible: Bool
    /// Share of in-domain calibration prompts routed to their expert at `threshold`.
    public var inDomainCorrect: Double
    /// Share of off-domain calibration scores routed to none at `threshold`.
    public var offDomainNone: Double
    /// The feasible threshold range, when `feasible`.
    public var feasibleRange: ClosedRange<Float>?
    public var inDomainCount: Int
    public var offDomainCount: Int
    public var targetInDomainCorrect: Double
    public var targetOffDomainNone: Double

    /// One in-domain calibration example: its gated score (`-1` when the none class won) and whether its best
    /// expert is the right one.
    public struct InDomainScore: Sendable, Equatable {
        public var score: Float
        public var correctExpert: Bool

        public init(score: Float, correctExpert: Bool) {
            self.score = score
            self.correctExpert = correctExpert
        }
    }

    /// Chooses the threshold (see the type's description). `offDomain` holds gated scores of off-domain prompts.
    public static func calibrate(inDomain: [InDomainScore], offDomain: [Float],
                                 targetInDomainCorrect: Double, targetOffDomainNone: Double) -> ExpertRouterCalibration {
        let scores = (inDomain.map(\.score) + offDomain).filter { $0 >= 0 }
        let distinct = Array(Set(scores)).sorted()
        // Candidates: below everything, between neighbours, above everything (route nothing).
        var candidates: [Float] = [0]
        for (a, b) in zip(distinct, distinct.dropFirst()) { candidates.append(a + (b - a) / 2) }
        if let top = distinct.last { candidates.append(top + max(1e-6, top * 1e-6)) }
        candidates = Array(Set(candidates.map { max(0, $0) })).sorted()

        func rates(_ t: Float) -> (inDomain: Double, offDomain: Double) {
            let right = inDomain.reduce(0) { $0 + ($1.correctExpert && $1.score >= 0 && $1.score >= t ? 1 : 0) }
            let none = offDomain.reduce(0) { $0 + ($1 < 0 || $1 < t ? 1 : 0) }
            return (inDomain.isEmpty ? 1 : Double(right) / Double(inDomain.count),
                    offDomain.isEmpty ? 1 : Double(none) / Double(offDomain.count))
        }
        let measured = candidates.map { (t: $0, rates: rates($0)) }
        let feasible = measured.filter { $0.rates.inDomain >= targetInDomainCorrect && $0.rates.offDomain >= targetOffDomainNone }
        let threshold: Float
        var range: ClosedRange<Float>?
        if let low = feasible.first?.t, let high = feasible.last?.t {
            threshold = low + (high - low) / 2
            range = low...high
        } else {
            func worst(_ r: (inDomain: Double, offDomain: Double)) -> Double {
                min(r.inDomain / max(targetInDomainCorrect, 1e-9), r.offDomain / max(targetOffDomainNone, 1e-9))
            }
            let top = measured.map { worst($0.rates) }.max() ?? 0
            let ties = measured.filter { worst($0.rates) >= top - 1e-12 }
            threshold = ties[ties.count / 2].t
        }
        let final = rates(threshold)
        return ExpertRouterCalibration(threshold: threshold, feasible: range != nil, inDomainCorrect: final.inDomain,
                                       offDomainNone: final.offDomain, feasibleRange: range, inDomainCount: inDomain.count,
                                       offDomainCount: offDomain.count, targetInDomainCorrect: targetInDomainCorrect,
                                       targetOffDomainNone: targetOffDomainNone)
    }
}
