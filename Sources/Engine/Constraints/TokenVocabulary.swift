import Foundation
import Tokenizers

/// A model's tokens as bytes, in a trie, for constrained decoding: finding every token a ``JSONMatcher`` allows
/// walks the trie once, sharing each prefix's work among all the tokens that start with it and skipping whole
/// subtrees at the first byte the matcher refuses.
public final class TokenVocabulary: Sendable {
    /// Bytes of each token (`Tokenizer.tokenBytes`; empty for control tokens).
    public let bytes: [[UInt8]]
    /// End-of-generation tokens: allowed once the document is complete.
    public let endOfGeneration: Set<Int32>
    /// Every token, and the tokens that are not plain string text.
    private let all: Trie, notPlainText: Trie
    /// Tokens that are plain text inside a JSON string: no quote, backslash or control byte, whole UTF-8 characters.
    /// In the middle of a string without a length limit every one of them is allowed, so only the others need the
    /// trie walk (a few thousand of 150k): the mask there costs a fraction of a millisecond instead of tens.
    private let plainText: [Int32]

    public convenience init(tokenizer: Tokenizer) {
        self.init(bytes: (0..<tokenizer.vocabularySize).map { tokenizer.tokenBytes(Int32($0)) }, endOfGeneration: tokenizer.eogIDs)
    }

    public init(bytes: [[UInt8]], endOfGeneration: Set<Int32>) {
        self.bytes = bytes
        self.endOfGeneration = endOfGeneration
        let plain = bytes.indices.filter { !bytes[$0].isEmpty && Self.isPlainText(bytes[$0]) }
        let plainSet = Set(plain)
        plainText = plain.map(Int32.init)
        all = Trie(bytes, including: { _ in true })
        notPlainText = Trie(bytes, including: { !plainSet.contains($0) })
    }

    public var count: Int { bytes.count }

    /// Marks in `allowed` every token whose bytes `matcher` accepts (end-of-generation tokens when it can finish).
    func collectAllowed(_ matcher: JSONMatcher, into allowed: inout [Bool]) {
        if matcher.canFinish { for id in endOfGeneration where Int(id) < allowed.count { allowed[Int(id)] = true } }
        if matcher.isInsideUnlimitedString {
            for id in plainText { allowed[Int(id)] = true }
            notPlainText.collect(matcher, into: &allowed)
        } else {
            all.collect(matcher, into: &allowed)
        }
    }

    /// Whether `token` is text a JSON string may hold as is.
    static func isPlainText(_ token: [UInt8]) -> Bool {
        var continuation = 0
        for b in token {
            if continuation > 0 {
                guard b & 0xC0 == 0x80 else { return false }
                continuation -= 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), ..<0x20: return false
            case ..<0x80: continue
            case 0xC2...0xDF: continuation = 1
            case 0xE0...0xEF: continuation = 2
            case 0xF0...0xF4: continuation = 3
            default: return false
            }
        }
        return continuation == 0
    }
}

/// Tokens as a byte trie: node 0 is the root; children of a node are `childStart[n] ..< childStart[n] + childCount[n]`
/// in the edge arrays, each an edge byte and a child node; tokens ending at a node are in `endings`.
private struct Trie: Sendable {
    private let childStart: [Int32], childCount: [Int32], edgeByte: [UInt8], edgeNode: [Int32]
    private let endingStart: [Int32], endingCount: [Int32], endings: [Int32]

    init(_ bytes: [[UInt8]], including: (Int) -> Bool) {
        // Build with per-node child maps, then flatten into arrays.
        var children: [[UInt8: Int32]] = [[:]]
        var ending: [[Int32]] = [[]]
        for (id, token) in bytes.enumerated() where !token.isEmpty && including(id) {
            var node = 0
            for b in token {
                if let next = children[node][b] {
                    node = Int(next)
                } else {
                    children.append([:])
                    ending.append([])
                    children[node][b] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            ending[node].append(Int32(id))
        }
        var childStart = [Int32](repeating: 0, count: children.count), childCount = childStart
        var edgeByte: [UInt8] = [], edgeNode: [Int32] = []
        var endingStart = childStart, endingCount = childStart, endings: [Int32] = []
        for n in children.indices {
            childStart[n] = Int32(edgeByte.count)
            childCount[n] = Int32(children[n].count)
            for (b, child) in children[n].sorted(by: { $0.key < $1.key }) {
                edgeByte.append(b)
                edgeNode.append(child)
            }
            endingStart[n] = Int32(endings.count)
            endingCount[n] = Int32(ending[n].count)
            endings += ending[n]
        }
        (self.childStart, self.childCount, self.edgeByte, self.edgeNode) = (childStart, childCount, edgeByte, edgeNode)
        (self.endingStart, self.endingCount, self.endings) = (endingStart, endingCount, endings)
    }

    /// Marks every token of the trie whose bytes `matcher` accepts.
    func collect(_ matcher: JSONMatcher, into allowed: inout [Bool]) {
        visit(0, matcher, &allowed)
    }

    private func visit(_ node: Int, _ matcher: JSONMatcher, _ allowed: inout [Bool]) {
        let start = Int(childStart[node])
        for e in start..<(start + Int(childCount[node])) {
            var next = matcher
            guard next.advance(edgeByte[e]) else { continue }
            let child = Int(edgeNode[e])
            let s = Int(endingStart[child])
            for i in s..<(s + Int(endingCount[child])) { allowed[Int(endings[i])] = true }
            visit(child, next, &allowed)
        }
    }
}
