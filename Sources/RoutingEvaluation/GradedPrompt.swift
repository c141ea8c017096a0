import Foundation

/// One prompt of a graded set (`Benchmarks/RoutingBench/routing-set.jsonl`): a conversation, the completion
/// budget, and how to grade an answer.
public struct GradedPrompt: Sendable, Codable, Equatable {
    /// One chat message.
    public struct Message: Sendable, Codable, Equatable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public var id: String
    /// `chit_chat`, `facts`, `arithmetic`, `reasoning`, `extraction`, `instruction`, `code`, `multilingual`, …
    public var category: String
    public var difficulty: String?
    public var messages: [Message]
    /// Completion budget (`max_tokens`) of every answer.
    public var maxTokens: Int
    public var grader: Grader
    /// An answer the grader accepts (checked by the tests); never shown to a model.
    public var reference: String?

    enum CodingKeys: String, CodingKey {
        case id, category, difficulty, messages, grader, reference
        case maxTokens = "max_tokens"
    }

    public init(id: String, category: String, difficulty: String? = nil, messages: [Message], maxTokens: Int,
                grader: Grader, reference: String? = nil) {
        self.id = id
        self.category = category
        self.difficulty = difficulty
        self.messages = messages
        self.maxTokens = maxTokens
        self.grader = grader
        self.reference = reference
    }

    /// The last user message: what the router reads.
    public var lastUserText: String { messages.last { $0.role == "user" }?.content ?? messages.last?.content ?? "" }

    /// Whether the prompt is in the held-out split: a stable hash of its id, so that adding prompts never moves
    /// old ones between splits. `heldOutPercent` of the prompts (by expectation) are held out.
    public func isHeldOut(percent heldOutPercent: Int) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % 100) < heldOutPercent
    }
}

/// Reads graded sets (JSON Lines; blank lines skipped).
public enum GradedPromptSet {
    /// The prompts of the file at `path`, in file order. A bad line is an error naming it; ids must be unique.
    public static func load(path: String) throws(RouteEvaluationError) -> [GradedPrompt] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .input("cannot read \(path): \(error.localizedDescription)")
        }
        var prompts: [GradedPrompt] = []
        var seen = Set<String>()
        let decoder = JSONDecoder()
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            let prompt: GradedPrompt
            do { prompt = try decoder.decode(GradedPrompt.self, from: Data(line)) } catch {
                throw .input("\(path):\(index + 1): \(Self.describe(error))")
            }
            guard !prompt.messages.isEmpty else { throw .input("\(path):\(index + 1): 'messages' is empty") }
            guard prompt.maxTokens >= 1 else { throw .input("\(path):\(index + 1): 'max_tokens' must be ≥ 1") }
            guard seen.insert(prompt.id).inserted else { throw .input("\(path):\(index + 1): duplicate id '\(prompt.id)'") }
            prompts.append(prompt)
        }
        guard !prompts.isEmpty else { throw .input("\(path) holds no prompts") }
        return prompts
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?:
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?, let .dataCorrupted(context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "'\(path)': ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}
