import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Gemma 3 270M has no chat template, so prompts are rendered with the ChatML fallback; its vocabulary has
/// no `<|im_end|>` token, so the model writes the marker as plain text (here, imitating the earlier turns
/// of the conversation). Chat completions stop there.
enum TemplateStopTestServer {
    /// Configured to chat (`capabilities: [chat, completion]`): by default a base model is kept to completions.
    static let gemma = ServedModel(id: "gemma3-270m", source: "gemma3-270m", contextLength: 512, maxConcurrent: 2,
                                   capabilities: [.chat, .completion])
    static let pool = ModelPool(configuration: ModelPoolConfiguration(models: [gemma], keepAlive: nil, fetchMissing: false))

    static func app() -> some ApplicationProtocol {
        GroupQwenServer.makeApplication(configuration: ServerConfiguration(models: [gemma], keepAliveSeconds: nil, fetchMissing: false),
                                        pool: pool, managesPool: false)
    }

    /// A few-shot conversation whose assistant turns the model continues.
    static let messages: [(String, String)] = [
        ("system", "Answer with one word."), ("user", "Capital of France?"), ("assistant", "Paris"),
        ("user", "Capital of Italy?"), ("assistant", "Rome"), ("user", "Capital of Spain?"),
    ]
}

extension ServerTests {
    @Suite("Template-less models")
    struct TemplateStopTests {
        @Test("a model rendered with the ChatML fallback and no <|im_end|> token stops chat completions at the marker")
        func chatMLEndStops() async throws {
            let gemma = try await TemplateStopTestServer.pool.model("gemma3-270m")
            #expect(gemma.chatTemplate == nil)
            #expect(gemma.chatStopStrings == ["<|im_end|>"])
            let smol = try await TestServer.pool.model(TestServer.modelID)   // its own template, and <|im_end|> is a token
            #expect(smol.chatStopStrings.isEmpty)

            let messages = TemplateStopTestServer.messages
            let json = messages.map { role, content in #"{"role":"\#(role)","content":"\#(content)"}"# }.joined(separator: ",")
            let rendered = messages.map { "<|im_start|>\($0.0)\n\($0.1)<|im_end|>\n" }.joined() + "<|im_start|>assistant\n"
            let prompt = String(decoding: try JSONEncoder().encode(rendered), as: UTF8.self)
            try await TemplateStopTestServer.app().test(.router) { client in
                // The raw continuation of the same prompt: the model does write the marker as text …
                let raw = try await client.post("/v1/completions", json: #"{"model":"gemma3-270m","prompt":\#(prompt),"max_tokens":16,"temperature":0}"#)
                let text = ((raw.json["choices"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                #expect(text.hasPrefix("Madrid<|im_end|>"), "\(raw.text)")

                // … and a chat completion stops before it.
                let body = #"{"model":"gemma3-270m","max_tokens":16,"temperature":0,"messages":[\#(json)]}"#
                let chat = try await client.post("/v1/chat/completions", json: body)
                #expect(chat.status == .ok, "\(chat.text)")
                let choice = (chat.json["choices"] as? [[String: Any]])?.first
                #expect((choice?["message"] as? [String: Any])?["content"] as? String == "Madrid", "\(chat.text)")
                #expect(choice?["finish_reason"] as? String == "stop")

                let stream = try await client.post("/v1/chat/completions", json: String(body.dropLast()) + #","stream":true}"#)
                let chunks = stream.events.dropLast().map(jsonObject)
                let deltas = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }
                #expect(deltas.joined() == "Madrid", "\(stream.text)")
                #expect(chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String } == ["stop"])

                // A client's own stop strings are kept alongside.
                let own = try await client.post("/v1/chat/completions", json: String(body.dropLast()) + #","stop":["rid"]}"#)
                #expect(((own.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String == "Mad")
            }
        }
    }
}
