import Foundation
import ModelStore
import Testing

/// `generate --chat` renders the model's own template: its prompt ids must be exactly the ids of
/// llama.cpp's reference render of the same conversation.
struct ChatCommandTests {
    @Test(arguments: [("smollm2-135m", "SmolLM2-135M-Instruct.Q4_1"), ("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m")])
    func chatPromptMatchesReferenceRender(model: String, reference: String) throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(reference).json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["chat_template"] as? [[String: Any]])
        // The single-user-message case.
        let single = try #require(cases.first { ($0["messages"] as? [[String: String]])?.count == 1 })
        let message = try #require((single["messages"] as? [[String: String]])?.first?["content"])
        let rendered = try #require(single["prompt"] as? String)
        guard ModelStore().localPath(for: model) != nil else {
            Issue.record("model \(model) is not fetched: run `groupqwen models fetch \(model)`")
            return
        }
        let expected = try CommandRunner.run(["tokenize", "-m", model, "--special", "--json", rendered])
        #expect(expected.status == 0, "\(expected.stderr)")
        let expectedIDs = try #require((try JSONSerialization.jsonObject(with: Data(expected.stdout.utf8)) as? [String: Any])?["ids"] as? [Int])
        let chat = try CommandRunner.run(["generate", "-m", model, "--chat", "--json", "-n", "1", "--temp", "0", message])
        #expect(chat.status == 0, "\(chat.stderr)")
        let promptIDs = try #require((try JSONSerialization.jsonObject(with: Data(chat.stdout.utf8)) as? [String: Any])?["prompt_ids"] as? [Int])
        #expect(promptIDs == expectedIDs)
    }
}
