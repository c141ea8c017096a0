import Foundation
import Training

/// Turns the trainer's events into job events, progress and checkpoint records. Only the job's training thread calls
/// ``handle(_:)`` (its mutable state is confined there, hence `@unchecked Sendable`).
final class JobProgressRecorder: @unchecked Sendable {
    private let store: FineTuningStore
    private let job: JobRecord
    private var lastTrainLoss: Double?
    private var lastValidLoss: Double?
    private var totalSteps = 0

    init(store: FineTuningStore, job: JobRecord) {
        self.store = store
        self.job = job
    }

    private var now: Int { Int(Date().timeIntervalSince1970) }

    private static func json(_ fields: [String: Double?]) -> String {
        let object = fields.compactMapValues { $0 }.mapValues { value -> JSONValue in .number(value.isFinite ? value : 0) }
        return JSONValue.object(object).jsonText
    }

    private static func format(_ x: Double) -> String { String(format: "%.4f", x) }

    func handle(_ event: TrainingEvent) {
        let id = job.id
        do {
            switch event {
            case let .prepared(info):
                totalSteps = info.totalSteps
                let total = info.totalSteps
                try store.update(id) { j in
                    j.totalSteps = total
                    return true
                }
                // A run restarted after a stop forgets the steps it repeats: all of them when no checkpoint was written.
                try store.forgetProgress(job: id, after: info.resumedAfterStep)
                try store.update(id) { j in
                    j.step = info.resumedAfterStep
                    return true
                }
                if info.resumedAfterStep > 0 {
                    try store.addEvent(job: id, message: "Resumed from the checkpoint at step \(info.resumedAfterStep) of \(total)", now: now)
                } else {
                    try store.addEvent(job: id, message: "Training \(info.modelName) on \(info.trainExamples) examples (\(info.trainTokens) tokens)"
                                       + (info.validExamples > 0 ? ", validating on \(info.validExamples)" : "")
                                       + ": \(total) steps, \(info.trainableParameters) trainable parameters", now: now)
                }
                if info.droppedExamples > 0 {
                    try store.addEvent(job: id, level: "warn", message: "\(info.droppedExamples) examples were skipped: their first answer token "
                                       + "lies beyond max_seq_len \(job.training.maxSeqLen)", now: now)
                }
            case let .step(report):
                lastTrainLoss = report.loss
                let finish = now + Int(report.remainingSeconds.isFinite ? report.remainingSeconds.rounded(.up) : 0)
                try store.update(id) { j in
                    j.step = report.step
                    j.tokens = report.totalTokens
                    j.estimatedFinish = finish
                    return true
                }
                let data = Self.json(["step": Double(report.step), "total_steps": Double(report.totalSteps), "train_loss": report.loss,
                                      "learning_rate": report.learningRate, "grad_norm": report.gradientNorm,
                                      "tokens_per_second": report.tokensPerSecond, "epoch": report.epoch,
                                      "trained_tokens": Double(report.totalTokens), "elapsed_seconds": report.elapsedSeconds])
                try store.addEvent(job: id, message: "Step \(report.step)/\(report.totalSteps): training loss=\(Self.format(report.loss))",
                                   type: "metrics", data: data, step: report.step, now: now)
            case let .evaluated(step, loss, perplexity):
                lastValidLoss = loss
                let data = Self.json(["step": Double(step), "total_steps": Double(totalSteps), "valid_loss": loss,
                                      "full_valid_loss": loss, "valid_perplexity": perplexity])
                try store.addEvent(job: id, message: "Step \(step)/\(totalSteps): validation loss=\(Self.format(loss))",
                                   type: "metrics", data: data, step: step, now: now)
            case let .checkpoint(step, path):
                try store.addCheckpoint(CheckpointRecord(
                    seq: nil, id: ObjectID.make("ftckpt"), jobID: id, createdAt: now, stepNumber: step,
                    fineTunedModelCheckpoint: "\(job.servedAs):ckpt-step-\(step)", path: path, trainLoss: lastTrainLoss,
                    validLoss: lastValidLoss))
                try store.addEvent(job: id, message: "Checkpoint saved at step \(step)", now: now)
            }
        } catch {
            // A progress record that cannot be written does not stop training; the outcome is recorded at the end.
        }
    }
}
