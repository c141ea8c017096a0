import Gateway

/// Answers with a model served by a remote OpenAI-compatible backend, through `RemoteForwarder`: the
/// client's body is forwarded with the model name replaced, and the judge (where the turn judges) decides
/// on the backend's log-probabilities.
///
/// Escalates, while a later candidate exists, when the backend cannot answer (`RemoteBackendError`) or the
/// judge finds its answer unsure (`RemoteLowConfidence`); a backend failure also moves on to a fallback
/// (`AnswerTurn.mayFailOver`). The last one's backend failure is a 503 `backend_unavailable`.
struct RemoteAnswerer: ChatAnswerer {
    let state: ServerState
    let candidate: AnswerCandidate
    let backend: RemoteBackend

    func answer(_ input: ChatInput, turn: AnswerTurn) async throws -> AnswerAttempt {
        let served = candidate.model
        let forwarder = RemoteForwarder(state: state, backend: backend, routing: turn.outcome(candidate),
                                        judge: turn.judgesConfidence ? turn.plan.judge.judging(served.id) : nil, recorder: turn.recorder)
        do {
            return .answered(try await forwarder.chat(body: input.rawBody, stream: input.parameters.stream))
        } catch let unsure as RemoteLowConfidence {
            return .escalated(Escalation(from: served.id, reason: .lowConfidence, confidence: unsure.confidence,
                                         detail: input.parameters.stream ? "first \(unsure.tokens) tokens" : nil))
        } catch let error as RemoteBackendError {
            guard turn.mayEscalate || turn.mayFailOver else { throw APIError.unavailable(error.description, code: "backend_unavailable", retryAfter: 10) }
            return .escalated(Escalation(from: served.id, reason: .backendError, detail: error.description))
        }
    }
}
