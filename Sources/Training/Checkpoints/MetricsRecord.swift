import Foundation

/// One line of `metrics.jsonl`: the state of training after an optimizer step.
public struct MetricsRecord: Sendable, Equatable {
    /// The 1-based optimizer step.
    public var step: Int
    /// Fractional epochs completed (1.5: half-way through the second epoch).
    public var epoch: Double
    /// Mean training loss per target token over the step's micro-batches.
    public var loss: Double
    /// The step's learning rate.
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradNorm: Double
    /// Tokens processed per second during the step.
    public var tokensPerSecond: Double
    /// Training time since the run began (across resumes).
    public var elapsedSeconds: Double
    /// Validation loss, when the step evaluated.
    public var valLoss: Double?
    /// `exp(valLoss)`, when the step evaluated.
    public var valPerplexity: Double?

    /// A record; `valPerplexity` defaults to `exp(valLoss)`.
    public init(step: Int, epoch: Double, loss: Double, learningRate: Double, gradNorm: Double, tokensPerSecond: Double,
                elapsedSeconds: Double, valLoss: Double? = nil, valPerplexity: Double? = nil) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
        self.gradNorm = gradNorm
        self.tokensPerSecond = tokensPerSecond
        self.elapsedSeconds = elapsedSeconds
        self.valLoss = valLoss
        self.valPerplexity = valPerplexity ?? valLoss.map { exp($0) }
    }

    /// The JSON line (no newline), keys in the documented order, non-finite numbers as `null`, absent validation
    /// values omitted.
    public var jsonLine: String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        var fields = [
            "\"step\":\(step)", "\"epoch\":\(number(epoch))", "\"loss\":\(number(loss))",
            "\"learning_rate\":\(number(learningRate))", "\"grad_norm\":\(number(gradNorm))",
            "\"tokens_per_second\":\(number(tokensPerSecond))", "\"elapsed_seconds\":\(number(elapsedSeconds))",
        ]
        if let valLoss { fields.append("\"val_loss\":\(number(valLoss))") }
        if let valPerplexity { fields.append("\"val_perplexity\":\(number(valPerplexity))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Parses a line written by ``jsonLine`` (nulls read as NaN); nil for anything else.
    public init?(jsonLine: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(jsonLine.utf8))) as? [String: Any],
              let step = (object["step"] as? NSNumber)?.intValue else { return nil }
        func value(_ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? .nan }
        self.init(step: step, epoch: value("epoch"), loss: value("loss"), learningRate: value("learning_rate"),
                  gradNorm: value("grad_norm"), tokensPerSecond: value("tokens_per_second"),
                  elapsedSeconds: value("elapsed_seconds"),
                  valLoss: object["val_loss"] == nil ? nil : value("val_loss"),
                  valPerplexity: object["val_perplexity"] == nil ? nil : value("val_perplexity"))
    }
}
