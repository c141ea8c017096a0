import Gateway
import Hummingbird

/// The result of one candidate's try.
enum AnswerAttempt: Sendable {
    /// The response to send.
    case answered(Response)
    /// The next candidate should try; `to` is left for the caller to fill in.
    case escalated(Escalation)
}
