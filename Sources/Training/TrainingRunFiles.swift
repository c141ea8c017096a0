import Foundation

/// The settings a run was started with, kept in `OUT/training.json` so `train --resume OUT` needs no other flags.
public enum TrainingRunFiles {
    static let settingsFile = "training.json"

    public static func saveSettings(_ configuration: TrainingConfiguration, to output: URL) throws {
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(configuration).write(to: output.appendingPathComponent(settingsFile), options: .atomic)
        } catch {
            throw TrainingError.output("\(output.path): \(error.localizedDescription)")
        }
    }

    /// The settings of the run in `output`; throws when the folder holds no run.
    public static func loadSettings(from output: URL) throws -> TrainingConfiguration {
        let url = output.appendingPathComponent(settingsFile)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError.invalidSetting("\(output.path) holds no training run to resume (no \(settingsFile))")
        }
        do { return try JSONDecoder().decode(TrainingConfiguration.self, from: data) } catch {
            throw TrainingError.invalidSetting("\(url.path) is not a readable training configuration")
        }
    }
}
