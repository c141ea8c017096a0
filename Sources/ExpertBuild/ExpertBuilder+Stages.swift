import Engine
import FineTuning
import Foundation
import Training

extension ExpertBuilder {
    /// Everything one expert's stages produced.
    struct ExpertOutcome {
        var expert: ExpertBuildConfiguration.Expert
        var data: DataStageResult
        var curate: CurateStageResult
        var split: SplitStageResult
        var train: TrainStageResult
        var evaluate: EvaluateStageResult
        var skipped: [String]
        var systemPrompt: String? { expert.systemPrompt ?? curate.systemPrompt }
    }

    /// data → curate → split → train → evaluate for one expert, each skipped when its inputs are unchanged.
    func buildExpert(_ expert: ExpertBuildConfiguration.Expert) async throws -> ExpertOutcome {
        let folder = configuration.output.appendingPathComponent(expert.id, isDirectory: true)
        var skipped: [String] = []
        func stage<R: Codable>(_ name: String, input: String, detail: (R) -> String, _ body: (URL) async throws -> R) async throws -> R {
            let dir = folder.appendingPathComponent(name, isDirectory: true)
            if let done = StageStamp<R>.reuse(in: dir, input: input) {
                skipped.append(name)
                emit(.stage(expert: expert.id, stage: name, status: .skipped, detail: detail(done)))
                return done
            }
            emit(.stage(expert: expert.id, stage: name, status: .started, detail: ""))
            let result: R
            do {
                try? FileManager.default.removeItem(at: dir)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                result = try await body(dir)
                try StageStamp.save(result, in: dir, input: input)
            } catch let error as ExpertBuildError {
                throw error
            } catch {
                throw ExpertBuildError.stageFailed(expert: expert.id, stage: name, reason: "\(error)")
            }
            emit(.stage(expert: expert.id, stage: name, status: .finished, detail: detail(result)))
            return result
        }
        func file(_ stage: String, _ name: String) -> String { folder.appendingPathComponent(stage).appendingPathComponent(name).path }

        // 1. data: a `data generate` spec, or a JSONL file as given.
        let source = expert.spec ?? expert.data ?? ""
        let data: DataStageResult = try await stage("data", input: InputHash.of(["data", expert.spec == nil ? "file" : "spec",
                                                                                  try InputHash.ofFile(source)]),
                                                   detail: { "\($0.examples) examples" + ($0.rejected > 0 ? ", \($0.rejected) near-identical rejected" : "") }) { dir in
            let out = dir.appendingPathComponent("data.jsonl")
            if let spec = expert.spec {
                let generator = SyntheticGenerator(spec: try GeneratorSpec(yaml: try String(contentsOfFile: spec, encoding: .utf8)))
                let result = try generator.generate()
                try OpenAIChatJSONL.write(result.conversations, to: out)
                return DataStageResult(examples: result.conversations.count, rejected: result.rejected)
            }
            let conversations = try OpenAIChatJSONL.conversations(from: try Data(contentsOf: URL(fileURLWithPath: source)), name: source)
            try OpenAIChatJSONL.write(conversations, to: out)
            return DataStageResult(examples: conversations.count, rejected: 0)
        }

        // 2. curate: PII redaction, quality filters, exact and near duplicates.
        let threshold = configuration.nearDuplicateThreshold
        let curate: CurateStageResult = try await stage("curate", input: InputHash.of(["curate", try InputHash.ofFile(file("data", "data.jsonl")),
                                                                                       "\(threshold ?? 1)"]),
                                                        detail: { "\($0.kept) of \($0.input) kept" }) { dir in
            var settings = Curator.Configuration()
            settings.nearDuplicateThreshold = threshold
            var kept: [Conversation] = []
            let report = try Curator(configuration: settings).curate(input: URL(fileURLWithPath: file("data", "data.jsonl"))) { kept.append($0) }
            try OpenAIChatJSONL.write(kept, to: dir.appendingPathComponent("curated.jsonl"))
            guard kept.count >= 4 else { throw ExpertBuildError.stageFailed(expert: expert.id, stage: "curate", reason: "only \(kept.count) conversations left (at least 4 are needed)") }
            let systems = kept.compactMap { $0.turns.first { $0.role == .system }?.text }
            let counts = Dictionary(systems.map { ($0, 1) }, uniquingKeysWith: +)
            let common = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
            return CurateStageResult(input: report.input, kept: report.kept, removed: report.removed, systemPrompt: common,
                                     userPrompts: kept.flatMap { $0.turns.filter { $0.role == .user }.map(\.text) })
        }

        // 3. split: train / valid, by seed and content.
        let split: SplitStageResult = try await stage("split", input: InputHash.of(["split", try InputHash.ofFile(file("curate", "curated.jsonl")),
                                                                                    configuration.splitRatios, "\(configuration.splitSeed)"]),
                                                      detail: { "train \($0.train), valid \($0.valid)" }) { dir in
            let ratios = try DatasetSplitter.Ratios(parsing: configuration.splitRatios)
            let summary = try DatasetSplitter(ratios: ratios, seed: configuration.splitSeed, format: .openai)
                .split(input: URL(fileURLWithPath: file("curate", "curated.jsonl")), into: dir)
            guard summary.valid > 0, summary.train > 0 else {
                throw ExpertBuildError.stageFailed(expert: expert.id, stage: "split", reason: "train \(summary.train), valid \(summary.valid): both need examples")
            }
            return SplitStageResult(train: summary.train, valid: summary.valid)
        }

        // 4. train: a LoRA adapter on the base model.
        var training = try configuration.trainingConfiguration(for: expert)
        training.threads = threads ?? training.threads
        let trainInput = InputHash.of(["train", try InputHash.ofFile(file("split", "train.jsonl")), try InputHash.ofFile(file("split", "valid.jsonl")),
                                       modelIdentity] + training.fingerprintSettings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let train: TrainStageResult = try await stage("train", input: trainInput, detail: { r in
            String(format: "%d steps in %.0f s, validation loss %.3f → %.3f", r.steps, r.seconds, r.validLossBase ?? .nan, r.validLossExpert ?? .nan)
        }) { dir in
            training.model = modelPath
            training.data = folder.appendingPathComponent("split").path
            training.output = dir.appendingPathComponent("run").path
            let trainer = try Trainer(configuration: training, modelPath: modelPath)
            let summary = try trainer.run(events: { self.emit(.training(expert: expert.id, $0)) }, shouldStop: shouldStop)
            guard summary.completed, let gguf = summary.adapterGGUF else {
                throw ExpertBuildError.stageFailed(expert: expert.id, stage: "train", reason: "stopped after step \(summary.steps) of \(summary.totalSteps)")
            }
            let fingerprint = try InputHash.ofFile(gguf)
            let adapters = configuration.output.appendingPathComponent("adapters", isDirectory: true)
            try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
            let kept = adapters.appendingPathComponent("\(expert.id)-\(fingerprint.prefix(16)).gguf")
            if !FileManager.default.fileExists(atPath: kept.path) { try FileManager.default.copyItem(atPath: gguf, toPath: kept.path) }
            return TrainStageResult(seconds: summary.elapsedSeconds, steps: summary.steps, tokensPerSecond: summary.tokensPerSecond,
                                    validLossBase: summary.initialValidationLoss, validLossExpert: summary.finalValidationLoss,
                                    adapterPath: kept.path, fingerprint: fingerprint)
        }

        // 5. evaluate: held-out questions answered by the base model and by the expert, as served.
        let questions = try heldOutQuestions(expert)
        let systemPrompt = expert.systemPrompt ?? curate.systemPrompt
        let evalInput = InputHash.of(["evaluate", train.fingerprint, modelIdentity, systemPrompt ?? "-", "\(configuration.evaluationMaxTokens)"]
                                     + questions.flatMap { [$0.prompt, $0.expected] })
        let evaluate: EvaluateStageResult = try await stage("evaluate", input: evalInput, detail: { r in
            String(format: "%d held-out questions: base %.0f %%, expert %.0f %%", r.answers.count, 100 * r.scoreBase, 100 * r.scoreExpert)
        }) { _ in
            guard !questions.isEmpty else { return EvaluateStageResult(answers: [], scoreBase: 0, scoreExpert: 0) }
            let answerer = try answerer()
            let prompts = questions.map(\.prompt)
            let base = try await answerer.answers(prompts, system: systemPrompt, adapter: nil)
            let adapter = try LoRAAdapter.load(path: train.adapterPath, for: answerer.model.model.configuration, name: expert.id)
            let tuned = try await answerer.answers(prompts, system: systemPrompt, adapter: adapter)
            let answers = questions.indices.map { i in
                EvaluateStageResult.Answer(prompt: questions[i].prompt, expected: questions[i].expected, base: base[i], expert: tuned[i])
            }
            func score(_ texts: [String]) -> Double {
                Double(zip(questions, texts).filter { $0.isAnswered(by: $1) }.count) / Double(questions.count)
            }
            return EvaluateStageResult(answers: answers, scoreBase: score(base), scoreExpert: score(tuned))
        }
        return ExpertOutcome(expert: expert, data: data, curate: curate, split: split, train: train, evaluate: evaluate, skipped: skipped)
    }

    /// The expert's held-out questions: its `held_out` file, or its spec's paraphrases.
    func heldOutQuestions(_ expert: ExpertBuildConfiguration.Expert) throws -> [HeldOutQuestion] {
        if let path = expert.heldOut { return try HeldOutQuestion.load(path: path) }
        guard let spec = expert.spec else { return [] }
        return HeldOutQuestion.fromSpec(try GeneratorSpec(yaml: try String(contentsOfFile: spec, encoding: .utf8)))
    }
}
