import Engine
import Gateway

/// The adapters one candidate applies, with their scales, as the planner resolved them: what the
/// answerer hands the engine (`mix`), and how responses, metrics and the semantic cache name them.
struct AdapterSelection: Sendable {
    struct Entry: Sendable {
        let adapter: RegisteredAdapter
        let scale: Float
    }

    /// In request order; an adapter named twice appears once with the sum of its scales, and entries of
    /// scale 0 are left out (they change nothing), as in `AdapterMix`.
    let entries: [Entry]

    static let none = AdapterSelection([])

    init(_ entries: [Entry]) {
        var merged: [Entry] = []
        for entry in entries {
            if let i = merged.firstIndex(where: { $0.adapter.modelID == entry.adapter.modelID }) {
                merged[i] = Entry(adapter: entry.adapter, scale: merged[i].scale + entry.scale)
            } else {
                merged.append(entry)
            }
        }
        self.entries = merged.filter { $0.scale != 0 }
    }

    /// One adapter at its configured scale (an adapter-model).
    init(_ adapter: RegisteredAdapter) {
        self.init([Entry(adapter: adapter, scale: Float(adapter.served.scale))])
    }

    var isEmpty: Bool { entries.isEmpty }

    /// What `GenerationOptions.adapters` gets.
    var mix: AdapterMix { AdapterMix(entries.map { AdapterMix.Entry(adapter: $0.adapter.adapter, scale: $0.scale) }) }

    /// The `adapters` list of the `groupqwen` object.
    var info: [RoutingInfo.Adapter] { entries.map { RoutingInfo.Adapter(id: $0.adapter.id, scale: Double($0.scale)) } }

    /// `X-GroupQwen-Adapter`: `id@scale`, comma-separated; nil without adapters.
    var header: String? {
        entries.isEmpty ? nil : entries.map { "\($0.adapter.id)@\($0.scale)" }.joined(separator: ",")
    }

    /// The `adapter` label of the completion metrics: the ids joined by `+`, or `none`.
    var metricLabel: String { entries.isEmpty ? "none" : entries.map(\.adapter.id).joined(separator: "+") }

    /// The semantic cache's part of the context: each adapter's model id, the fingerprint of its files and
    /// its scale, so an answer of one adapter (or of a replaced file under the same id) is never served for
    /// another, nor for the bare model. Empty without adapters (the key of a plain request is unchanged).
    var cacheText: String {
        entries.map { "\($0.adapter.modelID)#\($0.adapter.fingerprint)@\($0.scale)" }.joined(separator: "+")
    }
}
