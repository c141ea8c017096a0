// Expert router benchmark: `swift build -c release --product ExpertRouterBench && .build/release/ExpertRouterBench`.
// Trains the router variants on the example experts (docs/examples/experts), evaluates them on the held-out
// paraphrases and the held-out half of off-domain.txt, sweeps their hyperparameters (chosen by the out-of-fold
// calibration numbers, not the held-out ones), measures the effect of the context window, and times routing a
// request (embedding included) on this machine. Prints numbers; asserts nothing.
import ExpertBuild
import Foundation
import Gateway
import ModelStore

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}
func pct(_ x: Double) -> String { String(format: "%5.1f%%", 100 * x) }

guard ModelStore().localPath(for: EmbeddingProvider.modelID) != nil else {
    print("minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2`")
    exit(1)
}
let provider = EmbeddingProvider(fetchMissing: false, threads: 1, precision: .q8_0)   // as the server's cache keys
let embed: ExpertQueryEncoder.Embed = { try await provider.embed($0).vectors }
let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/examples/experts/experts.yaml")
let data = try ExpertRouterData.load(ExpertBuildConfiguration.load(path: examples.path))
print("experts: " + data.experts.map { "\($0.id) (\($0.trainingPrompts.count) training prompts, \($0.heldOut.count) held out)" }.joined(separator: ", "))
print("off-domain: \(data.offDomainCalibration.count) calibration, \(data.offDomainHeldOut.count) held out; built-in none prompts: \(OffDomainPrompts.generic.count)")

let embedStart = ContinuousClock.now
var training: [EmbeddedTrainingSet] = []
var heldOut: [ExpertRouterEvaluation.Example] = []
for expert in data.experts {
    training.append(EmbeddedTrainingSet(id: expert.id, embeddings: try await ExpertRouterTrainer.embed(expert.trainingPrompts, with: embed)))
    for (text, v) in zip(expert.heldOut, try await ExpertRouterTrainer.embed(expert.heldOut, with: embed)) {
        heldOut.append(.init(embedding: v, expertID: expert.id, text: text))
    }
}
let calibration = try await ExpertRouterTrainer.embed(data.offDomainCalibration, with: embed)
let generic = try await ExpertRouterTrainer.embed(OffDomainPrompts.generic, with: embed)
for (text, v) in zip(data.offDomainHeldOut, try await ExpertRouterTrainer.embed(data.offDomainHeldOut, with: embed)) {
    heldOut.append(.init(embedding: v, expertID: nil, text: text))
}
print(String(format: "embedded %d texts in %.1f s", training.reduce(0) { $0 + $1.embeddings.count } + heldOut.count + calibration.count + generic.count,
             ms(ContinuousClock.now - embedStart) / 1000))

