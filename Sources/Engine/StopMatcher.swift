import Foundation

/// Finds stop strings in streamed text, holding back any tail that could still become one.
struct StopMatcher: Sendable {
    let stops: [String]
    private var pending = ""

    init(stops: [String]) { self.stops = stops }

    /// Feeds new text; returns what can be released now and whether a stop string was hit (in which
    /// case everything from the stop string on is dropped).
    mutating func feed(_ text: String) -> (release: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        pending += text
        var earliest: String.Index?
        for stop in stops {
            if let r = pending.range(of: stop), earliest.map({ r.lowerBound < $0 }) ?? true { earliest = r.lowerBound }
        }
        if let cut = earliest {
            let out = String(pending[..<cut])
            pending = ""
            return (out, true)
        }
        // Hold back the longest suffix that is a prefix of some stop string.
        var hold = 0
        for stop in stops {
            var n = min(stop.count, pending.count)
            while n > 0 {
                if pending.hasSuffix(stop.prefix(n)) { hold = max(hold, n); break }
                n -= 1
            }
        }
        let cut = pending.index(pending.endIndex, offsetBy: -hold)
        let out = String(pending[..<cut])
        pending = String(pending[cut...])
        return (out, false)
    }

    /// Whatever is still held back (at the end of a generation that hit no stop string).
    mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
