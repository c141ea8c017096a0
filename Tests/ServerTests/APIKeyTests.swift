import Foundation
import Testing
@testable import Server

/// API keys as configured and from the environment, and the sliding-minute quota.
@Suite struct APIKeyTests {
    @Test func plainStringsAreAdminKeysAndMappingsDefaultToUser() throws {
        let yaml = """
            api_keys:
              - sk-plain
              - {name: app, key: sk-app, requests_per_minute: 60}
              - {key_sha256: \(APIKeyEntry.hash("sk-hashed")), scope: admin, tokens_per_minute: 100}
            """
        let path = NSTemporaryDirectory() + "keys-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let keys = try ServerConfiguration.load(path: path).apiKeys
        #expect(keys.map(\.scope) == [.admin, .user, .admin])
        #expect(keys[0].sha256 == APIKeyEntry.hash("sk-plain"))
        #expect(keys[1].name == "app" && keys[1].requestsPerMinute == 60 && keys[1].tokensPerMinute == nil)
        #expect(keys[2].sha256 == APIKeyEntry.hash("sk-hashed") && keys[2].tokensPerMinute == 100)
        #expect(AuthMiddleware<ServerRequestContext>.entry(for: "sk-app", in: keys)?.name == "app")
        #expect(AuthMiddleware<ServerRequestContext>.entry(for: "sk-hashed", in: keys)?.scope == .admin)
        #expect(AuthMiddleware<ServerRequestContext>.entry(for: "sk-other", in: keys) == nil)
    }

    @Test func badEntriesAreErrorsNamingTheirLine() throws {
        for entry in ["{name: x}", "{key: a, key_sha256: \(APIKeyEntry.hash("a"))}", "{key_sha256: abc}", "{key: a, scope: root}",
                      "{key: a, requests_per_minute: 0}"] {
            let path = NSTemporaryDirectory() + "keys-\(UUID().uuidString).yaml"
            try "api_keys:\n  - \(entry)\n".write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: ServerConfigurationError.self, "\(entry)") { try ServerConfiguration.load(path: path) }
        }
    }

    @Test func environmentKeys() throws {
        let keys = try APIKeyEntry.parseEnvironment("sk-ops, sk-app:user:60:20000 ,sk-t:user::50")
        #expect(keys.map(\.scope) == [.admin, .user, .user])
        #expect(keys[1].requestsPerMinute == 60 && keys[1].tokensPerMinute == 20000)
        #expect(keys[2].requestsPerMinute == nil && keys[2].tokensPerMinute == 50)
        #expect(keys[0].sha256 == APIKeyEntry.hash("sk-ops"))
        for bad in ["sk:root", "sk:user:x", "sk:user:1:2:3", ":user"] {
            #expect(throws: ServerConfigurationError.self, "\(bad)") { try APIKeyEntry.parseEnvironment(bad) }
        }
    }

    @Test func requestQuotaSlidesOverAMinute() {
        let quota = KeyQuota(requestsPerMinute: 2, tokensPerMinute: nil)
        #expect(quota.admit(now: 100).admitted)
        #expect(quota.admit(now: 110).remainingRequests == 0)
        let refused = quota.admit(now: 120)
        #expect(!refused.admitted && abs(refused.requestsReset - 40) < 1e-9)
        #expect(quota.admit(now: 160.5).admitted)   // the request at 100 has left the window
    }

    @Test func tokenQuotaRefusesOnceUsedUpAndSaysWhenItFrees() {
        let quota = KeyQuota(requestsPerMinute: nil, tokensPerMinute: 100)
        #expect(quota.admit(now: 0).admitted)
        quota.charge(tokens: 70, now: 1)
        #expect(quota.admit(now: 2).remainingTokens == 30)
        quota.charge(tokens: 40, now: 3)
        let refused = quota.admit(now: 4)
        #expect(!refused.admitted && refused.remainingTokens == 0)
        #expect(abs(refused.tokensReset - 57) < 1e-9)   // at 61 the 70 tokens of t=1 leave: 40 < 100
        #expect(quota.admit(now: 61.5).admitted)
    }

    @Test func resetDurationsReadLikeOpenAIs() {
        #expect(AuthMiddleware<ServerRequestContext>.duration(0.25) == "250ms")
        #expect(AuthMiddleware<ServerRequestContext>.duration(6.2) == "7s")
        #expect(AuthMiddleware<ServerRequestContext>.duration(360) == "6m0s")
    }

    @Test func adminRoutes() {
        typealias Auth = AuthMiddleware<ServerRequestContext>
        #expect(Auth.requiresAdmin(.post, "/v1/models/x/load"))
        #expect(Auth.requiresAdmin(.delete, "/v1/cache"))
        #expect(Auth.requiresAdmin(.get, "/metrics"))
        #expect(!Auth.requiresAdmin(.post, "/v1/chat/completions"))
        #expect(!Auth.requiresAdmin(.get, "/v1/models"))
        #expect(!Auth.requiresAdmin(.post, "/v1/files"))
        #expect(!Auth.requiresAdmin(.post, "/v1/fine_tuning/jobs"))
    }
}
