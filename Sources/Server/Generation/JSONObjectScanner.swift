/// Follows text character by character and notices when the first top-level JSON object
/// (`{` … matching `}`, strings and escapes respected) is complete.
struct JSONObjectScanner: Sendable {
    private var depth = 0
    private var started = false
    private var inString = false
    private var escaped = false
    /// True once the first object has closed.
    private(set) var isComplete = false

    mutating func feed(_ text: String) {
        for ch in text.unicodeScalars {
            if isComplete { return }
            if !started {
                if ch == "{" { started = true; depth = 1 }
                continue
            }
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            switch ch {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { isComplete = true }
            default: break
            }
        }
    }
}
