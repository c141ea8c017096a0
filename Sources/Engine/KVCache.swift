#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keys and values of one sequence for every layer, in F32.
///
/// Layout per layer: `capacity` rows of `kvHeadCount × headDim` floats, so one position's heads are
/// contiguous and attention walks positions with a fixed stride.
///
/// The storage is one anonymous memory mapping: pages are given on first touch (a cache sized for the whole context
/// costs only what is written) and all returned to the system when the cache goes. Caches are large and come and go
/// with requests (and the prefix cache keeps some a while); in the allocator's heap they would fragment it and the
/// process would keep growing.
public final class KVCache: @unchecked Sendable {
    public let capacity: Int
    public let layerCount: Int
    let keyWidth: Int
    let valueWidth: Int
    private let keys: UnsafeMutablePointer<Float>
    private let values: UnsafeMutablePointer<Float>
    private let mappedBytes: Int
    /// Number of positions holding valid entries; the next token goes at `count`.
    public internal(set) var count: Int = 0

    init(configuration c: ModelConfiguration, capacity: Int) {
        self.capacity = capacity
        self.layerCount = c.layerCount
        self.keyWidth = c.keyWidth
        self.valueWidth = c.valueWidth
        let keyFloats = c.layerCount * capacity * c.keyWidth
        let bytes = (keyFloats + c.layerCount * capacity * c.valueWidth) * MemoryLayout<Float>.size
        guard let region = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else {
            fatalError("cannot map \(bytes) bytes for a KV cache: out of memory")
        }
        mappedBytes = bytes
        keys = region.bindMemory(to: Float.self, capacity: bytes / MemoryLayout<Float>.size)
        values = keys + keyFloats
    }

    deinit {
        munmap(UnsafeMutableRawPointer(keys), mappedBytes)
    }

    /// Bytes held by this cache.
    public var byteCount: Int { layerCount * capacity * (keyWidth + valueWidth) * MemoryLayout<Float>.size }

    /// Forgets everything after `length` positions (for reusing a shared prefix).
    public func truncate(to length: Int) { count = max(0, min(count, length)) }

    /// Forgets the whole sequence.
    public func reset() { count = 0 }

    @inline(__always) func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * capacity * keyWidth }
    @inline(__always) func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * capacity * valueWidth }
}

extension KVCache {
    /// Copies the first `count` positions of `source`, a cache of the same model, into this one and makes them
    /// its whole content.
    func copyPrefix(of source: KVCache, count n: Int) {
        precondition(n <= capacity && n <= source.count && source.layerCount == layerCount
                     && source.keyWidth == keyWidth && source.valueWidth == valueWidth, "caches of different models")
        for layer in 0..<layerCount {
            keys(layer: layer).update(from: source.keys(layer: layer), count: n * keyWidth)
            values(layer: layer).update(from: source.values(layer: layer), count: n * valueWidth)
        }
        count = n
    }
}
