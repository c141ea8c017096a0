import Training

/// What `ExpertBuilder` reports while it runs.
public enum ExpertBuildEvent: Sendable {
    /// A stage of an expert (or of the router: `expert` nil) started, was skipped (inputs unchanged), or finished.
    case stage(expert: String?, stage: String, status: StageStatus, detail: String)
    /// A training event of one expert's run.
    case training(expert: String, TrainingEvent)

    public enum StageStatus: String, Sendable { case started, skipped, finished }
}