// Leakage check: the closest built-in none prompt to each held-out off-domain prompt.
let closest = heldOut.filter { $0.expertID == nil }.map { ex in
    generic.map { g in zip(g, ex.embedding).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.max()!
}
print(String(format: "held-out off-domain vs built-in none prompts: nearest cosine median %.2f, max %.2f",
             closest.sorted()[closest.count / 2], closest.max()!))

@MainActor func train(_ configure: (inout ExpertRouterTrainer.Configuration) -> Void) throws -> (ExpertRouter, Double) {
    var configuration = ExpertRouterTrainer.Configuration()
    configure(&configuration)
    let start = ContinuousClock.now
    let router = try ExpertRouterTrainer(configuration: configuration).train(experts: training, noneExamples: generic, offDomainCalibration: calibration)
    return (router, ms(ContinuousClock.now - start))
}

@MainActor func row(_ name: String, _ router: ExpertRouter, _ trainMS: Double) -> ExpertRouterEvaluation {
    let e = ExpertRouterEvaluation(router: router, examples: heldOut)
    let c = router.calibration!
    let experts = router.expertIDs.map { "\($0) \(pct(e.accuracy(of: $0)!))" }.joined(separator: "  ")
    print("\(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(experts)  in-domain \(pct(e.inDomainAccuracy))  none \(pct(e.offDomainNoneRate))"
          + String(format: "  | t=%.3f oof in %@ none %@%@  train %.0f ms", c.threshold, pct(c.inDomainCorrect), pct(c.offDomainNone), c.feasible ? "" : " (infeasible)", trainMS))
    return e
}

print("\n== Sweep (held-out numbers | out-of-fold calibration numbers used for the choice) ==")
for l2: Float in [1e-4, 3e-4, 1e-3, 3e-3, 1e-2] {
    for none in [true, false] {
        let (r, t) = try train { $0.logisticRegression.l2 = l2; $0.noneClass = none }
        _ = row("logreg l2=\(l2) none=\(none)", r, t)
    }
}
for k in [1, 3, 5, 10] {
    for none in [true, false] {
        let (r, t) = try train { $0.classifier = .nearestNeighbors; $0.neighbors = k; $0.noneClass = none }
        _ = row("knn k=\(k) none=\(none)", r, t)
    }
}

print("\n== Defaults ==")
let (logistic, logisticMS) = try train { _ in }
let logisticEvaluation = row("logistic regression (default)", logistic, logisticMS)
let (knn, knnMS) = try train { $0.classifier = .nearestNeighbors }
let knnEvaluation = row("k-NN k=\(ExpertRouterTrainer.Configuration().neighbors) (default)", knn, knnMS)
for (name, e) in [("logistic regression", logisticEvaluation), ("k-NN", knnEvaluation)] {
    print("\n\(name):\n\(e)")
    for miss in e.misrouted { print("  misrouted: \(miss.text) → \(miss.routed) (expected \(miss.expected), confidence \(miss.confidence))") }
}

print("\n== Separation on held-out data (threshold-free) ==")
for (name, router) in [("logistic regression", logistic), ("k-NN", knn)] {
    // Gated score: the best expert's score, or -1 when the none class wins; in-domain examples count as positives
    // only when their best expert is the right one.
    let positives = heldOut.filter { $0.expertID != nil }.map { ex -> Float in
        let r = router.route(embedding: ex.embedding)
        return r.best.id == ex.expertID && (r.expertID != nil || r.confidence < router.threshold) ? r.confidence : -1
    }
    let negatives = heldOut.filter { $0.expertID == nil }.map { ex -> Float in
        let r = router.route(embedding: ex.embedding)
        return r.expertID == nil && r.confidence >= router.threshold ? -1 : r.confidence
    }
    var pairs = 0.0
    for p in positives { for n in negatives { pairs += p > n ? 1 : p == n ? 0.5 : 0 } }
    let auc = pairs / Double(positives.count * negatives.count)
    print(String(format: "%@: AUC %.4f; lowest in-domain score %.3f, highest off-domain %.3f, off-domain above the lowest in-domain: %d/%d",
                 name, auc, positives.min()!, negatives.max()!, negatives.filter { $0 >= positives.min()! }.count, negatives.count))
}
do {
    var c = ExpertRouterTrainer.Configuration()
    c.logisticRegression.iterations = 4_000
    let long = try ExpertRouterTrainer(configuration: c).train(experts: training, noneExamples: generic, offDomainCalibration: calibration)
    var worst: Float = 0
    for ex in heldOut {
        guard case let .logisticRegression(a) = logistic.classifier, case let .logisticRegression(b) = long.classifier else { break }
        worst = max(worst, zip(a.probabilities(ex.embedding), b.probabilities(ex.embedding)).map { abs($0 - $1) }.max()!)
    }
    print(String(format: "logistic regression convergence: 400 vs 4,000 iterations, largest probability difference %.5f", worst))
}

print("\n== Context window (logistic regression) ==")
// Prompts that only make sense in their conversation: follow-ups, and questions that do not name the product or place.
let contextual: [(String, String)] = [
    ("support", "Is that the same for the Team plan?"), ("support", "And how do I do that on my phone?"),
    ("support", "What if I paid for a whole year?"), ("support", "How long do I have to ask for a refund?"),
    ("support", "Where do I turn on two-step login?"),
    ("sql", "Now sort it by the newest first."), ("sql", "Can you add a filter for the Kessel depot too?"),
    ("sql", "Only for last month, please."), ("sql", "Can you also show the courier's name?"),
    ("sql", "Which table has the invoices?"),
    ("lore", "And how many people live there?"), ("lore", "What about the second largest one?"),
    ("lore", "What does the name of the capital mean?"), ("lore", "Is it far from the main island?"),
    ("lore", "What currency do they use there?"),
]
let inDomain = data.experts.flatMap { e in e.heldOut.map { (e, $0) } }
let offDomain = data.offDomainHeldOut
let genericSystem = "You are a helpful assistant."
@MainActor func expert(_ id: String) -> ExpertRouterData.Expert { data.experts.first { $0.id == id }! }
print("weights (previous, system) | paraphrases: alone, after another expert's turn | off-domain to none: alone, after an in-domain turn | contextual prompts: alone, + previous turn, + previous turn + system prompt | off-domain under an expert's system prompt, routed to it")
for (wp, ws): (Float, Float) in [(0, 0), (0.15, 0.1), (0.3, 0.2), (0.5, 0.3), (0.8, 0.5)] {
    let encoder = ExpertQueryEncoder(previousUserWeight: wp, systemWeight: ws, embed: embed)
    func share(_ examples: [(ExpertQuery, String?)]) async throws -> Double {
        var right = 0
        for (query, expected) in examples where logistic.route(embedding: try await encoder.embedding(for: query)).expertID == expected { right += 1 }
        return Double(right) / Double(examples.count)
    }
    let ids = data.experts.map(\.id)
    let other = { (id: String) in expert(ids[(ids.firstIndex(of: id)! + 1) % ids.count]) }
    let a = try await share(inDomain.map { (ExpertQuery(lastUser: $1), $0.id) })
    let b = try await share(inDomain.map { (ExpertQuery(lastUser: $1, previousUser: other($0.id).heldOut[0], system: genericSystem), $0.id) })
    let c = try await share(offDomain.map { (ExpertQuery(lastUser: $0), nil) })
    let d = try await share(offDomain.enumerated().map { i, t in (ExpertQuery(lastUser: t, previousUser: data.experts[i % 3].heldOut[i % 24], system: genericSystem), nil) })
    let e = try await share(contextual.map { (ExpertQuery(lastUser: $1), $0) })
    let f = try await share(contextual.map { (ExpertQuery(lastUser: $1, previousUser: expert($0).heldOut[3], system: genericSystem), $0) })
    let g = try await share(contextual.map { (ExpertQuery(lastUser: $1, previousUser: expert($0).heldOut[3], system: expert($0).system), $0) })
    let h = try await share(offDomain.enumerated().map { i, t in (ExpertQuery(lastUser: t, system: data.experts[i % 3].system), data.experts[i % 3].id) })
    print(String(format: "(%.2f, %.2f) | %@ %@ | %@ %@ | %@ %@ %@ | %@", wp, ws, pct(a), pct(b), pct(c), pct(d), pct(e), pct(f), pct(g), pct(h)))
}

print("\n== Latency (MiniLM Q8_0; host load \(String(format: "%.2f", (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).flatMap { Double($0.split(separator: " ")[0]) } ?? -1))) ==")
func line(_ name: String, _ v: [Double], unit: String = "ms", scale: Double = 1) {
    print(name.padding(toLength: 66, withPad: " ", startingAt: 0)
          + String(format: "p50 %8.3f %@  p99 %8.3f %@  (n=%d)", percentile(v, 0.5) * scale, unit, percentile(v, 0.99) * scale, unit, v.count))
}
let probe = heldOut[0].embedding
for (name, router) in [("route only, logistic regression", logistic), ("route only, k-NN (\(knn.classifierSize) vectors)", knn)] {
    var times: [Double] = []
    for _ in 0..<5_000 {
        let s = ContinuousClock.now
        _ = router.route(embedding: probe)
        times.append(ms(ContinuousClock.now - s))
    }
    line(name, times, unit: "µs", scale: 1000)
}
let allTexts = inDomain.map(\.1) + offDomain
for threads in [1, 2] {
    let provider = EmbeddingProvider(fetchMissing: false, threads: 1, precision: .q8_0)   // as the server's cache keys
    let embedder = try await provider.embedder()
    let encoder = ExpertQueryEncoder(provider: provider)
    for _ in 0..<3 { _ = try await encoder.embedding(for: ExpertQuery(lastUser: "warm up")) }
    print("-- \(threads) thread\(threads == 1 ? "" : "s"): tokens per held-out prompt median \(allTexts.map { embedder.tokenize($0).count }.sorted()[allTexts.count / 2]) (with [CLS]/[SEP])")
    // A conversation: each request's previous user turn is the one before it, the system prompt repeats (cached).
    var typical: [Double] = [], direct: [Double] = []
    var previous: String?
    for round in 0..<3 {
        for (i, text) in allTexts.enumerated() {
            let query = ExpertQuery(lastUser: "\(round) " + text, previousUser: previous, system: data.experts[i % 3].system)
            let s = ContinuousClock.now
            _ = logistic.route(embedding: try await encoder.embedding(for: query))
            typical.append(ms(ContinuousClock.now - s))
            previous = query.lastUser
            let s2 = ContinuousClock.now
            _ = logistic.route(embedding: embedder.embed([text + " \(round)"])[0])
            direct.append(ms(ContinuousClock.now - s2))
        }
    }
    // The server already embedded the last user turn for the semantic cache: routing reuses that vector.
    var shared: [Double] = []
    let vectors = embedder.embed(allTexts)
    for (i, text) in allTexts.enumerated() {
        let query = ExpertQuery(lastUser: text, previousUser: allTexts[(i + allTexts.count - 1) % allTexts.count], system: data.experts[i % 3].system)
        let s = ContinuousClock.now
        _ = logistic.route(embedding: try await encoder.embedding(for: query, lastUserEmbedding: vectors[i]))
        shared.append(ms(ContinuousClock.now - s))
    }
    line("request reusing the cache key's vector (context cached) + route", shared)
    line("request: embed last turn (context cached) + route, via the actors", typical)
    line("request: embed last turn + route, direct call", direct)
    for words in [8, 16, 24, 32, 48, 64] {
        let text = (0..<words).map { ["parcel", "depot", "refund", "island", "query", "plan", "river", "status"][$0 % 8] }.joined(separator: " ")
        var times: [Double] = []
        for i in 0..<150 {
            let s = ContinuousClock.now
            _ = logistic.route(embedding: embedder.embed([text + " \(i)"])[0])
            times.append(ms(ContinuousClock.now - s))
        }
        line("embed + route, \(embedder.tokenize(text + " 1").count) tokens", times)
    }
}
let json = try logistic.jsonData(), knnJSON = try knn.jsonData()
print("serialised: logistic regression \(json.count) bytes, k-NN \(knnJSON.count) bytes")

extension ExpertRouter {
    var classifierSize: Int {
        if case let .nearestNeighbors(index) = classifier { return index.count }
        return 0
    }
}
