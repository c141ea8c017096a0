extension StringProtocol {
    /// The text without leading and trailing white space (the Unicode White_Space characters: the same set as
    /// Foundation's `.whitespacesAndNewlines`), without bridging to `NSString`: most texts need no trimming
    /// and are returned as they are.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !first.properties.isWhitespace, !last.properties.isWhitespace { return String(self) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(self[start..<end])
    }
}
