/// The adapters served at one moment, in registration order: a snapshot of `AdapterRegistry` that a request
/// resolves its model name and adapters against, so one request sees one consistent set.
public struct AdapterCatalog: Sendable {
    public let adapters: [RegisteredAdapter]

    public init(_ adapters: [RegisteredAdapter] = []) {
        self.adapters = adapters
    }

    /// What a model name means among the adapters.
    public enum Match: Sendable {
        case adapter(RegisteredAdapter)
        /// An adapter id alone that several base models serve (or that is also a model id).
        case ambiguous([RegisteredAdapter])
        case none
    }

    /// The adapter with adapter-model id `base:adapter`.
    public func adapter(modelID: String) -> RegisteredAdapter? {
        adapters.first { $0.modelID == modelID }
    }

    /// The adapter `id` of model `base`.
    public func adapter(base: String, id: String) -> RegisteredAdapter? {
        adapters.first { $0.baseModel == base && $0.id == id }
    }

    /// Every adapter of model `base`, in registration order.
    public func adapters(of base: String) -> [RegisteredAdapter] {
        adapters.filter { $0.baseModel == base }
    }

    /// Adapters that answer for `model: "auto"`: those with an explicit tier.
    public var routable: [RegisteredAdapter] { adapters.filter { $0.served.tier != nil } }

    /// Resolves a model name that is not a configured model id: `base:adapter`, or an adapter id alone
    /// when it is unique across model ids (`modelIDs`) and adapter ids.
    public func match(_ name: String, modelIDs: [String]) -> Match {
        if let adapter = adapter(modelID: name) { return .adapter(adapter) }
        let named = adapters.filter { $0.id == name }
        if named.count == 1, !modelIDs.contains(name) { return .adapter(named[0]) }
        return named.isEmpty ? .none : .ambiguous(named)
    }

    /// The adapter id alone when it names `adapter` unambiguously (see `match`), else nil.
    public func alias(of adapter: RegisteredAdapter, modelIDs: [String]) -> String? {
        guard !modelIDs.contains(adapter.id), adapters.filter({ $0.id == adapter.id }).count == 1 else { return nil }
        return adapter.id
    }

    /// Number of adapters per base model id.
    public var countsByModel: [String: Int] {
        adapters.reduce(into: [:]) { $0[$1.baseModel, default: 0] += 1 }
    }
}
