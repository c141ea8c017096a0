import Foundation

/// The human-readable rendering of `data stats`.
extension DatasetStatistics {
    /// A multi-line report with text histograms (bars scaled to 40 characters).
    public var text: String {
        var lines: [String] = []
        lines.append("conversations: \(conversations)")
        let turns = turnsByRole.values.reduce(0, +)
        let roles = ["system", "user", "assistant", "tool"].filter { turnsByRole[$0] != nil }
        let balance = roles.map { role in
            let n = turnsByRole[role]!
            return "\(role) \(n), \(String(format: "%.1f", 100 * Double(n) / Double(turns)))%"
        }
        lines.append("turns: \(turns)" + (balance.isEmpty ? "" : " (" + balance.joined(separator: "; ") + ")"))
        lines.append("exact duplicates: \(exactDuplicates), near duplicates (Jaccard ≥ 0.8): \(nearDuplicates)")
        lines.append("redaction placeholders: " + (placeholders.isEmpty ? "none" : placeholders.sorted { $0.key < $1.key }.map { "[\($0.key)] \($0.value)" }.joined(separator: ", ")))
        for (title, d) in [("characters per conversation", characters), ("tokens per conversation, \(tokenMethod)", tokens), ("turns per conversation", turnsPerConversation)] {
            lines.append("")
            lines.append("\(title): min \(d.min), median \(d.median), p95 \(d.p95), max \(d.max), total \(d.total)")
            lines.append(contentsOf: Self.bars(d.histogram))
        }
        return lines.joined(separator: "\n")
    }

    static func bars(_ buckets: [Distribution.Bucket]) -> [String] {
        let most = buckets.map(\.count).max() ?? 0
        let labels = buckets.map { $0.from == $0.to ? "\($0.from)" : "\($0.from)–\($0.to)" }
        let width = labels.map(\.count).max() ?? 0
        let countWidth = buckets.map { String($0.count).count }.max() ?? 0
        return zip(labels, buckets).map { label, bucket in
            let bar = most == 0 ? 0 : Int((40 * Double(bucket.count) / Double(most)).rounded(.up))
            let padding = String(repeating: " ", count: width - label.count)
            let countPadding = String(repeating: " ", count: countWidth - String(bucket.count).count)
            return "  \(padding)\(label) \(countPadding)\(bucket.count) \(String(repeating: "█", count: bar))"
        }
    }
}
