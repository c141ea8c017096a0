import Dispatch
import Foundation

/// The state of one curation run (exact-duplicate fingerprints, the near-duplicate index, the report) and the
/// batch engine: parse, rule checks, fingerprints and signatures in parallel; duplicate decisions in order;
/// redaction and token counting in parallel again.
final class CurationSession {
    static let batchSize = 512

    let curator: Curator
    private(set) var report = Curator.Report()
    private var seen = Set<StableHash.Fingerprint>()
    private var nearDuplicates: NearDuplicateIndex?

    init(curator: Curator) {
        self.curator = curator
        nearDuplicates = curator.configuration.nearDuplicateThreshold.map { NearDuplicateIndex(threshold: $0) }
    }

    private enum Verdict {
        case rejected(String)
        case candidate(Conversation, StableHash.Fingerprint, MinHash.Signature?)
    }

    /// Runs `body(i)` for every index in `0..<count`, split over the configured workers.
    private func parallel(_ count: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(curator.configuration.workers, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < count {
                    box.value(i)
                    i += workers
                }
            }
        }
    }

    /// Curates parsed conversations; the result has one entry per input, nil where it was dropped.
    func process(_ conversations: [Conversation]) -> [Conversation?] {
        let verdicts = ResultSlots<Verdict>(count: conversations.count)
        parallel(conversations.count) { i in verdicts[i] = judge(conversations[i]) }
        return finish(verdicts.all.compactMap { $0 })
    }

    /// Parses and curates one batch of JSONL lines (blank lines skipped); a bad line throws naming it.
    func process(lines: [JSONLLineReader.Line], path: String) throws -> [Conversation] {
        let verdicts = ResultSlots<Verdict>(count: lines.count)
        let failures = ResultSlots<ImportError>(count: lines.count)
        parallel(lines.count) { i in
            do throws(ImportError) {
                verdicts[i] = try OpenAIChatJSONL.conversation(line: lines[i].bytes, number: lines[i].number, path: path).map(judge)
            } catch {
                failures[i] = error
            }
        }
        // The first bad line of the batch (the error names the file and the line).
        if let failure = failures.all.lazy.compactMap({ $0 }).first { throw failure }
        return finish(verdicts.all.compactMap { $0 }).compactMap { $0 }
    }

    private func judge(_ conversation: Conversation) -> Verdict {
        if let reason = curator.rejection(conversation) { return .rejected(reason) }
        let signature = nearDuplicates == nil ? nil : curator.minHash.signature(of: conversation)
        return .candidate(conversation, StableHash.fingerprint(conversation), signature)
    }

    private func finish(_ verdicts: [Verdict]) -> [Conversation?] {
        var survivors: [Conversation?] = []
        survivors.reserveCapacity(verdicts.count)
        for verdict in verdicts {
            report.input += 1
            switch verdict {
            case let .rejected(reason):
                report.removed[reason, default: 0] += 1
                survivors.append(nil)
            case let .candidate(conversation, fingerprint, signature):
                guard seen.insert(fingerprint).inserted else {
                    report.removed["exact_duplicate", default: 0] += 1
                    survivors.append(nil)
                    continue
                }
                if let signature, nearDuplicates?.insertUnlessDuplicate(signature) != nil {
                    report.removed["near_duplicate", default: 0] += 1
                    survivors.append(nil)
                    continue
                }
                survivors.append(conversation)
            }
        }
        let configuration = curator.configuration
        let redactor = curator.redactor
        let finished = ResultSlots<(Conversation, PIIRedactor.Counts, Bool)>(count: survivors.count)
        parallel(survivors.count) { i in
            guard var conversation = survivors[i] else { return }
            var counts: PIIRedactor.Counts = [:]
            if configuration.redact {
                for t in conversation.turns.indices {
                    let (text, found) = redactor.redact(conversation.turns[t].text)
                    conversation.turns[t].text = text
                    for (kind, n) in found { counts[kind, default: 0] += n }
                }
            }
            var tooLong = false
            if let maxTokens = configuration.maxTokens, let count = configuration.tokenCount {
                var total = 0
                for turn in conversation.turns where !tooLong {
                    total += count(turn.text)
                    tooLong = total > maxTokens
                }
            }
            finished[i] = (conversation, counts, tooLong)
        }
        var result: [Conversation?] = []
        result.reserveCapacity(survivors.count)
        for entry in finished.all {
            guard let (conversation, counts, tooLong) = entry else { result.append(nil); continue }
            if tooLong {
                report.removed["too_many_tokens", default: 0] += 1
                result.append(nil)
                continue
            }
            for (kind, n) in counts { report.redactions[kind.rawValue, default: 0] += n }
            report.kept += 1
            result.append(conversation)
        }
        return result
    }
}

/// Fixed slots written by index from several threads (each index by exactly one thread), read afterwards.
/// Raw storage, because Swift's exclusivity checks would trap on concurrent writes into a class's array.
final class ResultSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Value?>
    let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    subscript(i: Int) -> Value? {
        get { storage[i] }
        set { storage[i] = newValue }
    }
    /// Every slot in order, nil where nothing was written.
    var all: [Value?] { (0..<count).map { storage[$0] } }
}

/// Carries a closure that is only called while its creator waits (concurrentPerform) across the Sendable check.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
