import Foundation

/// What a run's results depend on: the settings that change the math, the contents of the data files and the
/// base model. Saved in every checkpoint; a resume whose fingerprint differs is refused, naming what changed.
public struct TrainingFingerprint: Sendable, Codable, Equatable {
    /// Settings that change training (see ``TrainingConfiguration/fingerprintSettings``), by name.
    public var settings: [String: String]
    /// Content hash of each data file, by role (`train`, `valid`).
    public var data: [String: String]
    /// The base model's identity (file name, size, hash of its first MiB).
    public var model: String
    /// A hash over all of the above.
    public var hash: String

    /// A fingerprint of explicit parts.
    public init(settings: [String: String], data: [String: String], model: String) {
        self.settings = settings
        self.data = data
        self.model = model
        let text = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            + data.sorted { $0.key < $1.key }.map { "data.\($0.key)=\($0.value)\n" }.joined()
            + "model=\(model)\n"
        hash = ContentHash.hex(of: text)
    }

    /// The fingerprint of a run: `configuration`'s training settings, the files' contents, the model file.
    public init(configuration: TrainingConfiguration, files: TrainingDataFiles, modelPath: String) throws(CheckpointError) {
        var data = ["train": try Self.fileIdentity(files.train)]
        if let valid = files.valid { data["valid"] = try Self.fileIdentity(valid) }
        self.init(settings: configuration.fingerprintSettings, data: data, model: try Self.modelIdentity(path: modelPath))
    }

    /// `size:hash` of a data file.
    static func fileIdentity(_ url: URL) throws(CheckpointError) -> String {
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
        return "\(size):\(try ContentHash.hex(ofFile: url))"
    }

    /// `name, size bytes, hash of the first MiB` of a model file (hashing a whole model would take seconds).
    public static func modelIdentity(path: String) throws(CheckpointError) -> String {
        let url = URL(fileURLWithPath: path)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        return "\(url.lastPathComponent), \(size) bytes, \(try ContentHash.hex(ofFile: url, limit: 1 << 20))"
    }

    /// What differs from `saved`, one phrase each (`learning_rate 0.0002 → 0.0001`, `train data changed`).
    public func differences(from saved: TrainingFingerprint) -> [String] {
        var out: [String] = []
        for key in Set(settings.keys).union(saved.settings.keys).sorted() where settings[key] != saved.settings[key] {
            out.append("\(key) was \(saved.settings[key] ?? "unset"), now \(settings[key] ?? "unset")")
        }
        for role in Set(data.keys).union(saved.data.keys).sorted() where data[role] != saved.data[role] {
            switch (saved.data[role], data[role]) {
            case (nil, _): out.append("\(role) data was not used, now is")
            case (_, nil): out.append("\(role) data was used, now is not")
            default: out.append("\(role) data changed")
            }
        }
        if model != saved.model { out.append("model was \(saved.model), now \(model)") }
        if out.isEmpty, hash != saved.hash { out.append("fingerprint \(saved.hash) differs from \(hash)") }
        return out
    }
}
