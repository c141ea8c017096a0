import Foundation

/// llama.cpp's parity output for one model (`Fixtures/<model>.json`, copied from shared/reference).
struct ReferenceData: Decodable {
    struct Tokenization: Decodable {
        let text: String
        let ids: [Int32]
    }
    struct Step: Decodable {
        let id: Int32
        let top: [[Double]]
        var topIDs: [Int32] { top.map { Int32($0[0]) } }
        func logprob(of id: Int32) -> Double? { top.first { Int32($0[0]) == id }?[1] }
    }
    struct Greedy: Decodable {
        let prompt: String
        let prompt_ids: [Int32]
        let ids: [Int32]
        let text: String
        let steps: [Step]
    }
    struct ChatCase: Decodable {
        struct Message: Decodable {
            let role: String
            let content: String
        }
        let messages: [Message]
        let prompt: String
    }
    let model_file: String
    let tokenize: [Tokenization]
    let greedy: [Greedy]
    let chat_template: [ChatCase]?

    static func load(_ name: String) throws -> ReferenceData {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
        return try JSONDecoder().decode(ReferenceData.self, from: Data(contentsOf: url))
    }
}
