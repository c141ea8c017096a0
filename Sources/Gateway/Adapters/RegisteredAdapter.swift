import Engine
import Foundation

/// An adapter the server serves: its configuration, the base model it runs on and its loaded weights.
public struct RegisteredAdapter: Sendable {
    /// Where an adapter was registered from.
    public enum Origin: Sendable, Equatable {
        /// The configuration file: entry `index` of its base model's `adapters` (llama.cpp's `lora` id).
        case configuration(index: Int)
        /// `POST /v1/adapters`; gone after a restart.
        case api
        /// The adapter a fine-tuning job trained (`POST /v1/fine_tuning/jobs`), served as its `fine_tuned_model`
        /// and registered again at every start.
        case fineTuning(job: String)
        /// Version `version` of expert `id` of the live expert release (`ExpertService`): applied by expert routing,
        /// never listed in `AdapterRegistry` nor served as a model of its own.
        case expert(id: String, version: Int)

        public var label: String {
            switch self {
            case .configuration: return "configuration"
            case .api: return "api"
            case .fineTuning: return "fine-tuning"
            case .expert: return "expert"
            }
        }
    }

    /// The adapter's settings (id, path, default scale, tier, labels, description).
    public let served: ServedAdapter
    /// The id of the configured model it runs on.
    public let baseModel: String
    /// The weights, shared by every sequence that uses the adapter.
    public let adapter: LoRAAdapter
    /// SHA-256 of the adapter's file(s): the semantic cache keys on it, so answers of an adapter that was
    /// replaced under the same id are never reused.
    public let fingerprint: String
    public let origin: Origin
    public let loadedAt: Date
    /// How long loading and checking took.
    public let loadDuration: Duration

    public init(served: ServedAdapter, baseModel: String, adapter: LoRAAdapter, fingerprint: String, origin: Origin,
                loadedAt: Date = Date(), loadDuration: Duration = .zero) {
        self.served = served
        self.baseModel = baseModel
        self.adapter = adapter
        self.fingerprint = fingerprint
        self.origin = origin
        self.loadedAt = loadedAt
        self.loadDuration = loadDuration
    }

    public var id: String { served.id }
    /// The adapter-model id: `base:adapter`, or the adapter's explicit `servedAs` id.
    public var modelID: String { served.servedAs ?? ServedAdapter.modelID(base: baseModel, adapter: served.id) }

    /// The adapter as a model routing can pick and responses name: `base:adapter`, on the base's source and
    /// limits and capabilities, with the adapter's tier (the base's when it has none) and labels.
    public func servedModel(base: ServedModel) -> ServedModel {
        ServedModel(id: modelID, source: base.source, contextLength: base.contextLength, tier: served.tier ?? base.tier,
                    labels: served.labels, maxConcurrent: base.maxConcurrent, maxQueued: base.maxQueued, preload: false,
                    capabilities: base.capabilities)
    }
}
