import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    @Suite("Chat completions")
    struct ChatCompletionsTests {
        @Test("non-streamed response has the OpenAI shape and consistent usage")
        func nonStreamShape() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: chatBody())
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.headers[.contentType] == "application/json")
                let json = response.json
                #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
                #expect(json["object"] as? String == "chat.completion")
                #expect(json["model"] as? String == "smollm2-135m")
                #expect(json["created"] is Int)
                #expect(json["system_fingerprint"] is String)
                let choices = try #require(json["choices"] as? [[String: Any]])
                #expect(choices.count == 1)
                let choice = choices[0]
                #expect(choice["index"] as? Int == 0)
                let message = try #require(choice["message"] as? [String: Any])
                #expect(message["role"] as? String == "assistant")
                #expect(!((message["content"] as? String) ?? "").isEmpty)
                #expect(choice["logprobs"] is NSNull)
                #expect(["stop", "length"].contains(choice["finish_reason"] as? String ?? ""))
                let usage = try #require((json["usage"] as? [String: Any])?.compactMapValues { $0 as? Int })
                #expect(usage["prompt_tokens"]! > 5)
                #expect((1...8).contains(usage["completion_tokens"]!))
                #expect(usage["total_tokens"] == usage["prompt_tokens"]! + usage["completion_tokens"]!)
            }
        }

        @Test("content parts are joined; null content is accepted")
        func contentParts() async throws {
            try await TestServer.app().test(.router) { client in
                let body = #"{"model":"smollm2-135m","max_tokens":2,"temperature":0,"messages":[{"role":"system","content":null},{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]}]}"#
                let response = try await client.post("/v1/chat/completions", json: body)
                #expect(response.status == .ok, "\(response.text)")
            }
        }

        @Test("streaming sends role, content deltas, finish, then [DONE], in order")
        func streamOrder() async throws {
            let whole = try await TestServer.app().test(.router) { client in
                try await client.post("/v1/chat/completions", json: chatBody()).json
            }
            let expected = (((whole["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String) ?? "?"
            try await TestServer.app().test(.live) { client in
                let response = try await client.post("/v1/chat/completions", json: chatBody(extra: #","stream":true"#))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                #expect(response.headers[.cacheControl] == "no-cache")
                let events = response.events
                #expect(events.last == "[DONE]")
                let chunks = events.dropLast().map(jsonObject)
                #expect(chunks.count >= 3)
                for chunk in chunks {
                    #expect(chunk["object"] as? String == "chat.completion.chunk")
                    #expect((chunk["id"] as? String)?.hasPrefix("chatcmpl-") == true)
                    #expect(chunk["usage"] == nil)
                }
                let choices = chunks.map { ($0["choices"] as? [[String: Any]])?.first ?? [:] }
                let first = choices[0]["delta"] as? [String: Any]
                #expect(first?["role"] as? String == "assistant")
                #expect(first?["content"] as? String == "")
                let last = choices[choices.count - 1]
                #expect((last["delta"] as? [String: Any])?.isEmpty == true)
                #expect(["stop", "length"].contains(last["finish_reason"] as? String ?? ""))
                var text = ""
                for choice in choices.dropFirst().dropLast() {
                    #expect(choice["finish_reason"] is NSNull)
                    let piece = (choice["delta"] as? [String: Any])?["content"] as? String
                    #expect(piece?.isEmpty == false)
                    text += piece ?? ""
                }
                #expect(text == expected, "streamed text equals the non-streamed greedy text")
            }
        }

        @Test("include_usage adds a final chunk with empty choices and usage")
        func streamUsage() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.post(
                    "/v1/chat/completions", json: chatBody(extra: #","stream":true,"stream_options":{"include_usage":true}"#))
                let events = response.events
                #expect(events.last == "[DONE]")
                let chunks = events.dropLast().map(jsonObject)
                let final = try #require(chunks.last)
                #expect((final["choices"] as? [Any])?.isEmpty == true)
                let usage = try #require((final["usage"] as? [String: Any])?.compactMapValues { $0 as? Int })
                #expect(usage["total_tokens"] == usage["prompt_tokens"]! + usage["completion_tokens"]!)
                #expect((1...8).contains(usage["completion_tokens"]!))
                for chunk in chunks.dropLast() { #expect(chunk["usage"] is NSNull) }
            }
        }

        @Test("a stop sequence ends the text before it")
        func stopSequence() async throws {
            try await TestServer.app().test(.router) { client in
                let body = chatBody("Count from 1 to 10, separated by commas.", extra: "").replacingOccurrences(of: #""max_tokens":8"#, with: #""max_tokens":24"#)
                let free = try await client.post("/v1/chat/completions", json: body).json
                let text = try #require(((free["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
                // Stop at the third character onwards of the free-running text.
                let chars = Array(text)
                try #require(chars.count >= 6, "model output too short: \(text)")
                let stop = String(chars[3..<5])
                let prefix = text.components(separatedBy: stop)[0]
                let stopped = try await client.post("/v1/chat/completions",
                                                    json: body.dropLast() + #","stop":[\#(String(decoding: try JSONEncoder().encode(stop), as: UTF8.self))]}"#).json
                let choice = try #require((stopped["choices"] as? [[String: Any]])?.first)
                #expect((choice["message"] as? [String: Any])?["content"] as? String == prefix)
                #expect(choice["finish_reason"] as? String == "stop")
            }
        }

        @Test("logprobs report each token with top_logprobs alternatives")
        func logprobs() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: chatBody(extra: #","logprobs":true,"top_logprobs":3"#))
                let choice = try #require((response.json["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
                #expect(!content.isEmpty)
                var joined = ""
                for entry in content {
                    let token = try #require(entry["token"] as? String)
                    joined += token
                    #expect((entry["logprob"] as? Double ?? 1) <= 0)
                    #expect(entry["bytes"] is [Int])
                    let top = try #require(entry["top_logprobs"] as? [[String: Any]])
                    #expect(top.count == 3)
                    #expect(top.allSatisfy { $0["token"] is String && $0["logprob"] is Double && $0["bytes"] is [Int] })
                }
                let text = (choice["message"] as? [String: Any])?["content"] as? String ?? ""
                #expect(joined.hasPrefix(text) || text.hasPrefix(joined.trimmingCharacters(in: .whitespaces)) || joined.contains(text))
            }
        }

        @Test("json_object and strict json_schema content parses and fits, streamed or not (constrained decoding)")
        func jsonObjectMode() async throws {
            let schema = #"{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":1,"maximum":99}},"required":["name","age"],"additionalProperties":false}"#
            let formats = [#"{"type":"json_object"}"#, #"{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":\#(schema)}}"#]
            try await TestServer.app().test(.router) { client in
                for (stream, format) in [(false, formats[0]), (true, formats[0]), (false, formats[1]), (true, formats[1])] {
                    let body = #"{"model":"smollm2-135m","max_tokens":200,"temperature":0,"stream":\#(stream),"response_format":\#(format),"messages":[{"role":"user","content":"Give the name and age of a fictional person."}]}"#
                    let response = try await client.post("/v1/chat/completions", json: body)
                    #expect(response.status == .ok, "\(response.text)")
                    let content: String
                    if stream {
                        content = response.events.dropLast().map(jsonObject).compactMap {
                            (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                        }.joined()
                    } else {
                        content = try #require(((response.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
                    }
                    let parsed = try JSONSerialization.jsonObject(with: Data(content.utf8))
                    #expect(parsed is [String: Any], "content: \(content)")
                    if format == formats[1], let object = parsed as? [String: Any] {
                        #expect(Set(object.keys) == ["name", "age"])
                        #expect((object["name"] as? String).map { $0.count <= 12 } == true)
                        #expect((object["age"] as? Int).map { (1...99).contains($0) } == true)
                    }
                }
            }
        }

        @Test("A strict schema with a keyword the decoder cannot enforce is a 400 naming it")
        func unsupportedSchemaKeyword() async throws {
            try await TestServer.app().test(.router) { client in
                let body = #"{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"z","strict":true,"schema":{"type":"object","properties":{"zip":{"type":"string","pattern":"^[0-9]+$"}}}}}}"#
                let error = try await client.post("/v1/chat/completions", json: body)
                    .expectError(.badRequest, param: "response_format.json_schema.schema", code: "unsupported_schema")
                #expect((error["message"] as? String)?.contains("'pattern' (at /properties/zip)") == true)
            }
        }

        @Test("n = 2 gives two choices")
        func twoChoices() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions",
                                                     json: chatBody(extra: #","n":2,"seed":7"#).replacingOccurrences(of: #""temperature":0"#, with: #""temperature":0.8"#))
                let choices = try #require(response.json["choices"] as? [[String: Any]], "\(response.text)")
                #expect(choices.map { $0["index"] as? Int } == [0, 1])
                #expect(choices.allSatisfy { ($0["message"] as? [String: Any])?["content"] is String })
                let usage = try #require((response.json["usage"] as? [String: Any])?.compactMapValues { $0 as? Int })
                #expect(usage["completion_tokens"]! >= 2)
            }
        }

        @Test("n = 2 streams both choices, each with its own finish chunk")
        func twoChoicesStreamed() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: chatBody(extra: #","n":2,"stream":true"#))
                let chunks = response.events.dropLast().map(jsonObject)
                let finishes = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
                    .filter { $0["finish_reason"] is String }.compactMap { $0["index"] as? Int }
                #expect(finishes.sorted() == [0, 1])
            }
        }
    }
}
