/// Hand-written equivalents of llama.cpp's pre-tokenizer regexes, applied to one piece of a codepoint
/// array. Reads past the piece as "out of range", as llama.cpp's `_get_cpt`/`_get_flags` do.
struct Splitter {
    static let outOfRange: UInt32 = 0xFFFF_FFFF

    let cpts: [UInt32]
    let start: Int
    let end: Int
    private var prevEnd: Int

    init(cpts: [UInt32], range: Range<Int>) {
        self.cpts = cpts
        start = range.lowerBound
        end = range.upperBound
        prevEnd = range.lowerBound
    }

    @inline(__always) private func cpt(_ p: Int) -> UInt32 { p >= start && p < end ? cpts[p] : Self.outOfRange }
    @inline(__always) private func flags(_ p: Int) -> CodepointFlags { p >= start && p < end ? CodepointFlags.of(cpts[p]) : [] }

    @inline(__always) private mutating func add(_ to: Int, _ out: inout [Range<Int>]) {
        if to > prevEnd { out.append(prevEnd..<to) }
        prevEnd = to
    }

    /// `unicode_regex_split_custom_gpt2`.
    mutating func gpt2(into out: inout [Range<Int>]) {
        var pos = start
        while pos < end {
            let c = cpts[pos]
            let f = flags(pos)
            if c == 0x27, pos + 1 < end {  // '
                let n = cpt(pos + 1)
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {  // s t m d
                    pos += 2; add(pos, &out); continue
                }
                if pos + 2 < end {
                    let nn = cpt(pos + 2)
                    if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {  // re ve ll
                        pos += 3; add(pos, &out); continue
                    }
                }
            }
            let space = c == 0x20
            var f2 = space ? flags(pos + 1) : f
            if f2.isLetter {
                if space { pos += 1 }
                while f2.isLetter { pos += 1; f2 = flags(pos) }
                add(pos, &out); continue
            }
            if f2.isNumber {
                if space { pos += 1 }
                while f2.isNumber { pos += 1; f2 = flags(pos) }
                add(pos, &out); continue
            }
            if f2.isOther {
                if space { pos += 1 }
                while f2.isOther { pos += 1; f2 = flags(pos) }
                add(pos, &out); continue
            }
            var ws = 0
            while flags(pos + ws).isWhitespace { ws += 1 }
            if ws > 1 && cpt(pos + ws) != Self.outOfRange {
                pos += ws - 1; add(pos, &out); continue
            }
            if ws > 0 {
                pos += ws; add(pos, &out); continue
            }
            pos += 1; add(pos, &out)
        }
    }

    /// `unicode_regex_split_custom_llama3`, with the digit group size as a parameter (qwen2's regex is
    /// the same with `\p{N}` instead of `\p{N}{1,3}`).
    mutating func llama3(maxDigits: Int, into out: inout [Range<Int>]) {
        var pos = start
        while pos < end {
            let c = cpts[pos]
            let f = flags(pos)
            if c == 0x27, pos + 1 < end {
                let n = Self.asciiLower(cpt(pos + 1))
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {
                    pos += 2; add(pos, &out); continue
                }
                if pos + 2 < end {
                    let nn = Self.asciiLower(cpt(pos + 2))
                    if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {
                        pos += 3; add(pos, &out); continue
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || f.isNumber) {
                if f.isLetter || flags(pos + 1).isLetter {
                    pos += 1
                    while flags(pos).isLetter { pos += 1 }
                    add(pos, &out); continue
                }
            }
            // \p{N}{1,maxDigits}
            if f.isNumber {
                var ini = pos
                while flags(pos).isNumber {
                    pos += 1
                    if pos - ini >= maxDigits { add(pos, &out); ini = pos }
                }
                add(pos, &out); continue
            }
            // <space>?[^\s\p{L}\p{N}]+[\r\n]*
            var f2 = c == 0x20 ? flags(pos + 1) : f
            if f2.isOther {
                if c == 0x20 { pos += 1 }
                while f2.isOther { pos += 1; f2 = flags(pos) }
                var c2 = cpt(pos)
                while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = cpt(pos) }
                add(pos, &out); continue
            }
            var ws = 0
            var lastLineEnd = 0
            while flags(pos + ws).isWhitespace {
                let c2 = cpt(pos + ws)
                if c2 == 0x0D || c2 == 0x0A { lastLineEnd = pos + ws + 1 }
                ws += 1
            }
            // \s*[\r\n]+
            if lastLineEnd > 0 {
                pos = lastLineEnd; add(pos, &out); continue
            }
            // \s+(?!\S)
            if ws > 1 && cpt(pos + ws) != Self.outOfRange {
                pos += ws - 1; add(pos, &out); continue
            }
            // \s+
            if ws > 0 {
                pos += ws; add(pos, &out); continue
            }
            pos += 1; add(pos, &out)
        }
    }

    /// A regex of one character class, either a single character or a `+` run: matches and the gaps
    /// between them all become pieces (llama.cpp's `unicode_regex_split_stl`).
    mutating func matches(into out: inout [Range<Int>], run: Bool, _ isMember: (UInt32) -> Bool) {
        var pos = start
        while pos < end {
            guard isMember(cpts[pos]) else { pos += 1; continue }
            add(pos, &out)
            pos += 1
            if run { while pos < end && isMember(cpts[pos]) { pos += 1 } }
            add(pos, &out)
        }
        add(end, &out)
    }

    /// `[0-9][0-9][0-9]`, leftmost matches.
    mutating func asciiDigitTriples(into out: inout [Range<Int>]) {
        @inline(__always) func digit(_ p: Int) -> Bool { cpts[p] >= 0x30 && cpts[p] <= 0x39 }
        var pos = start
        while pos + 3 <= end {
            if digit(pos) && digit(pos + 1) && digit(pos + 2) {
                add(pos, &out)
                pos += 3
                add(pos, &out)
            } else {
                pos += 1
            }
        }
        add(end, &out)
    }

    @inline(__always) static func asciiLower(_ c: UInt32) -> UInt32 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }
}
