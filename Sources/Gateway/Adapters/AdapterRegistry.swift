import Engine
import Foundation
import ModelStore

/// The LoRA adapters the server serves, each on a configured model: loaded from the configuration at
/// startup (`load(models:pool:)`) and added or removed while the server runs.
///
/// Adding loads the file and checks it against the base model's header (the model need not be loaded)
/// on a detached task, so neither the registry nor any running generation waits for it. Removing only
/// forgets the adapter: sequences already running hold their own reference to its weights and finish
/// with it; the memory goes when the last of them ends.
public actor AdapterRegistry {
    private var entries: [RegisteredAdapter] = []
    /// Adapter-model ids being loaded, so a concurrent add of the same id is refused at once.
    private var pending: Set<String> = []

    public init() {}

    /// A snapshot of the adapters served now.
    public var catalog: AdapterCatalog { AdapterCatalog(entries) }

    /// Loads every adapter listed in `models` (in order) into a new registry. The first adapter that
    /// cannot be served stops it, with the configuration key (`models[0].adapters[1]`) in the error.
    public static func load(models: [ServedModel], pool: ModelPool) async throws(ConfiguredAdapterError) -> AdapterRegistry {
        let registry = AdapterRegistry()
        for (i, model) in models.enumerated() {
            for (j, served) in model.adapters.enumerated() {
                do {
                    _ = try await registry.add(served, to: model, pool: pool, origin: .configuration(index: j))
                } catch {
                    throw ConfiguredAdapterError(key: "models[\(i)].adapters[\(j)]", error: error)
                }
            }
        }
        return registry
    }

    /// Loads `served` for model `base`, checks it against the base's header and serves it.
    ///
    /// - Throws: `.remoteModel` for a remote base, `.invalidSetting` for a bad id or scale, `.duplicate` when
    ///   the base already has an adapter with this id, `.unknownModel` when the pool does not know the base,
    ///   `.baseUnavailable` when its header cannot be read, `.invalidAdapter` with the `LoRAError` of a file
    ///   that cannot be loaded or does not fit.
    public func add(_ served: ServedAdapter, to base: ServedModel, pool: ModelPool,
                    origin: RegisteredAdapter.Origin = .api) async throws(AdapterRegistryError) -> RegisteredAdapter {
        guard base.remote == nil else { throw .remoteModel(base.id) }
        if let problem = ServedAdapter.problem(withID: served.id) { throw .invalidSetting(field: "id", message: problem) }
        if let problem = ServedAdapter.problem(withScale: served.scale) { throw .invalidSetting(field: "scale", message: problem) }
        if let tier = served.tier, tier < 0 { throw .invalidSetting(field: "tier", message: "must be ≥ 0") }
        if let servedAs = served.servedAs, let problem = ServedAdapter.problem(withServedAs: servedAs) {
            throw .invalidSetting(field: "served_as", message: problem)
        }
        let modelID = served.servedAs ?? ServedAdapter.modelID(base: base.id, adapter: served.id)
        guard !pending.contains(modelID), !entries.contains(where: { $0.modelID == modelID }),
              !entries.contains(where: { $0.baseModel == base.id && $0.id == served.id }) else {
            throw .duplicate(id: served.id, model: base.id)
        }
        pending.insert(modelID)
        defer { pending.remove(modelID) }

        let configuration: ModelConfiguration
        do {
            configuration = try await pool.modelConfiguration(base.id)
        } catch let GatewayError.unknownModel(id, available) {
            throw .unknownModel(id, available: available)
        } catch {
            throw .baseUnavailable(model: base.id, reason: "\(error)")
        }
        let started = ContinuousClock.now
        let loaded = await Task.detached(priority: .utility) { () -> Result<(LoRAAdapter, String), LoRAError> in
            do {
                let adapter = try LoRAAdapter.load(path: served.path, for: configuration, name: served.id)
                return .success((adapter, try Self.fingerprint(path: served.path)))
            } catch let error as LoRAError {
                return .failure(error)
            } catch {
                return .failure(.cannotOpen(path: served.path, reason: "\(error)"))
            }
        }.value
        switch loaded {
        case let .failure(error):
            throw .invalidAdapter(id: served.id, model: base.id, error)
        case let .success((adapter, fingerprint)):
            let entry = RegisteredAdapter(served: served, baseModel: base.id, adapter: adapter, fingerprint: fingerprint,
                                          origin: origin, loadedAt: Date(), loadDuration: .now - started)
            entries.append(entry)
            return entry
        }
    }

    /// Stops serving the adapter with adapter-model id `modelID`; returns it, or nil when there is none.
    @discardableResult
    public func remove(modelID: String) -> RegisteredAdapter? {
        guard let index = entries.firstIndex(where: { $0.modelID == modelID }) else { return nil }
        return entries.remove(at: index)
    }

    /// SHA-256 over the adapter's file, or over the regular files of its folder (a PEFT adapter, or the
    /// folder of a `.safetensors` file given directly) in name order. `ExpertRecord.adapterFingerprint` is this.
    public static func fingerprint(path: String) throws -> String {
        var url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if !isDirectory.boolValue, url.pathExtension == "safetensors" {
            url.deleteLastPathComponent()
            isDirectory = true
        }
        guard isDirectory.boolValue else { return try SHA256.hexDigest(ofFileAt: url) }
        let files = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isRegularFileKey])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let parts = try files.map { "\($0.lastPathComponent)=\(try SHA256.hexDigest(ofFileAt: $0))" }
        return SHA256.hexDigest(of: Array(parts.joined(separator: "\n").utf8))
    }
}

/// A configured adapter that cannot be served (the server does not start): one line naming its
/// configuration key, the adapter and the problem.
public struct ConfiguredAdapterError: Error, Sendable, CustomStringConvertible {
    /// `models[0].adapters[1]`.
    public let key: String
    public let error: AdapterRegistryError

    public var description: String { "configuration '\(key)': \(error.description)" }
}
