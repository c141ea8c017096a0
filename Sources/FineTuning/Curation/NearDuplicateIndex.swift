import Foundation

/// Finds near-duplicates among MinHash signatures without comparing every pair: locality-sensitive hashing
/// splits each 128-value signature into `bands` bands of `rows` values; two signatures become a candidate pair
/// when some band is identical, and a candidate is confirmed when its estimated Jaccard similarity is at least
/// the threshold. The band size is chosen so that a pair exactly at the threshold becomes a candidate with
/// probability ≥ 0.9. Memory per entry: the signature (512 bytes) plus one bucket link per band.
public struct NearDuplicateIndex: Sendable {
    public let threshold: Double
    public let bands: Int
    public let rows: Int
    /// At most this many candidates are confirmed per band and lookup (bounds the cost on pathological buckets).
    public var maxCandidatesPerBand = 256
    private var signatures: [UInt32] = []
    private var heads: [UInt64: Int32] = [:]
    private var next: [Int32] = []
    public private(set) var count = 0

    public init(threshold: Double = 0.8) {
        self.threshold = min(max(threshold, 0), 1)
        var chosen = 1
        for r in [32, 16, 8, 4, 2, 1] {
            let b = MinHash.functionCount / r
            let probability = 1 - pow(1 - pow(self.threshold, Double(r)), Double(b))
            if probability >= 0.9 { chosen = r; break }
        }
        rows = chosen
        bands = MinHash.functionCount / chosen
    }

    private func bandKey(_ values: UnsafeBufferPointer<UInt32>, band: Int) -> UInt64 {
        var h = StableHash.mix(UInt64(band) &+ 0x51_7CC1_B727_220A)
        for i in (band * rows)..<((band + 1) * rows) { h = StableHash.mix(h ^ UInt64(values[i])) }
        return h
    }

    /// The index of an earlier entry at least `threshold` similar to `signature`, or nil.
    public func match(_ signature: MinHash.Signature) -> Int? {
        guard count > 0 else { return nil }
        return signature.values.withUnsafeBufferPointer { values -> Int? in
            signatures.withUnsafeBufferPointer { all -> Int? in
                let needed = Int((threshold * Double(MinHash.functionCount)).rounded(.up))
                for band in 0..<bands {
                    guard var candidate = heads[bandKey(values, band: band)] else { continue }
                    var checked = 0
                    while candidate >= 0, checked < maxCandidatesPerBand {
                        let base = Int(candidate) * MinHash.functionCount
                        var equal = 0
                        for i in 0..<MinHash.functionCount where all[base + i] == values[i] { equal += 1 }
                        if equal >= needed { return Int(candidate) }
                        candidate = next[Int(candidate) * bands + band]
                        checked += 1
                    }
                }
                return nil
            }
        }
    }

    /// Adds `signature` and returns its index.
    @discardableResult
    public mutating func insert(_ signature: MinHash.Signature) -> Int {
        let id = count
        signatures.append(contentsOf: signature.values)
        let keys = signature.values.withUnsafeBufferPointer { values in (0..<bands).map { bandKey(values, band: $0) } }
        for key in keys {
            next.append(heads[key] ?? -1)
            heads[key] = Int32(id)
        }
        count += 1
        return id
    }

    /// Inserts `signature` unless it near-duplicates an earlier entry; returns that entry's index when it does.
    public mutating func insertUnlessDuplicate(_ signature: MinHash.Signature) -> Int? {
        if let earlier = match(signature) { return earlier }
        insert(signature)
        return nil
    }
}
