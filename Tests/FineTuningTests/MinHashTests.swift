import FineTuning
import Foundation
import Testing

@Suite("MinHash near-duplicates")
struct MinHashTests {
    static let base = """
    To rotate the logs on the server, open the configuration file in the etc directory, set the maximum size to \
    fifty megabytes and the number of kept archives to seven, then restart the logging service and check that \
    the old files are compressed every night at midnight without losing the entries written during the rotation \
    window, which usually takes less than a second on a quiet machine with a local disk and a small journal.
    """

    @Test func signaturesAreDeterministic() {
        let a = MinHash().signature(of: [Self.base])
        let b = MinHash().signature(of: [Self.base])
        #expect(a == b)
        #expect(a.values.count == 128)
        #expect(MinHash(seed: 99).signature(of: [Self.base]) != a)
        // Case and punctuation do not matter: words are lowercased runs of letters and digits.
        #expect(MinHash().signature(of: [Self.base.uppercased().replacingOccurrences(of: ",", with: " ;")]) == a)
    }

    @Test func nearDuplicateAtTheThresholdIsCaughtAndDifferentTextIsKept() {
        let minHash = MinHash()
        // One word changed in the middle of 75 words: 5 of 71 shingles differ, true Jaccard 66/76 ≈ 0.87.
        let edited = Self.base.replacingOccurrences(of: "the number of kept", with: "the count of kept")
        let unrelated = "Bake the bread at two hundred degrees for forty minutes, then let it cool on a rack before slicing it with a serrated knife so the crumb stays soft and airy."
        let estimate = minHash.signature(of: [Self.base]).similarity(to: minHash.signature(of: [edited]))
        #expect(estimate >= 0.8 && estimate < 1, "estimate \(estimate)")
        var index = NearDuplicateIndex(threshold: 0.8)
        #expect(index.bands * index.rows == 128)
        #expect(index.insertUnlessDuplicate(minHash.signature(of: [Self.base])) == nil)
        #expect(index.insertUnlessDuplicate(minHash.signature(of: [unrelated])) == nil)
        #expect(index.insertUnlessDuplicate(minHash.signature(of: [edited])) == 0)
        #expect(index.count == 2)
        // A stricter threshold lets the edited copy through.
        var strict = NearDuplicateIndex(threshold: 0.97)
        strict.insert(minHash.signature(of: [Self.base]))
        #expect(strict.match(minHash.signature(of: [edited])) == nil)
    }

    @Test func halfRewrittenTextIsNotADuplicate() {
        let minHash = MinHash()
        let words = Self.base.split(separator: " ")
        let rewritten = (words.prefix(words.count / 2) + ["and", "then", "something", "else", "entirely", "happens", "to", "the", "cluster", "while", "the", "operators", "sleep", "soundly", "through", "the", "night", "shift", "until", "morning", "comes", "and", "the", "pagers", "stay", "quiet", "for", "once", "in", "a", "long", "while", "which", "is", "nice"]).joined(separator: " ")
        var index = NearDuplicateIndex()
        index.insert(minHash.signature(of: [Self.base]))
        #expect(index.match(minHash.signature(of: [rewritten])) == nil)
    }

    @Test func curatorRemovesNearDuplicatesKeepingTheFirst() {
        func pair(_ answer: String) -> Conversation {
            Conversation(id: UUID().uuidString, source: "test", turns: [.init(role: .user, text: "How do I rotate the logs?"), .init(role: .assistant, text: answer)])
        }
        let first = pair(Self.base)
        let second = pair(Self.base.replacingOccurrences(of: "the number of kept", with: "the count of kept"))
        var configuration = Curator.Configuration()
        let (kept, report) = Curator(configuration: configuration).curate([first, second])
        #expect(kept == [first])
        #expect(report.removed == ["near_duplicate": 1])
        configuration.nearDuplicateThreshold = nil
        #expect(Curator(configuration: configuration).curate([first, second]).kept.count == 2)
    }
}

extension MinHashTests {
    @Test func sharedLongSystemPromptDoesNotMakeDifferentDialoguesNearDuplicates() {
        let system = (1...40).map { "Rule \($0): answer questions about office topic number \($0) with care." }.joined(separator: " ")
        func c(_ q: String, _ a: String) -> Conversation {
            Conversation(id: q, source: "t", turns: [.init(role: .system, text: system), .init(role: .user, text: q), .init(role: .assistant, text: a)])
        }
        let input = [c("Where is the printer?", "On the second floor, next to the kitchen."), c("When is the office closed?", "On public holidays and between Christmas and New Year.")]
        let (kept, report) = Curator().curate(input)
        #expect(kept.count == 2, "\(report.removed)")
    }
}
