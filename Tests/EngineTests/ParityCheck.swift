import Engine
import Foundation
import Testing

/// The teacher-forced comparison with llama.cpp's reference steps, shared by the base-model and the
/// LoRA parity tests: our top-1 must be llama.cpp's unless llama.cpp rates the two as near-equal, the
/// top-5 sets may only differ at the 5th/6th boundary, and the logprob differences must stay within
/// the tolerance (median, p95, max).
enum ParityCheck {
    struct Summary {
        var steps = 0
        var topOneAgreements = 0
        /// Σ over steps of |our top-5 ∩ llama.cpp's top-5|.
        var topFiveOverlap = 0
        var differences: [Double] = []
        var median: Double { differences.sorted()[differences.count / 2] }
        var p95: Double { differences.sorted()[differences.count * 95 / 100] }
        var max: Double { differences.max() ?? 0 }
    }

    static func teacherForced(model: LanguageModel, reference: ReferenceData, tolerance: LogprobTolerance,
                              adapters: AdapterMix = .none, label: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> Summary {
        var summary = Summary()
        for g in reference.greedy {
            let cache = model.makeCache(capacity: g.prompt_ids.count + g.ids.count + 1)
            var fed: Int32 = 0
            var logits = try model.forward(g.prompt_ids.enumerated().map {
                BatchRow(token: $1, position: $0, cache: cache, wantsLogits: $0 == g.prompt_ids.count - 1, adapters: adapters)
            })
            for (stepIndex, aligned) in g.alignedSteps.enumerated() {
                defer { fed = g.ids[stepIndex] }
                if stepIndex > 0 {
                    logits = try model.forward([BatchRow(token: fed, position: g.prompt_ids.count + stepIndex - 1, cache: cache,
                                                         wantsLogits: true, adapters: adapters)])
                }
                guard let step = aligned else { continue }
                let raw = UnsafeBufferPointer(logits[0])
                let ours = Logprobs.top(raw, count: 10)
                let lse = Logprobs.logSumExp(raw)
                let place = "\(label) prompt \(g.prompt.debugDescription) step \(stepIndex)"
                summary.steps += 1
                if ours[0].id == step.topIDs[0] {
                    summary.topOneAgreements += 1
                } else {
                    // llama.cpp's logprob for our top-1 (or its 10th-best bound if it is not listed).
                    let theirs = step.logprob(of: ours[0].id) ?? step.top.last![1]
                    #expect(step.top[0][1] - theirs <= tolerance.greedyTie, "\(place): top-1 \(ours[0].id) vs llama.cpp \(step.topIDs[0])",
                            sourceLocation: sourceLocation)
                }
                let refTop5 = Set(step.topIDs.prefix(5)), ourTop5 = Set(ours.prefix(5).map(\.id))
                summary.topFiveOverlap += refTop5.intersection(ourTop5).count
                for id in refTop5.symmetricDifference(ourTop5) {
                    let theirs = step.logprob(of: id) ?? step.top.last![1]
                    #expect(abs(theirs - step.top[4][1]) <= tolerance.max, "\(place): top-5 sets differ at \(id), far from the boundary",
                            sourceLocation: sourceLocation)
                }
                for pair in step.top.prefix(5) {
                    let difference = abs(Double(raw[Int(Int32(pair[0]))] - lse) - pair[1])
                    summary.differences.append(difference)
                    #expect(difference <= tolerance.max, "\(place): token \(Int(pair[0])) logprob differs by \(difference)",
                            sourceLocation: sourceLocation)
                }
            }
        }
        print("parity \(label): \(summary.steps) steps, top-1 agreement \(summary.topOneAgreements)/\(summary.steps), top-5 overlap \(summary.topFiveOverlap)/\(5 * summary.steps), |Δlogprob| median \(summary.median) p95 \(summary.p95) max \(summary.max)")
        #expect(summary.median <= tolerance.median, "\(label): median", sourceLocation: sourceLocation)
        #expect(summary.p95 <= tolerance.p95, "\(label): p95", sourceLocation: sourceLocation)
        #expect(Double(summary.topOneAgreements) >= tolerance.topOneRate * Double(summary.steps), "\(label): top-1 agreement",
                sourceLocation: sourceLocation)
        #expect(Double(summary.topFiveOverlap) >= tolerance.topFiveRate * Double(5 * summary.steps), "\(label): top-5 overlap",
                sourceLocation: sourceLocation)
        return summary
    }

    /// Greedy generation reproduces llama.cpp's ids up to the first genuine tie; returns our texts.
    @discardableResult
    static func greedy(model: LanguageModel, reference: ReferenceData, tolerance: LogprobTolerance, adapters: AdapterMix = .none,
                       label: String, compareText: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let generator = Generator(model: model)
        var options = GenerationOptions()
        options.sampling = .greedy
        options.ignoreEndOfGeneration = true
        options.adapters = adapters
        var texts: [String] = []
        for g in reference.greedy {
            options.maxTokens = g.ids.count
            let result = try generator.generate(promptIDs: g.prompt_ids, options: options)
            texts.append(result.text)
            let firstDifference = zip(result.ids, g.ids).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            if let i = firstDifference, let step = g.alignedSteps[i] {
                // Only a genuine tie may diverge: llama.cpp rated our pick within the tie margin of its own.
                let theirs = step.logprob(of: result.ids[i]) ?? -.infinity
                #expect(step.top[0][1] - theirs <= tolerance.greedyTie,
                        "\(label) \(g.prompt.debugDescription): greedy ids diverge at step \(i) (\(result.ids[i]) vs \(g.ids[i])) without a tie",
                        sourceLocation: sourceLocation)
            } else if firstDifference == nil {
                #expect(result.ids == g.ids, sourceLocation: sourceLocation)
                if compareText { #expect(result.text == g.text, "\(label): text", sourceLocation: sourceLocation) }
            }
        }
        return texts
    }
}
