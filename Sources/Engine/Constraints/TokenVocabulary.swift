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
    // The trie: node 0 is the root; children of a node are `childStart[n] ..< childStart[n] + childCount[n]`
    // in the edge arrays, each an edge byte and a child node; tokens ending at a node are in `endings`.
    private let childStart: [Int32], childCount: [Int32], edgeByte: [UInt8], edgeNode: [Int32]
    private let endingStart: [Int32], endingCount: [Int32], endings: [Int32]

    public convenience init(tokenizer: Tokenizer) {
        self.init(bytes: (0..<tokenizer.vocabularySize).map { tokenizer.tokenBytes(Int32($0)) }, endOfGeneration: tokenizer.eogIDs)
    }

    public init(bytes: [[UInt8]], endOfGeneration: Set<Int32>) {
        self.bytes = bytes
        self.endOfGeneration = endOfGeneration
        // Build with per-node child maps, then flatten breadth-first into arrays.
        var children: [[UInt8: Int32]] = [[:]]
        var ending: [[Int32]] = [[]]
        for (id, token) in bytes.enumerated() where !token.isEmpty {
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

    public var count: Int { bytes.count }

    /// Marks in `allowed` every token whose bytes `matcher` accepts (end-of-generation tokens when it can finish).
    func collectAllowed(_ matcher: JSONMatcher, into allowed: inout [Bool]) {
        if matcher.canFinish { for id in endOfGeneration where Int(id) < allowed.count { allowed[Int(id)] = true } }
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
