import Foundation

/// The expert release being served: the release as the registry deployed it (versions and deployment set), its
/// base model, and every expert's adapter loaded and checked against that base. A value: a request takes one
/// snapshot and uses it to the end, whatever is deployed meanwhile (sequences hold their own adapter references).
public struct LiveExperts: Sendable {
    public let release: ExpertRelease
    /// The configured model every expert's adapter applies to.
    public let base: ServedModel
    /// Each expert's adapter, by expert id (origin `.expert(id:version:)`, served as `MODEL_ID:EXPERT`).
    public let adapters: [String: RegisteredAdapter]
    /// Turns a request into the router's input (shared by every release: its cache holds embeddings, not routes).
    public let encoder: ExpertQueryEncoder

    public init(release: ExpertRelease, base: ServedModel, adapters: [String: RegisteredAdapter], encoder: ExpertQueryEncoder) {
        self.release = release
        self.base = base
        self.adapters = adapters
        self.encoder = encoder
    }

    public var router: ExpertRouter { release.router }
    /// The deployment that made the release live (1, 2, …).
    public var deployment: Int { release.deployment }

    /// The record of expert `id` (its version, system prompt, …).
    public func record(_ id: String) -> ExpertRecord? { release.expert(id) }
}
