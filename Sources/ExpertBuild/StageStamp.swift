import Foundation
import ModelStore

/// The record a finished stage leaves in its folder (`stage.json`): a hash of everything the stage read and its
/// result. A re-run whose inputs hash the same reuses the result and skips the stage; the stamp is written last,
/// so a stage that was interrupted runs again.
struct StageStamp<Result: Codable>: Codable {
    var input: String
    var result: Result

    static func file(in folder: URL) -> URL { folder.appendingPathComponent("stage.json") }

    /// The stored result when the stage finished with the same `input`.
    static func reuse(in folder: URL, input: String) -> Result? {
        guard let data = try? Data(contentsOf: file(in: folder)),
              let stamp = try? JSONDecoder().decode(StageStamp.self, from: data), stamp.input == input else { return nil }
        return stamp.result
    }

    static func save(_ result: Result, in folder: URL, input: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(StageStamp(input: input, result: result)).write(to: file(in: folder), options: .atomic)
    }
}

/// Hashes of a stage's inputs.
enum InputHash {
    static func of(_ parts: [String]) -> String { SHA256.hexDigest(of: Array(parts.joined(separator: "\u{1F}").utf8)) }

    static func ofFile(_ path: String) throws -> String { try SHA256.hexDigest(ofFileAt: URL(fileURLWithPath: path)) }
}
