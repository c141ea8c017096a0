import Foundation

/// A router measured on labelled examples: per-label precision and recall, a confusion matrix with "none" as
/// its last label, in-domain accuracy (examples routed to their expert) and the off-domain none rate.
public struct ExpertRouterEvaluation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// One labelled query: its router input and the expert it should go to (nil: none, an off-domain prompt).
    public struct Example: Sendable, Equatable {
        public var embedding: [Float]
        public var expertID: String?
        /// Shown in `misrouted`.
        public var text: String

        public init(embedding: [Float], expertID: String?, text: String = "") {
            self.embedding = embedding
            self.expertID = expertID
            self.text = text
        }
    }

    /// One label's numbers.
    public struct LabelMetrics: Sendable, Equatable, Codable {
        public var label: String
        /// Examples whose true label this is.
        public var support: Int
        /// Of the examples routed to this label, the share that belong to it (1 when nothing was routed here).
        public var precision: Double
        /// Of this label's examples, the share routed to it: for an expert its accuracy, for none the off-domain none rate.
        public var recall: Double
    }

    /// A wrongly routed example.
    public struct Miss: Sendable, Equatable, Codable {
        public var text: String
        public var expected: String
        public var routed: String
        public var confidence: Float
    }

    /// The experts in the router's order, then "none".
    public var labels: [String]
    /// `confusion[true][routed]`, indexed like `labels`.
    public var confusion: [[Int]]
    public var perLabel: [LabelMetrics]
    /// In-domain examples routed to their expert, over all in-domain examples.
    public var inDomainAccuracy: Double
    /// Off-domain examples routed to none, over all off-domain examples.
    public var offDomainNoneRate: Double
    public var inDomainCount: Int
    public var offDomainCount: Int
    public var misrouted: [Miss]

    /// The label name of "no expert".
    public static let none = "none"

    /// Routes every example. An example's `expertID` must be one of the router's experts or nil.
    public init(router: ExpertRouter, examples: [Example]) {
        let labels = router.expertIDs + [Self.none]
        let n = labels.count
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var confusion = Array(repeating: Array(repeating: 0, count: n), count: n)
        var misrouted: [Miss] = []
        for example in examples {
            let expected = example.expertID ?? Self.none
            guard let row = index[expected] else { preconditionFailure("unknown expert '\(expected)' in an evaluation example") }
            let route = router.route(embedding: example.embedding)
            let routed = route.expertID ?? Self.none
            confusion[row][index[routed]!] += 1
            if routed != expected {
                misrouted.append(Miss(text: example.text, expected: expected, routed: routed, confidence: route.confidence))
            }
        }
        self.perLabel = labels.indices.map { i in
            let support = confusion[i].reduce(0, +)
            let routedHere = (0..<n).reduce(0) { $0 + confusion[$1][i] }
            return LabelMetrics(label: labels[i], support: support,
                                precision: routedHere == 0 ? 1 : Double(confusion[i][i]) / Double(routedHere),
                                recall: support == 0 ? 1 : Double(confusion[i][i]) / Double(support))
        }
        let inDomainCount = (0..<(n - 1)).reduce(0) { $0 + confusion[$1].reduce(0, +) }
        let offDomainCount = confusion[n - 1].reduce(0, +)
        let right = (0..<(n - 1)).reduce(0) { $0 + confusion[$1][$1] }
        self.inDomainAccuracy = inDomainCount == 0 ? 1 : Double(right) / Double(inDomainCount)
        self.offDomainNoneRate = offDomainCount == 0 ? 1 : Double(confusion[n - 1][n - 1]) / Double(offDomainCount)
        self.labels = labels
        self.confusion = confusion
        self.misrouted = misrouted
        self.inDomainCount = inDomainCount
        self.offDomainCount = offDomainCount
    }

    /// Recall of one label (an expert's accuracy, or the none rate for "none").
    public func accuracy(of label: String) -> Double? {
        perLabel.first { $0.label == label }?.recall
    }

    /// A plain-text report: the rates, per-label precision/recall and the confusion matrix.
    public var description: String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        var lines = ["in-domain to the right expert \(pct(inDomainAccuracy)) of \(inDomainCount), off-domain to none \(pct(offDomainNoneRate)) of \(offDomainCount)"]
        let width = max(11, (labels.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        lines.append(pad("label") + pad("support") + pad("precision") + pad("recall"))
        for m in perLabel { lines.append(pad(m.label) + pad("\(m.support)") + pad(pct(m.precision)) + pad(pct(m.recall))) }
        lines.append(pad("true \\ routed") + labels.map(pad).joined())
        for (i, row) in confusion.enumerated() { lines.append(pad(labels[i]) + row.map { pad("\($0)") }.joined()) }
        return lines.joined(separator: "\n")
    }
}
