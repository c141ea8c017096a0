import Gateway

/// One way to answer a request, as the planner chose it: today a configured model, run here or served by a
/// remote OpenAI-compatible backend.
///
/// Whatever a later feature decides per candidate (say, an adapter for a local model) is a stored property
/// here, filled in by `ChatPlanner` and read by the candidate's answerer.
struct AnswerCandidate: Sendable {
    /// The configured model that answers.
    let model: ServedModel
    /// The backend of a model served remotely; nil for a model this server runs.
    let remote: RemoteBackend?

    var id: String { model.id }

    /// The answerer that tries this candidate.
    func answerer(state: ServerState) -> any ChatAnswerer {
        if let remote { return RemoteAnswerer(state: state, candidate: self, backend: remote) }
        return LocalAnswerer(state: state, candidate: self)
    }
}
