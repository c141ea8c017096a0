import Foundation

/// A LoRA adapter served on top of a configured model, as configured (a `models[].adapters` entry) or
/// added at run time (`POST /v1/adapters`). Clients name it as its own model, `base-id:adapter-id`, or
/// `adapter-id` alone when no other model or adapter has that id; an adapter with an explicit `servedAs` id
/// (a fine-tuned model, `ft:base:suffix:ftjob-…`) is named by that id instead of `base-id:adapter-id`.
public struct ServedAdapter: Sendable, Hashable, Codable {
    /// The adapter's id, unique among the adapters of its base model: letters, digits, `.`, `_` and `-`.
    public var id: String
    /// A llama.cpp GGUF adapter file or a PEFT folder (`adapter_config.json` + `adapter_model.safetensors`).
    public var path: String
    /// The user scale applied when a request names the adapter without a scale of its own.
    public var scale: Double
    /// The routing tier of the adapter-model; `nil`: it answers only when named, never for `auto`.
    public var tier: Int?
    /// Free-form labels, shown in `/v1/models`.
    public var labels: [String]
    /// A free-form note, shown in `/v1/adapters` and `/v1/models`.
    public var description: String?
    /// The public model id to serve the adapter as instead of `base:id` (see ``problem(withServedAs:)``), such as a
    /// fine-tuning job's `ft:smollm2-135m:pirate:ftjob-…`; nil: `base:id`.
    public var servedAs: String?

    public init(id: String, path: String, scale: Double = 1, tier: Int? = nil, labels: [String] = [], description: String? = nil,
                servedAs: String? = nil) {
        self.id = id
        self.path = path
        self.scale = scale
        self.tier = tier
        self.labels = labels
        self.description = description
        self.servedAs = servedAs
    }

    /// Separates a base model id from an adapter id in an adapter-model id (`smollm2-135m:style`).
    public static let separator: Character = ":"

    /// The adapter-model id of adapter `adapter` on model `base`.
    public static func modelID(base: String, adapter: String) -> String { "\(base)\(separator)\(adapter)" }

    /// Why `id` cannot name an adapter, or nil when it can: 1–64 characters, letters, digits, `.`, `_`, `-`,
    /// starting with a letter or digit (no `:` or `/`, so it stays one segment of `base:adapter` and of a URL).
    public static func problem(withID id: String) -> String? {
        guard !id.isEmpty else { return "must not be empty" }
        guard id.count <= 64 else { return "must be at most 64 characters" }
        guard id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }),
              let first = id.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            return "'\(id)' may hold only letters, digits, '.', '_' and '-', starting with a letter or digit"
        }
        return nil
    }

    /// Why `id` cannot be an explicit public model id (`servedAs`), or nil when it can: 1–256 characters, letters,
    /// digits, `.`, `_`, `-` and `:`, starting with a letter or digit (no `/`, so it stays one URL segment).
    public static func problem(withServedAs id: String) -> String? {
        guard !id.isEmpty else { return "must not be empty" }
        guard id.count <= 256 else { return "must be at most 256 characters" }
        guard id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-:".unicodeScalars.contains($0)) }),
              let first = id.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            return "'\(id)' may hold only letters, digits, '.', '_', '-' and ':', starting with a letter or digit"
        }
        return nil
    }

    /// Why `scale` cannot be an adapter's scale, or nil.
    public static func problem(withScale scale: Double) -> String? {
        guard scale.isFinite, Float(scale).isFinite, abs(scale) <= 100 else { return "must be a finite number in -100…100 (got \(scale))" }
        return nil
    }
}
