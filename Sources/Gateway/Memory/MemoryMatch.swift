/// A search result: an entry and its cosine similarity to the query.
public struct MemoryMatch: Sendable, Equatable {
    public let entry: MemoryEntry
    public let similarity: Float
}
