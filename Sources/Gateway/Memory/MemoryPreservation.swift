/// How long a memory is kept: `ephemeral` (an hour by default), `session` (a day), `permanent` (until deleted).
/// The lifetimes are set per level by `MemoryRetention` (the server's `mcp:` section).
public enum MemoryPreservation: String, Sendable, Codable, CaseIterable {
    case ephemeral
    case session
    case permanent
}
