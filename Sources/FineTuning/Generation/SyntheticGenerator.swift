import Foundation

/// Produces synthetic conversations from a `GeneratorSpec`: for each example a category is drawn by weight, a
/// template uniformly, and each of its slots a value uniformly, all from a SplitMix64 generator seeded with the
/// seed, so the same spec and seed give the same examples. A diversity check rejects an example that exactly
/// repeats, or is near-identical to (MinHash Jaccard ≥ 0.9 over word 5-grams), one already produced.
public struct SyntheticGenerator: Sendable {
    public struct Result: Sendable {
        public var conversations: [Conversation]
        /// Near-identical or repeated samples thrown away.
        public var rejected: Int
        /// Examples per category name.
        public var perCategory: [String: Int]
    }

    public let spec: GeneratorSpec
    public var diversityThreshold = 0.9
    /// Samples drawn per requested example before giving up.
    public var attemptsPerExample = 50

    public init(spec: GeneratorSpec) {
        self.spec = spec
    }

    /// The number of distinct fillings each template allows, summed (capped at `Int.max / 2`).
    public var combinationCount: Int {
        var total = 0
        for category in spec.categories {
            for template in category.templates {
                var product = 1
                for name in template.slotNames {
                    let (p, overflow) = product.multipliedReportingOverflow(by: category.slots[name]?.count ?? 1)
                    product = overflow ? Int.max / 2 : p
                }
                total = min(Int.max / 2, total + product)
            }
        }
        return total
    }

    /// `count` examples (default: the spec's), or `DatasetError.notEnoughExamples`.
    public func generate(count requested: Int? = nil, seed: UInt64? = nil) throws(DatasetError) -> Result {
        let count = requested ?? spec.count
        guard count > 0 else { throw .invalidArgument("--count must be positive") }
        if combinationCount < count { throw .notEnoughExamples(requested: count, produced: combinationCount, rejected: 0) }
        var random = StableHash.Generator(seed: seed ?? spec.seed)
        let totalWeight = spec.categories.reduce(0) { $0 + $1.weight }
        let minHash = MinHash()
        var index = NearDuplicateIndex(threshold: diversityThreshold)
        var seen = Set<StableHash.Fingerprint>()
        var result = Result(conversations: [], rejected: 0, perCategory: [:])
        var attempts = 0
        while result.conversations.count < count, attempts < count * attemptsPerExample {
            attempts += 1
            var pick = Double(random.next() >> 11) / Double(1 << 53) * totalWeight
            var category = spec.categories[spec.categories.count - 1]
            for c in spec.categories {
                if pick < c.weight { category = c; break }
                pick -= c.weight
            }
            let template = category.templates[Int(random.next() % UInt64(category.templates.count))]
            var values: [String: String] = [:]
            for name in template.slotNames {
                let options = category.slots[name]!
                for (field, text) in options[Int(random.next() % UInt64(options.count))] {
                    values[field.isEmpty ? name : "\(name).\(field)"] = text
                }
            }
            var turns: [Conversation.Turn] = []
            if let system = template.system { turns.append(.init(role: .system, text: GeneratorSpec.fill(system, values))) }
            for turn in template.turns { turns.append(.init(role: turn.role, text: GeneratorSpec.fill(turn.text, values))) }
            let conversation = Conversation(id: "\(category.name)-\(result.conversations.count + 1)", title: category.name, source: "generated", turns: turns)
            guard seen.insert(StableHash.fingerprint(conversation)).inserted,
                  index.insertUnlessDuplicate(minHash.signature(of: conversation)) == nil else {
                result.rejected += 1
                continue
            }
            result.conversations.append(conversation)
            result.perCategory[category.name, default: 0] += 1
        }
        guard result.conversations.count == count else {
            throw .notEnoughExamples(requested: count, produced: result.conversations.count, rejected: result.rejected)
        }
        return result
    }
}
