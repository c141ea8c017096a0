import Gateway
import Tokenizers

/// One way to answer a request, as the planner chose it: a configured model, run here or served by a
/// remote OpenAI-compatible backend, or an adapter-model (a configured model run with LoRA adapters).
///
/// Whatever a later feature decides per candidate is a stored property here, filled in by `ChatPlanner`
/// and read by the candidate's answerer.
struct AnswerCandidate: Sendable {
    /// The model as the response names it: a configured model, or an adapter-model `base:adapter` (with
    /// the adapter's tier).
    let model: ServedModel
    /// The backend of a model served remotely; nil for a model this server runs.
    let remote: RemoteBackend?
    /// The configured model that runs: `model` itself, or the base of an adapter-model.
    let base: ServedModel
    /// The LoRA adapters applied to every generation (local candidates only; empty for the bare model).
    let adapters: AdapterSelection
    /// A system message put before the conversation for generation (a routed expert's system prompt, for a
    /// request without one); nil: the conversation as sent.
    let systemPrompt: String?

    init(model: ServedModel, remote: RemoteBackend?, base: ServedModel? = nil, adapters: AdapterSelection = .none,
         systemPrompt: String? = nil) {
        self.model = model
        self.remote = remote
        self.base = base ?? model
        self.adapters = adapters
        self.systemPrompt = systemPrompt
    }

    var id: String { model.id }

    /// The conversation this candidate generates from: `messages`, after `systemPrompt` when there is one.
    func messages(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard let systemPrompt else { return messages }
        return [ChatMessage(role: "system", content: systemPrompt)] + messages
    }

    /// The answerer that tries this candidate.
    func answerer(state: ServerState) -> any ChatAnswerer {
        if let remote { return RemoteAnswerer(state: state, candidate: self, backend: remote) }
        return LocalAnswerer(state: state, candidate: self)
    }
}
