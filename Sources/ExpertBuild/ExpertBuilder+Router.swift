import Engine
import Foundation
import Gateway

/// The router stage's stored result.
struct RouterStageResult: Codable {
    var router: ExpertRouter
    var evaluation: ExpertRouterEvaluation
    /// Per expert, where each of its held-out questions was routed (nil: none), in question order.
    var routes: [String: [String?]]
    var trainingPrompts: Int
    var offDomainCalibration: Int
    var offDomainHeldOut: Int
}

extension ExpertBuilder {
    /// Trains the router on the user prompts of the release's experts (after curation) plus the built-in generic none
    /// prompts, calibrates it on the first part of `router.off_domain`, and measures it on every expert's held-out
    /// questions and the held-out off-domain prompts. Skipped when none of that changed.
    func buildRouter(_ members: [ReleaseMember]) async throws -> RouterStageResult {
        let folder = configuration.output.appendingPathComponent("router", isDirectory: true)
        let offDomain = try configuration.offDomain.map(OffDomainFile.load) ?? OffDomainFile(calibration: [], heldOut: [])
        let settings = String(decoding: try JSONEncoder().encode(configuration.router), as: UTF8.self)
        var parts = ["router", settings, EmbeddingProvider.modelID] + offDomain.calibration + ["#"] + offDomain.heldOut
        for m in members {
            parts += ["expert", m.record.id] + m.outcome.curate.userPrompts + ["#"] + m.outcome.evaluate.answers.map(\.prompt)
        }
        let input = InputHash.of(parts)
        if let done = StageStamp<RouterStageResult>.reuse(in: folder, input: input) {
            emit(.stage(expert: nil, stage: "router", status: .skipped, detail: Self.routerDetail(done)))
            return done
        }
        emit(.stage(expert: nil, stage: "router", status: .started, detail: ""))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let embed: ExpertQueryEncoder.Embed = { [embeddings] in try await embeddings.embed($0).vectors }
            let trainer = ExpertRouterTrainer(configuration: configuration.router)
            let router = try await trainer.train(experts: members.map { ExpertTrainingSet(id: $0.record.id, prompts: $0.outcome.curate.userPrompts) },
                                                 offDomainCalibration: offDomain.calibration, embed: embed)
            var examples: [ExpertRouterEvaluation.Example] = []
            for m in members {
                let prompts = m.outcome.evaluate.answers.map(\.prompt)
                for (text, vector) in zip(prompts, try await ExpertRouterTrainer.embed(prompts, with: embed)) {
                    examples.append(.init(embedding: vector, expertID: m.record.id, text: text))
                }
            }
            for (text, vector) in zip(offDomain.heldOut, try await ExpertRouterTrainer.embed(offDomain.heldOut, with: embed)) {
                examples.append(.init(embedding: vector, expertID: nil, text: text))
            }
            let evaluation = ExpertRouterEvaluation(router: router, examples: examples)
            var routes: [String: [String?]] = [:]
            for example in examples { if let id = example.expertID { routes[id, default: []].append(router.route(embedding: example.embedding).expertID) } }
            let result = RouterStageResult(router: router, evaluation: evaluation, routes: routes,
                                           trainingPrompts: members.reduce(0) { $0 + $1.outcome.curate.userPrompts.count },
                                           offDomainCalibration: offDomain.calibration.count, offDomainHeldOut: offDomain.heldOut.count)
            try router.jsonData().write(to: folder.appendingPathComponent("router.json"), options: .atomic)
            try StageStamp.save(result, in: folder, input: input)
            emit(.stage(expert: nil, stage: "router", status: .finished, detail: Self.routerDetail(result)))
            return result
        } catch let error as ExpertBuildError {
            throw error
        } catch {
            throw ExpertBuildError.stageFailed(expert: nil, stage: "router", reason: "\(error)")
        }
    }

    static func routerDetail(_ r: RouterStageResult) -> String {
        String(format: "%@, threshold %.2f: held-out in-domain %.1f %% of %d, off-domain to none %.1f %% of %d",
               r.router.classifier.kindName, r.router.threshold, 100 * r.evaluation.inDomainAccuracy, r.evaluation.inDomainCount,
               100 * r.evaluation.offDomainNoneRate, r.evaluation.offDomainCount)
    }

    /// Scores the routed system on each new expert's held-out questions (the router's choice answers: the expert itself,
    /// another expert with its system prompt, or the base model without one for none) and adds the routing numbers.
    func scoreRouted(_ members: [ReleaseMember], routing: RouterStageResult) async throws -> [ReleaseMember] {
        var members = members
        let byID = Dictionary(uniqueKeysWithValues: members.map { ($0.record.id, $0) })
        // Questions routed elsewhere than their expert, grouped by who answers them.
        var elsewhere: [String: [(member: Int, question: Int)]] = [:]
        for (m, member) in members.enumerated() {
            for (q, routed) in (routing.routes[member.record.id] ?? []).enumerated() where routed != member.record.id {
                elsewhere[routed ?? "", default: []].append((m, q))
            }
        }
        var answers: [String: [Int: [Int: String]]] = [:]
        for (answererID, items) in elsewhere.sorted(by: { $0.key < $1.key }) {
            let prompts = items.map { members[$0.member].outcome.evaluate.answers[$0.question].prompt }
            let other = byID[answererID]
            let adapter = try other.map { try LoRAAdapter.load(path: $0.record.adapterPath, for: try answerer().model.model.configuration, name: $0.record.id) }
            let texts = try await answerer().answers(prompts, system: other?.record.systemPrompt, adapter: adapter)
            for (item, text) in zip(items, texts) { answers[answererID, default: [:]][item.member, default: [:]][item.question] = text }
        }
        for (m, member) in members.enumerated() {
            let id = member.record.id
            if let label = routing.evaluation.perLabel.first(where: { $0.label == id }) {
                members[m].record.metrics.routingPrecision = label.precision
                members[m].record.metrics.routingRecall = label.recall
            }
            let evaluated = member.outcome.evaluate.answers
            guard !evaluated.isEmpty, member.record.adapterFingerprint == member.outcome.train.fingerprint else { continue }
            let routes = routing.routes[id] ?? []
            var right = 0
            for (q, answer) in evaluated.enumerated() {
                let routed = q < routes.count ? routes[q] : id
                let text = routed == id ? answer.expert : answers[routed ?? ""]?[m]?[q] ?? ""
                if HeldOutQuestion(prompt: answer.prompt, expected: answer.expected).isAnswered(by: text) { right += 1 }
            }
            members[m].record.metrics.heldOutScoreRouted = Double(right) / Double(evaluated.count)
        }
        return members
    }
}

/// Off-domain prompts, one a line (`#` starts a comment): the lines before a `# held-out` line calibrate the router's
/// none threshold, the lines after it only measure.
struct OffDomainFile {
    var calibration: [String]
    var heldOut: [String]

    static func load(_ path: String) throws -> OffDomainFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ExpertBuildError.configuration("router.off_domain: \(path): \((error as NSError).localizedDescription)")
        }
        var file = OffDomainFile(calibration: [], heldOut: [])
        var inHeldOut = false
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().hasPrefix("# held-out") { inHeldOut = true }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if inHeldOut { file.heldOut.append(trimmed) } else { file.calibration.append(trimmed) }
        }
        return file
    }
}
