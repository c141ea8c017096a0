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

        /// `steps` aligned to `ids`: entry i is the step that produced `ids[i]`, or nil where
        /// llama.cpp's server left a step out (it does so for some tokens that end inside a
        /// multi-byte character; one qwen3 fixture prompt has such a gap).
        var alignedSteps: [Step?] {
            var out: [Step?] = []
            var j = 0
            for id in ids {
                if j < steps.count, steps[j].id == id {
                    out.append(steps[j])
                    j += 1
                } else {
                    out.append(nil)
                }
            }
            return out
        }
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
