extension TrainingConfiguration {
    /// The settings that change what training computes, as canonical text by snake_case name: everything but
    /// the paths (`model`, `data`, `valid`, `output`: the fingerprint hashes their contents instead), `threads`,
    /// `eval_every`, `save_every` and `keep_checkpoints`.
    public var fingerprintSettings: [String: String] {
        [
            "rank": "\(rank)",
            "alpha": "\(alpha)",
            "dropout": "\(dropout)",
            "rslora": "\(rslora)",
            "targets": targets.map(\.rawValue).joined(separator: ","),
            "epochs": "\(epochs)",
            "learning_rate": "\(learningRate)",
            "batch_size": "\(batchSize)",
            "grad_accum": "\(gradAccum)",
            "max_seq_len": "\(maxSeqLen)",
            "warmup": "\(warmup)",
            "schedule": schedule.rawValue,
            "min_learning_rate": "\(minLearningRate)",
            "weight_decay": "\(weightDecay)",
            "max_grad_norm": "\(maxGradNorm)",
            "seed": "\(seed)",
            "pack": "\(pack)",
            "max_steps": maxSteps.map(String.init) ?? "none",
        ]
    }
}
