/// The LoRA adapters applied to one sequence, each with the user's scale. Several adapters add up
/// (`W·x + Σ_i s_i · B_i·(A_i·x)`), as with llama.cpp's repeated `--lora`.
public struct AdapterMix: Sendable, Hashable, CustomStringConvertible {
    /// One adapter and its user scale (multiplies the adapter's own alpha / rank).
    public struct Entry: Sendable, Hashable {
        public let adapter: LoRAAdapter
        public let scale: Float

        public init(adapter: LoRAAdapter, scale: Float = 1) {
            self.adapter = adapter
            self.scale = scale
        }

        public static func == (l: Entry, r: Entry) -> Bool { l.adapter === r.adapter && l.scale == r.scale }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(ObjectIdentifier(adapter))
            hasher.combine(scale)
        }
    }

    public let entries: [Entry]

    /// No adapter: the base model.
    public static let none = AdapterMix([])

    /// An adapter listed twice gets the sum of its scales; entries with scale 0 are dropped (they change nothing).
    public init(_ entries: [Entry]) {
        var merged: [Entry] = []
        for entry in entries {
            if let i = merged.firstIndex(where: { $0.adapter === entry.adapter }) {
                merged[i] = Entry(adapter: entry.adapter, scale: merged[i].scale + entry.scale)
            } else {
                merged.append(entry)
            }
        }
        self.entries = merged.filter { $0.scale != 0 }
    }

    public init(_ adapter: LoRAAdapter, scale: Float = 1) { self.init([Entry(adapter: adapter, scale: scale)]) }

    public var isEmpty: Bool { entries.isEmpty }

    /// `name@scale` of every adapter, for logs and keys ("base" when empty).
    public var description: String {
        entries.isEmpty ? "base" : entries.map { "\($0.adapter.name)@\($0.scale)" }.joined(separator: "+")
    }

    /// Throws unless every adapter fits a model with configuration `c`.
    public func validate(for c: ModelConfiguration) throws(EngineError) {
        for entry in entries where !entry.adapter.isCompatible(with: c) {
            throw .invalidArgument("adapter '\(entry.adapter.name)' (\(entry.adapter.architecture), \(entry.adapter.layerCount) layers) does not fit this model (\(c.architecture), \(c.layerCount) layers)")
        }
        for entry in entries where !entry.scale.isFinite {
            throw .invalidArgument("adapter scale \(entry.scale) is not finite")
        }
    }
}
