#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the learning rate decays after warmup.
public enum DecayKind: String, Sendable, Codable, CaseIterable {
    /// Half a cosine from the peak to the minimum.
    case cosine
    /// A straight line from the peak to the minimum.
    case linear
    /// The peak until the end.
    case constant
}

/// Warmup length: a number of optimizer steps, or a fraction of all steps (rounded up, as transformers does).
public enum Warmup: Sendable, Equatable, Codable, CustomStringConvertible {
    /// This many steps.
    case steps(Int)
    /// This fraction of the total steps (0...1).
    case ratio(Double)

    /// The warmup steps of a run of `totalSteps` (never more than `totalSteps`).
    public func steps(totalSteps: Int) -> Int {
        switch self {
        case let .steps(n): return max(0, min(n, totalSteps))
        case let .ratio(r): return max(0, min(Int((Double(totalSteps) * r).rounded(.up)), totalSteps))
        }
    }

    public var description: String {
        switch self {
        case let .steps(n): return "\(n) steps"
        case let .ratio(r): return "ratio \(r)"
        }
    }

    enum CodingKeys: String, CodingKey { case steps, ratio }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let n = try c.decodeIfPresent(Int.self, forKey: .steps) {
            self = .steps(n)
        } else {
            self = .ratio(try c.decode(Double.self, forKey: .ratio))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .steps(n): try c.encode(n, forKey: .steps)
        case let .ratio(r): try c.encode(r, forKey: .ratio)
        }
    }
}

/// The learning rate of every optimizer step, a pure function of the step: linear warmup from
/// `peak / warmupSteps` to `peak` over steps `1...warmupSteps`, then decay towards `minimum`.
///
/// With `W` warmup steps and `T` total steps, step `s` (1-based) has the rate
/// - `peak · s / W` for `s ≤ W`;
/// - after warmup, with progress `p = (s − W − 1) / (T − W)` (0 at the first step after warmup, `1 − 1/(T − W)`
///   at the last): cosine `min + (peak − min) · ½(1 + cos πp)`, linear `min + (peak − min)(1 − p)`, constant
///   `peak`.
///
/// The decay is transformers' `get_cosine_schedule_with_warmup` / `get_linear_schedule_with_warmup` at its
/// 0-based step `s − 1` (no step is spent at rate `minimum`); only the warmup differs, starting at `peak / W`
/// instead of 0 so the first step is not wasted.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    /// The rate after warmup.
    public var peak: Double
    /// The rate at the last step (cosine and linear).
    public var minimum: Double
    /// Warmup steps.
    public var warmupSteps: Int
    /// All optimizer steps of the run.
    public var totalSteps: Int
    /// The decay after warmup.
    public var decay: DecayKind

    /// A schedule; `warmupSteps` is clamped to `0...totalSteps`.
    public init(peak: Double, minimum: Double = 0, warmupSteps: Int, totalSteps: Int, decay: DecayKind = .cosine) {
        precondition(totalSteps >= 1, "a schedule needs at least one step")
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = max(0, min(warmupSteps, totalSteps))
        self.totalSteps = totalSteps
        self.decay = decay
    }

    /// A schedule whose warmup is given as steps or a ratio of `totalSteps`.
    public init(peak: Double, minimum: Double = 0, warmup: Warmup, totalSteps: Int, decay: DecayKind = .cosine) {
        self.init(peak: peak, minimum: minimum, warmupSteps: warmup.steps(totalSteps: totalSteps), totalSteps: totalSteps, decay: decay)
    }

    /// The rate of 1-based step `step` (steps past the end keep the last step's rate).
    public func learningRate(at step: Int) -> Double {
        let s = max(1, min(step, totalSteps))
        if s <= warmupSteps { return peak * Double(s) / Double(warmupSteps) }
        let span = totalSteps - warmupSteps
        let progress = span > 0 ? Double(s - warmupSteps - 1) / Double(span) : 0
        switch decay {
        case .constant: return peak
        case .linear: return minimum + (peak - minimum) * (1 - progress)
        case .cosine: return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }

    enum CodingKeys: String, CodingKey {
        case peak, minimum, decay
        case warmupSteps = "warmup_steps"
        case totalSteps = "total_steps"
    }
}
