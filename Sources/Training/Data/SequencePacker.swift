/// Groups examples into sequences of at most `capacity` tokens: best-fit decreasing (longest first, each into
/// the fullest sequence that still has room), deterministic for a given list of lengths.
public enum SequencePacker {
    /// The indices of the examples in each packed sequence. Every length must be in `1...capacity`.
    /// Sequences come out in creation order; within a sequence, examples are longest first (ties by index).
    public static func pack(lengths: [Int], capacity: Int) -> [[Int]] {
        precondition(capacity > 0, "capacity must be positive")
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        var bins: [[Int]] = []
        // Bins by their free space, so the best fit is the first non-empty bucket at or above the length.
        var byFree = [[Int]](repeating: [], count: capacity + 1)
        for index in order {
            let length = lengths[index]
            precondition(length >= 1 && length <= capacity, "example length \(length) outside 1...\(capacity)")
            var chosen: Int?
            var free = length
            while free <= capacity {
                if let bin = byFree[free].popLast() {
                    chosen = bin
                    break
                }
                free += 1
            }
            let bin: Int
            if let chosen {
                bin = chosen
            } else {
                bin = bins.count
                bins.append([])
                free = capacity
            }
            bins[bin].append(index)
            byFree[free - length].append(bin)
        }
        return bins
    }
}
