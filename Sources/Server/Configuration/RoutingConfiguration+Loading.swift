import Foundation
import Gateway

extension RoutingConfiguration: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case weights, profiles
        case tierThresholds = "tier_thresholds"
        case defaultProfile = "default_profile"
        case minConfidence = "min_confidence"
        case probeTokens = "probe_tokens"
        case maxEscalations = "max_escalations"
        case fallback
        case lengthSaturation = "length_saturation"
        case depthSaturation = "depth_saturation"
        case outputSaturation = "output_saturation"
        case strategy
        case learnedRouter = "learned_router"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let w = try c.decodeIfPresent(Weights.self, forKey: .weights) { weights = w }
        if let t = try c.decodeIfPresent([Double].self, forKey: .tierThresholds) { tierThresholds = t }
        if let p = try c.decodeIfPresent([String: Int].self, forKey: .profiles) { profiles = p }
        if let d = try c.decodeIfPresent(String.self, forKey: .defaultProfile) { defaultProfile = d }
        if let m = try c.decodeIfPresent(Double.self, forKey: .minConfidence) { minConfidence = m }
        if let p = try c.decodeIfPresent(Int.self, forKey: .probeTokens) { probeTokens = p }
        if let m = try c.decodeIfPresent(Int.self, forKey: .maxEscalations) { maxEscalations = m }
        if let f = try c.decodeIfPresent(String.self, forKey: .fallback) {
            guard let policy = Fallback(rawValue: f) else {
                throw DecodingError.dataCorruptedError(forKey: .fallback, in: c, debugDescription: "must be 'lower' or 'none'")
            }
            fallback = policy
        }
        if let v = try c.decodeIfPresent(Int.self, forKey: .lengthSaturation) { lengthSaturation = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .depthSaturation) { depthSaturation = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .outputSaturation) { outputSaturation = v }
        if let s = try c.decodeIfPresent(String.self, forKey: .strategy) {
            guard let strategy = Strategy(rawValue: s) else {
                throw DecodingError.dataCorruptedError(forKey: .strategy, in: c, debugDescription: "must be 'learned' or 'keywords'")
            }
            self.strategy = strategy
        }
        learnedRouterPath = try c.decodeIfPresent(String.self, forKey: .learnedRouter)
    }

    /// Reads `learned_router:` (a file written by `groupqwen route calibrate`), relative to `directory`.
    mutating func loadLearnedRouter(relativeTo directory: URL) throws(ServerConfigurationError) {
        guard let path = learnedRouterPath else { return }
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : directory.appendingPathComponent(expanded).standardized
        do {
            learnedRouter = try JSONDecoder().decode(LearnedRouter.self, from: Data(contentsOf: url))
        } catch {
            throw .invalid(key: "routing.learned_router", message: "cannot read a learned router from \(url.path): \(error)", line: nil)
        }
        learnedRouterPath = url.path
    }
}

extension RoutingConfiguration.Weights: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case length, depth, reasoning, code, math, output }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        length = try c.decodeIfPresent(Double.self, forKey: .length) ?? length
        depth = try c.decodeIfPresent(Double.self, forKey: .depth) ?? depth
        reasoning = try c.decodeIfPresent(Double.self, forKey: .reasoning) ?? reasoning
        code = try c.decodeIfPresent(Double.self, forKey: .code) ?? code
        math = try c.decodeIfPresent(Double.self, forKey: .math) ?? math
        output = try c.decodeIfPresent(Double.self, forKey: .output) ?? output
    }
}
