import Foundation
import ModelStore

/// Answers on disk, so that a re-run of `route eval` / `route calibrate` only generates what is new: one JSON
/// Lines file per model (`DIR/<model>.jsonl`), appended to as answers arrive (an interrupted run keeps its work),
/// keyed by a hash of the model file, the generation settings and the conversation.
public actor AnswerStore {
    public let directory: URL
    private var answers: [String: TierAnswer] = [:]
    private var loadedModels = Set<String>()

    public init(directory: URL) throws(RouteEvaluationError) {
        self.directory = directory
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .input("cannot create \(directory.path): \(error.localizedDescription)")
        }
    }

    /// The key of `prompt` answered by the model file `modelFingerprint` with `settings`.
    public static func key(prompt: GradedPrompt, modelFingerprint: String, settings: String) -> String {
        var text = "\(modelFingerprint)\n\(settings)\nmax_tokens=\(prompt.maxTokens)\n"
        for message in prompt.messages { text += "\(message.role)\u{1F}\(message.content)\u{1E}" }
        var hash = SHA256()
        hash.update(Array(text.utf8))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func file(_ model: String) -> URL {
        directory.appendingPathComponent(model.replacingOccurrences(of: "/", with: "_") + ".jsonl")
    }

    /// The stored answer for `key` of `model`, reading the model's file on first use (a torn last line is skipped).
    public func answer(key: String, model: String) -> TierAnswer? {
        if loadedModels.insert(model).inserted, let data = try? Data(contentsOf: file(model)) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let answer = try? decoder.decode(TierAnswer.self, from: Data(line)) { answers[answer.key] = answer }
            }
        }
        return answers[key]
    }

    /// Stores `answer`, appending it to its model's file.
    public func store(_ answer: TierAnswer) throws(RouteEvaluationError) {
        answers[answer.key] = answer
        let url = file(answer.model)
        do {
            var line = try JSONEncoder().encode(answer)
            line.append(UInt8(ascii: "\n"))
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            throw .input("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
