import Foundation
import Training

/// Draws a training run on stderr: a redrawn bar (step, loss, tokens/s, ETA) on a terminal, one line every
/// 5 % or 10 s otherwise; validation and checkpoints on their own lines; then the summary.
final class TrainingProgressDisplay: @unchecked Sendable {
    private let json: Bool
    private let isTerminal = isatty(2) == 1
    private var lastLine = -Double.infinity
    private var lastTwentieth = -1
    private var pendingBar = false

    init(json: Bool) { self.json = json }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .prepared(info):
            endBar()
            var text = "training \(info.modelName) (\(info.architecture)): \(info.trainExamples) examples, \(info.trainTokens) tokens "
                + "(\(info.trainTargetTokens) trained), \(info.totalSteps) steps (\(info.stepsPerEpoch) per epoch), "
                + "\(info.trainableParameters) adapter parameters"
            if info.droppedExamples > 0 { text += "; \(info.droppedExamples) examples dropped (no answer within max_seq_len)" }
            if info.storedLayers < info.layers { text += "; \(info.layers - info.storedLayers) of \(info.layers) layers recompute activations" }
            if info.resumedAfterStep > 0 { text += "; resuming after step \(info.resumedAfterStep)" }
            printNote(text)
        case let .step(r):
            let now = ProcessInfo.processInfo.systemUptime
            let line = String(format: "step %d/%d  epoch %.2f  loss %.4f  lr %.2e  grad %.2f  %.0f tok/s  ETA %@", r.step, r.totalSteps,
                              r.epoch, r.loss, r.learningRate, r.gradientNorm, r.tokensPerSecond, Self.duration(r.remainingSeconds))
            if isTerminal {
                let width = 24, filled = width * r.step / max(r.totalSteps, 1)
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(line)".utf8))
                pendingBar = true
            } else {
                let twentieth = 20 * r.step / max(r.totalSteps, 1)
                if twentieth != lastTwentieth || now - lastLine >= 10 || r.step == r.totalSteps {
                    printNote(line)
                    lastTwentieth = twentieth
                    lastLine = now
                }
            }
        case let .evaluated(step, loss, perplexity):
            endBar()
            printNote(String(format: "%@validation loss %.4f, perplexity %.2f", step == 0 ? "before training: " : "step \(step): ", loss, perplexity))
        case let .checkpoint(step, path):
            endBar()
            printNote("step \(step): checkpoint \(path)")
        }
    }

    func finish(_ s: TrainingSummary, output: String) {
        endBar()
        if json {
            var object: [String: Any] = ["steps": s.steps, "total_steps": s.totalSteps, "completed": s.completed,
                                         "tokens_per_second": s.tokensPerSecond, "elapsed_seconds": s.elapsedSeconds,
                                         "peak_rss_mb": Double(s.peakResidentBytes) / 1_048_576]
            object["final_loss"] = s.finalLoss
            object["initial_val_loss"] = s.initialValidationLoss
            object["final_val_loss"] = s.finalValidationLoss
            object["adapter_gguf"] = s.adapterGGUF
            object["adapter_peft"] = s.adapterPEFT
            try? printJSON(object)
            return
        }
        var text = s.completed ? "trained \(s.steps) steps" : "stopped after step \(s.steps) of \(s.totalSteps) (resume with `groupqwen train --resume \(output)`)"
        text += String(format: " in %@, %.0f tok/s, peak RSS %.0f MB", Self.duration(s.elapsedSeconds), s.tokensPerSecond,
                       Double(s.peakResidentBytes) / 1_048_576)
        if let a = s.initialValidationLoss, let b = s.finalValidationLoss {
            text += String(format: "; validation loss %.4f → %.4f (%.0f %%)", a, b, 100 * (b / a - 1))
        }
        printNote(text)
        if let gguf = s.adapterGGUF, let peft = s.adapterPEFT { printNote("adapter: \(gguf) and \(peft)") }
    }

    private func endBar() {
        if pendingBar { FileHandle.standardError.write(Data("\n".utf8)); pendingBar = false }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
