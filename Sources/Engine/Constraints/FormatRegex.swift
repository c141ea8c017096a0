/// A small regular-expression compiler for ``StringFormat``: ASCII literals (`\` escapes the next character),
/// classes `[a-z0-9\-]` and `[^…]` (negated within printable ASCII), groups, `|`, and the quantifiers `?`, `*`, `+`,
/// `{n}`, `{n,m}`. The expression is parsed into a Thompson NFA and made deterministic by subset construction; the
/// whole text must match (no anchors needed).
enum FormatRegex {
    struct Automaton {
        /// `state * 128 + byte` → next state or -1; state 0 is the start.
        var transitions: [Int32]
        var accepting: [Bool]
    }

    struct SyntaxError: Error { let message: String }

    /// NFA fragment: states are indices; `edges[s]` are (byte set, target), `epsilon[s]` ε-targets.
    private struct NFA {
        var edges: [[(set: [Bool], target: Int)]] = []
        var epsilon: [[Int]] = []

        mutating func state() -> Int {
            edges.append([])
            epsilon.append([])
            return edges.count - 1
        }
    }

    private struct Fragment { var start: Int; var end: Int }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var nfa = NFA()

        init(_ pattern: String) { bytes = Array(pattern.utf8) }

        var atEnd: Bool { i >= bytes.count }
        func peek() -> UInt8? { atEnd ? nil : bytes[i] }

        mutating func alternation() throws(SyntaxError) -> Fragment {
            var branches = [try sequence()]
            while peek() == UInt8(ascii: "|") {
                i += 1
                branches.append(try sequence())
            }
            guard branches.count > 1 else { return branches[0] }
            let start = nfa.state(), end = nfa.state()
            for b in branches {
                nfa.epsilon[start].append(b.start)
                nfa.epsilon[b.end].append(end)
            }
            return Fragment(start: start, end: end)
        }

