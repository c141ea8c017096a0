import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    @Suite("Metrics")
    struct MetricsEndpointTests {
        @Test("GET /metrics exposes request, token and model series; other methods are 405")
        func scrape() async throws {
            try await TestServer.app().test(.router) { client in
                #expect(try await client.post("/v1/chat/completions", json: chatBody()).status == .ok)
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = response.text
                for series in [
                    #"groupqwen_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 1"#,
                    #"groupqwen_completions_total{endpoint="chat",model="smollm2-135m",tier="1",status="ok",adapter="none"} 1"#,
                    #"groupqwen_model_loaded{model="smollm2-135m"} 1.0"#,
                    #"groupqwen_queue_depth{model="smollm2-135m"} 0.0"#,
                    "# TYPE groupqwen_completion_duration_seconds histogram",
                ] {
                    #expect(text.contains(series), "missing \(series) in:\n\(text)")
                }
                #expect(!text.contains("Name three colors"))   // never request contents
                _ = try await client.execute(uri: "/metrics", method: .post).expectError(.methodNotAllowed)
            }
        }
    }
}
