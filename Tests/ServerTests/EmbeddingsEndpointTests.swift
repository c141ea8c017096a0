import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    @Suite("Embeddings endpoint")
    struct EmbeddingsEndpointTests {
        static func vector(_ item: [String: Any]) -> [Double] { item["embedding"] as? [Double] ?? [] }

        static func cosine(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        }

        @Test("float and base64 embeddings in OpenAI's shape; paraphrases are closer than unrelated texts")
        func shapes() async throws {
            try await TestServer.app().test(.router) { client in
                let texts = ["What is the capital of France?", "Which city is France's capital?", "How do I bake sourdough bread?"]
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["model": "minilm-l6-v2", "input": texts]), as: UTF8.self)
                let response = try await client.post("/v1/embeddings", json: body)
                #expect(response.status == .ok, "\(response.text)")
                let json = response.json
                #expect(json["object"] as? String == "list")
                #expect(json["model"] as? String == "minilm-l6-v2")
                let data = try #require(json["data"] as? [[String: Any]])
                #expect(data.map { $0["index"] as? Int } == [0, 1, 2])
                #expect(data.allSatisfy { $0["object"] as? String == "embedding" && Self.vector($0).count == 384 })
                let v = data.map(Self.vector)
                #expect(Self.cosine(v[0], v[1]) > 0.8)
                #expect(Self.cosine(v[0], v[2]) < 0.3)
                let usage = try #require(json["usage"] as? [String: Int])
                #expect(usage["prompt_tokens"] == 9 + 10 + 12 && usage["total_tokens"] == usage["prompt_tokens"])

                let b64 = try await client.post("/v1/embeddings", json: #"{"input":"What is the capital of France?","encoding_format":"base64"}"#)
                let item = try #require((b64.json["data"] as? [[String: Any]])?.first)
                let bytes = try #require(Data(base64Encoded: item["embedding"] as? String ?? ""))
                #expect(bytes.count == 384 * 4)
                let floats: [Double] = bytes.withUnsafeBytes { raw in raw.bindMemory(to: Float.self).map { Double($0) } }
                #expect(zip(floats, v[0]).allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }

        @Test("bad embedding requests get 400/404 naming the parameter; the model is listed")
        func errors() async throws {
            try await TestServer.app().test(.router) { client in
                let cases: [(String, String)] = [
                    (#"{"input":[]}"#, "input"),
                    (#"{"input":[1,2,3]}"#, "input"),
                    (#"{"input":[[1,2],[3]]}"#, "input"),
                    (#"{"input":42}"#, "input"),
                    (#"{"model":"minilm-l6-v2"}"#, "input"),
                    (#"{"input":"x","dimensions":128}"#, "dimensions"),
                    (#"{"input":"x","encoding_format":"int8"}"#, "encoding_format"),
                ]
                for (body, param) in cases {
                    _ = try await client.post("/v1/embeddings", json: body).expectError(.badRequest, param: param)
                }
                _ = try await client.post("/v1/embeddings", json: #"{"model":"text-embedding-3-small","input":"x"}"#)
                    .expectError(.notFound, param: "model", code: "model_not_found")
                let models = try await client.execute(uri: "/v1/models", method: .get).json["data"] as? [[String: Any]] ?? []
                let entry = try #require(models.first { $0["id"] as? String == "minilm-l6-v2" })
                #expect(entry["labels"] as? [String] == ["embedding"])
            }
        }
    }
}