        mutating func sequence() throws(SyntaxError) -> Fragment {
            let start = nfa.state()
            var end = start
            while let c = peek(), c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                let atomStart = i
                var piece = try atom()
                let atomEnd = i
                piece = try quantified(piece, source: Array(bytes[atomStart..<atomEnd]))
                nfa.epsilon[end].append(piece.start)
                end = piece.end
            }
            return Fragment(start: start, end: end)
        }

        /// Applies a quantifier after an atom; `{n,m}` repeats copies of the atom re-parsed from `source`.
        mutating func quantified(_ atom: Fragment, source: [UInt8]) throws(SyntaxError) -> Fragment {
            guard let c = peek() else { return atom }
            switch c {
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"):
                i += 1
                let start = nfa.state(), end = nfa.state()
                nfa.epsilon[start].append(atom.start)
                nfa.epsilon[atom.end].append(end)
                if c != UInt8(ascii: "+") { nfa.epsilon[start].append(end) }
                if c != UInt8(ascii: "?") { nfa.epsilon[atom.end].append(atom.start) }
                return Fragment(start: start, end: end)
            case UInt8(ascii: "{"):
                i += 1
                let low = number()
                var high = low
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    high = number()
                }
                guard peek() == UInt8(ascii: "}"), let low, let high, low <= high, high >= 1 else {
                    throw SyntaxError(message: "bad {n,m} at \(i)")
                }
                i += 1
                // The first copy is `atom`; the rest are fresh copies, required up to `low`. Every optional copy may be
                // skipped straight to the end (x{0,3} = (x(x(x)?)?)?), so ε-closures stay small.
                let start = nfa.state()
                var end = start
                var exits: [Int] = []
                for k in 0..<high {
                    let copy = k == 0 ? atom : try reparse(source)
                    if k >= low { exits.append(end) }
                    nfa.epsilon[end].append(copy.start)
                    end = copy.end
                }
                let out = nfa.state()
                nfa.epsilon[end].append(out)
                for exit in exits { nfa.epsilon[exit].append(out) }
                end = out
                return Fragment(start: start, end: end)
            default:
                return atom
            }
        }

        mutating func reparse(_ source: [UInt8]) throws(SyntaxError) -> Fragment {
            var sub = Parser(String(decoding: source, as: UTF8.self))
            sub.nfa = nfa
            let fragment = try sub.atom()
            nfa = sub.nfa
            return fragment
        }

        mutating func number() -> Int? {
            var value: Int?
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                value = (value ?? 0) * 10 + Int(c - UInt8(ascii: "0"))
                i += 1
            }
            return value
        }

        mutating func atom() throws(SyntaxError) -> Fragment {
            guard let c = peek() else { throw SyntaxError(message: "unexpected end") }
            i += 1
            switch c {
            case UInt8(ascii: "("):
                let inner = try alternation()
                guard peek() == UInt8(ascii: ")") else { throw SyntaxError(message: "missing ) at \(i)") }
                i += 1
                return inner
            case UInt8(ascii: "["):
                return try edge(classSet())
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { throw SyntaxError(message: "trailing \\") }
                i += 1
                return edge(single(escaped))
            default:
                return edge(single(c))
            }
        }

        func single(_ byte: UInt8) -> [Bool] {
            var set = [Bool](repeating: false, count: 128)
            if byte < 128 { set[Int(byte)] = true }
            return set
        }

        mutating func classSet() throws(SyntaxError) -> [Bool] {
            var set = [Bool](repeating: false, count: 128)
            var negated = false
            if peek() == UInt8(ascii: "^") {
                negated = true
                i += 1
            }
            var first = true
            while true {
                guard var c = peek() else { throw SyntaxError(message: "missing ]") }
                if c == UInt8(ascii: "]") && !first { i += 1; break }
                first = false
                i += 1
                if c == UInt8(ascii: "\\"), let escaped = peek() {
                    c = escaped
                    i += 1
                }
                var high = c
                if peek() == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "]") {
                    i += 1
                    high = bytes[i]
                    i += 1
                    if high == UInt8(ascii: "\\"), let escaped = peek() {
                        high = escaped
                        i += 1
                    }
                }
                guard c <= high, high < 128 else { throw SyntaxError(message: "bad range at \(i)") }
                for b in c...high { set[Int(b)] = true }
            }
            if negated {
                for b in 0..<128 { set[b] = (0x21...0x7E).contains(b) && !set[b] }
            }
            return set
        }

        mutating func edge(_ set: [Bool]) -> Fragment {
            let start = nfa.state(), end = nfa.state()
            nfa.edges[start].append((set, end))
            return Fragment(start: start, end: end)
        }
    }

    static func compile(_ pattern: String) throws(SyntaxError) -> Automaton {
        var parser = Parser(pattern)
        let fragment = try parser.alternation()
        guard parser.atEnd else { throw SyntaxError(message: "unexpected ) at \(parser.i)") }
        let nfa = parser.nfa

        func closure(_ states: Set<Int>) -> Set<Int> {
            var result = states
            var stack = Array(states)
            while let s = stack.popLast() {
                for t in nfa.epsilon[s] where result.insert(t).inserted { stack.append(t) }
            }
            return result
        }

        // Subset construction over the 128 ASCII bytes.
        var ids: [Set<Int>: Int32] = [:]
        var queue: [Set<Int>] = []
        var transitions: [Int32] = []
        var accepting: [Bool] = []
        func id(_ set: Set<Int>) -> Int32 {
            if let known = ids[set] { return known }
            let new = Int32(queue.count)
            ids[set] = new
            queue.append(set)
            transitions += [Int32](repeating: -1, count: 128)
            accepting.append(set.contains(fragment.end))
            return new
        }
        _ = id(closure([fragment.start]))
        var next = 0
        while next < queue.count {
            let current = queue[next]
            for byte in 0..<128 {
                var targets = Set<Int>()
                for s in current {
                    for edge in nfa.edges[s] where edge.set[byte] { targets.insert(edge.target) }
                }
                if !targets.isEmpty { transitions[next * 128 + byte] = id(closure(targets)) }
            }
            next += 1
        }
        return Automaton(transitions: transitions, accepting: accepting)
    }
}
