/// Answers a chat request with one candidate, or says why the next candidate should try.
///
/// Local and remote candidates implement it alike, so the controller's loop is the same for both: ask each
/// candidate in turn, return its response, or record its escalation and ask the next.
///
/// - `.answered`: the response to send (a stream may still be running); the answerer has arranged for the
///   recorder to record it when it finishes.
/// - `.escalated`: nothing was sent; the caller fills in `Escalation.to`, logs and keeps it.
/// - A thrown error fails the request. When `turn.mayEscalate` is false (the last candidate) an answerer
///   never escalates: it answers or throws.
protocol ChatAnswerer: Sendable {
    func answer(_ input: ChatInput, turn: AnswerTurn) async throws -> AnswerAttempt
}
