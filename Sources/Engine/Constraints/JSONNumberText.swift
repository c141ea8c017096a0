import Foundation

/// JSON number syntax (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`) and range feasibility for a
/// number's text as it is written, byte by byte.
enum JSONNumberText {
    private enum State { case start, minus, zero, integer, dot, fraction, e, exponentSign, exponent, invalid }

    private static func state(_ text: [UInt8], integer: Bool) -> State {
        var s = State.start
        for b in text {
            let digit = b >= 0x30 && b <= 0x39
            switch (s, b) {
            case (.start, UInt8(ascii: "-")): s = .minus
            case (.start, UInt8(ascii: "0")), (.minus, UInt8(ascii: "0")): s = .zero
            case (.start, _) where digit, (.minus, _) where digit: s = .integer
            case (.integer, _) where digit: s = .integer
            case (.zero, UInt8(ascii: ".")), (.integer, UInt8(ascii: ".")): s = integer ? .invalid : .dot
            case (.dot, _) where digit, (.fraction, _) where digit: s = .fraction
            case (.zero, UInt8(ascii: "e")), (.zero, UInt8(ascii: "E")), (.integer, UInt8(ascii: "e")), (.integer, UInt8(ascii: "E")),
                 (.fraction, UInt8(ascii: "e")), (.fraction, UInt8(ascii: "E")):
                s = integer ? .invalid : .e
            case (.e, UInt8(ascii: "+")), (.e, UInt8(ascii: "-")): s = .exponentSign
            case (.e, _) where digit, (.exponentSign, _) where digit, (.exponent, _) where digit: s = .exponent
            default: return .invalid
            }
        }
        return s
    }

    /// Whether `text` can be continued into a valid number (of the integer type when `integer`).
    static func isPrefix(_ text: [UInt8], integer: Bool) -> Bool {
        // An exponent makes ranges hard to enforce byte by byte and models rarely need one; cap its digits.
        let s = state(text, integer: integer)
        if s == .exponent, let e = text.lastIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }), text.count - e > 4 {
            return false
        }
        return s != .invalid && text.count <= 40
    }

    /// The value of `text` when it is a complete number, else nil.
    static func value(_ text: [UInt8], integer: Bool) -> Double? {
        switch state(text, integer: integer) {
        case .zero, .integer, .fraction, .exponent: return Double(String(decoding: text, as: UTF8.self))
        default: return nil
        }
    }

    /// Whether some completion of `text` lies within `bounds` (always true without bounds). Exact for the
    /// intervals a prefix can reach, so an accepted prefix never leads to a dead end.
    static func feasible(_ text: [UInt8], _ bounds: JSONSchemaGrammar.NumberBounds) -> Bool {
        guard bounds.minimum != nil || bounds.maximum != nil else { return true }
        // With an exponent any magnitude is reachable: leave it to the final check.
        if text.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) { return true }
        let negative = text.first == UInt8(ascii: "-")
        let body = negative ? Array(text.dropFirst()) : text
        let integer = bounds.integer
        // Reachable magnitudes as intervals from `a` (closed) to `b` (open for fractions, closed for integers).
        var intervals: [(a: Double, b: Double)] = []
        if body.isEmpty {
            intervals = [(0, .infinity)]
        } else if let dot = body.firstIndex(of: UInt8(ascii: ".")) {
            let digits = body[(dot + 1)...]
            let m = Double(String(decoding: body, as: UTF8.self) + (digits.isEmpty ? "0" : "")) ?? 0
            intervals = [(m, m + pow(10, -Double(digits.count)))]
        } else if body == [UInt8(ascii: "0")] {
            intervals = [(0, integer ? 0 : 1)]   // 0, or 0.xxx
        } else {
            // d, d·10 + x, d·100 + xx, …: one interval per length (a fraction fills each up to the next integer).
            let d = Double(String(decoding: body, as: UTF8.self)) ?? 0
            var scale = 1.0
            for _ in 0..<18 {
                intervals.append((d * scale, integer ? (d + 1) * scale - 1 : (d + 1) * scale))
                scale *= 10
            }
            intervals.append((d * scale, .infinity))
        }
        let lo = bounds.minimum ?? -.infinity, hi = bounds.maximum ?? .infinity
        return intervals.contains { a, b in
            // The value's interval: [a, b) (or [a, b] for integers), mirrored for a negative number.
            let (x, y, xOpen, yOpen) = negative ? (-b, -a, !integer, false) : (a, b, false, !integer)
            let aboveLow = (yOpen || bounds.exclusiveMinimum) ? y > lo : y >= lo
            let belowHigh = (xOpen || bounds.exclusiveMaximum) ? x < hi : x <= hi
            return aboveLow && belowHigh
        }
    }
}
