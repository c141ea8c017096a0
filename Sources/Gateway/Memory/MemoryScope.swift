import ModelStore

/// Whose memories these are: the SHA-256 (hex) of the API key that stored them. The key itself is never kept.
public struct MemoryScope: Sendable, Hashable, CustomStringConvertible {
    /// Lowercase hex SHA-256 of the key.
    public let hash: String

    /// The scope of `apiKey`.
    public init(apiKey: String) {
        hash = SHA256.hexDigest(of: Array(apiKey.utf8))
    }

    /// The scope of callers without a key (a server without `api_keys`, stdio without `--scope`): the key `default`.
    public static let anonymous = MemoryScope(apiKey: "default")

    /// The hash's first 12 digits (for logs; enough to tell scopes apart, never the key).
    public var description: String { String(hash.prefix(12)) }
}
