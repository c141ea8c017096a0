/// Keys and values of earlier sequences, kept so that a new prompt sharing a prefix with one of them
/// computes only the rest (a repeated system prompt, a conversation continued turn by turn).
///
/// Entries are indexed as vLLM indexes its blocks: the prompt is cut into blocks of `blockSize` tokens
/// and each block gets a hash chained over every block before it and the adapters applied, so one hash
/// names a whole prefix. A lookup walks the new prompt's chain while some entry holds the block, then
/// compares tokens to find the exact shared length (a hash collision only shortens the match).
/// Entries hold a compact copy of the cache (no room beyond their tokens); the least recently used are
/// dropped to keep the total within `budgetBytes`. An entry that is a prefix of a newer one is
/// dropped when the newer one is stored.
///
/// Not thread-safe: the `BatchScheduler`'s model thread owns it.
final class PrefixCache {
    /// One kept sequence: its tokens (those whose keys and values the cache holds) and what applied to them.
    final class Entry {
        let tokens: [Int32]
        let adapters: AdapterMix
        let cache: KVCache
        fileprivate let chain: [Int]
        fileprivate var lastUse: UInt64

        fileprivate init(tokens: [Int32], adapters: AdapterMix, cache: KVCache, chain: [Int], lastUse: UInt64) {
            self.tokens = tokens
            self.adapters = adapters
            self.cache = cache
            self.chain = chain
            self.lastUse = lastUse
        }
    }

    /// Tokens per indexed block; prefixes shorter than one block are not worth keeping.
    static let blockSize = 16

    let budgetBytes: Int
    /// Bytes of every entry's cache.
    private(set) var byteCount = 0
    private var entries: [ObjectIdentifier: Entry] = [:]
    /// Chained block hash → the entries holding that prefix.
    private var index: [Int: [Entry]] = [:]
    private var clock: UInt64 = 0

    init(budgetBytes: Int) { self.budgetBytes = max(0, budgetBytes) }

    var entryCount: Int { entries.count }

    /// The kept entry sharing the longest prefix with `tokens` under `adapters`, and that length
    /// (at most `limit`), or `nil` when none shares a whole block. Marks the entry used.
    func longestPrefix(of tokens: [Int32], adapters: AdapterMix, limit: Int) -> (entry: Entry, length: Int)? {
        guard !entries.isEmpty, limit >= Self.blockSize else { return nil }
        var best: Entry?
        for (block, hash) in Self.chain(tokens, adapters: adapters).enumerated() {
            // The most recently used entry holding this block; the exact length is checked below.
            let end = (block + 1) * Self.blockSize
            guard let holder = index[hash]?.filter({ $0.adapters == adapters && $0.tokens.count >= end })
                .max(by: { $0.lastUse < $1.lastUse }) else { break }
            best = holder
        }
        guard let best else { return nil }
        // Extend past the last whole block token by token (and catch a hash collision).
        let length = min(limit, Self.sharedLength(best.tokens, tokens, upTo: min(best.tokens.count, tokens.count)))
        guard length >= Self.blockSize else { return nil }
        clock += 1
        best.lastUse = clock
        return (best, length)
    }

    /// Keeps the first `tokens.count` positions of `cache` for later prompts. Copies them unless the cache
    /// has little spare room (it is then kept as it is: the caller must not use it again). Skips prefixes
    /// shorter than a block, ones an entry already holds, and ones larger than the whole budget.
    func store(tokens: [Int32], adapters: AdapterMix, cache: KVCache, model: LanguageModel) {
        guard tokens.count >= Self.blockSize, tokens.count <= cache.count else { return }
        let chain = Self.chain(tokens, adapters: adapters)
        // Drop entries this one extends; skip storing when an entry already holds all of it.
        var covered: [Entry] = []
        for (block, hash) in chain.enumerated() {
            for holder in index[hash] ?? [] where holder.adapters == adapters {
                let end = (block + 1) * Self.blockSize
                let shared = Self.sharedLength(holder.tokens, tokens, upTo: min(holder.tokens.count, tokens.count))
                if shared == tokens.count {
                    clock += 1
                    holder.lastUse = clock
                    return
                }
                if shared == holder.tokens.count && shared >= end { covered.append(holder) }
            }
        }
        let spare = cache.capacity - tokens.count
        let kept: KVCache
        if spare <= max(64, tokens.count / 4) {
            cache.truncate(to: tokens.count)
            kept = cache
        } else {
            kept = model.makeCache(capacity: tokens.count)
            kept.copyPrefix(of: cache, count: tokens.count)
        }
        guard kept.byteCount <= budgetBytes else { return }
        for holder in covered { remove(holder) }
        while byteCount + kept.byteCount > budgetBytes, let oldest = entries.values.min(by: { $0.lastUse < $1.lastUse }) {
            remove(oldest)
        }
        clock += 1
        let entry = Entry(tokens: tokens, adapters: adapters, cache: kept, chain: chain, lastUse: clock)
        entries[ObjectIdentifier(entry)] = entry
        for hash in chain { index[hash, default: []].append(entry) }
        byteCount += kept.byteCount
    }

    /// Forgets every entry.
    func removeAll() {
        entries.removeAll()
        index.removeAll()
        byteCount = 0
    }

    private func remove(_ entry: Entry) {
        guard entries.removeValue(forKey: ObjectIdentifier(entry)) != nil else { return }
        for hash in entry.chain {
            index[hash]?.removeAll { $0 === entry }
            if index[hash]?.isEmpty == true { index[hash] = nil }
        }
        byteCount -= entry.cache.byteCount
    }

    /// One hash per whole block of `tokens`, each over the adapters, the previous block's hash and the block.
    private static func chain(_ tokens: [Int32], adapters: AdapterMix) -> [Int] {
        var hashes: [Int] = []
        hashes.reserveCapacity(tokens.count / blockSize)
        var previous = adapters.hashValue
        var start = 0
        while start + blockSize <= tokens.count {
            var hasher = Hasher()
            hasher.combine(previous)
            for token in tokens[start..<(start + blockSize)] { hasher.combine(token) }
            previous = hasher.finalize()
            hashes.append(previous)
            start += blockSize
        }
        return hashes
    }

    /// Length of the common prefix of `a` and `b`, looking at no more than `upTo` tokens.
    private static func sharedLength(_ a: [Int32], _ b: [Int32], upTo: Int) -> Int {
        let end = min(upTo, a.count, b.count)
        var i = 0
        while i < end && a[i] == b[i] { i += 1 }
        return i
    }
}
