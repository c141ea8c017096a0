import Foundation
import ModelStore

/// What a key may do: `admin` manages models, adapters, experts, the cache and metrics and sees every tenant's
/// files and jobs; `user` may only infer (chat, completions, embeddings, MCP) and use its own files and jobs.
public enum APIKeyScope: String, Sendable, Codable, CaseIterable {
    case admin, user
}

/// One accepted API key, as configured (`api_keys:`) or from `$GROUPQWEN_API_KEYS`. Only the key's SHA-256 is
/// kept, so a configuration file can hold `key_sha256` instead of the key.
public struct APIKeyEntry: Sendable, Equatable {
    /// Shown in logs (never the key); defaults to the hash's first 8 digits.
    public var name: String
    /// Lowercase hex SHA-256 of the key.
    public var sha256: String
    public var scope: APIKeyScope
    /// Requests per minute (429 above); nil: unlimited.
    public var requestsPerMinute: Int?
    /// Prompt + completion tokens per minute (429 once used up); nil: unlimited.
    public var tokensPerMinute: Int?

    public init(sha256: String, name: String? = nil, scope: APIKeyScope = .admin, requestsPerMinute: Int? = nil,
                tokensPerMinute: Int? = nil) {
        self.sha256 = sha256.lowercased()
        self.name = name ?? "key-" + String(sha256.lowercased().prefix(8))
        self.scope = scope
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// An entry for the plain `key`.
    public init(key: String, name: String? = nil, scope: APIKeyScope = .admin, requestsPerMinute: Int? = nil,
                tokensPerMinute: Int? = nil) {
        self.init(sha256: Self.hash(key), name: name, scope: scope, requestsPerMinute: requestsPerMinute,
                  tokensPerMinute: tokensPerMinute)
    }

    /// Lowercase hex SHA-256 of `key`.
    public static func hash(_ key: String) -> String { SHA256.hexDigest(of: Array(key.utf8)) }

    /// Keys from `$GROUPQWEN_API_KEYS`: comma-separated `KEY[:SCOPE[:REQUESTS_PER_MINUTE[:TOKENS_PER_MINUTE]]]`
    /// (scope `admin` by default; an empty limit is none), e.g. `sk-ops:admin,sk-app:user:60:20000`.
    public static func parseEnvironment(_ value: String) throws(ServerConfigurationError) -> [APIKeyEntry] {
        func fail(_ message: String) -> ServerConfigurationError {
            .invalid(key: "GROUPQWEN_API_KEYS", message: message, line: nil)
        }
        var entries: [APIKeyEntry] = []
        for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 4, !parts[0].isEmpty else { throw fail("each entry is KEY[:SCOPE[:RPM[:TPM]]]") }
            var scope = APIKeyScope.admin
            if parts.count > 1, !parts[1].isEmpty {
                guard let s = APIKeyScope(rawValue: parts[1]) else { throw fail("scope '\(parts[1])' is not admin or user") }
                scope = s
            }
            func limit(_ i: Int) throws(ServerConfigurationError) -> Int? {
                guard parts.count > i, !parts[i].isEmpty else { return nil }
                guard let n = Int(parts[i]), n >= 1 else { throw fail("limit '\(parts[i])' is not a positive integer") }
                return n
            }
            entries.append(APIKeyEntry(key: parts[0], scope: scope, requestsPerMinute: try limit(2), tokensPerMinute: try limit(3)))
        }
        return entries
    }
}

extension APIKeyEntry: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, name, scope
        case keySHA256 = "key_sha256"
        case requestsPerMinute = "requests_per_minute"
        case tokensPerMinute = "tokens_per_minute"
    }

    /// A plain string (an admin key, as before scopes) or a mapping with `key` or `key_sha256`.
    public init(from decoder: any Decoder) throws {
        if let plain = try? decoder.singleValueContainer().decode(String.self) {
            guard !plain.isEmpty else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "empty API key"))
            }
            self.init(key: plain)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let key = try c.decodeIfPresent(String.self, forKey: .key)
        let hash = try c.decodeIfPresent(String.self, forKey: .keySHA256)
        let name = try c.decodeIfPresent(String.self, forKey: .name)
        let scope = try c.decodeIfPresent(APIKeyScope.self, forKey: .scope) ?? .user
        let rpm = try c.decodeIfPresent(Int.self, forKey: .requestsPerMinute)
        let tpm = try c.decodeIfPresent(Int.self, forKey: .tokensPerMinute)
        switch (key, hash) {
        case let (key?, nil) where !key.isEmpty:
            self.init(key: key, name: name, scope: scope, requestsPerMinute: rpm, tokensPerMinute: tpm)
        case let (nil, hash?) where hash.count == 64 && hash.allSatisfy(\.isHexDigit):
            self.init(sha256: hash, name: name, scope: scope, requestsPerMinute: rpm, tokensPerMinute: tpm)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "an API key needs exactly one of key or key_sha256 (64 hex digits)"))
        }
        for (value, key) in [(rpm, CodingKeys.requestsPerMinute), (tpm, .tokensPerMinute)] where (value ?? 1) < 1 {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be ≥ 1")
        }
    }
}

extension APIKeyEntry: ExpressibleByStringLiteral {
    /// An admin key given as its plain text (as `api_keys: [KEY]` does).
    public init(stringLiteral key: String) { self.init(key: key) }
}
