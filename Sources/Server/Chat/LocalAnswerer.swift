import Engine
import Gateway
import Hummingbird

/// Answers with a model this server runs: renders the prompt (with tools as `ChatTools` describes, calls held to their
/// grammar and read from the answer; in JSON mode with its instruction, and the output held
/// to the schema by constrained decoding — or, for a schema that cannot be enforced, the reply pre-filled with `{`;
/// after the candidate's system prompt, if any), checks that it fits the model's context, submits the generations (with the candidate's
/// LoRA adapters, and the model's own chat stop strings, see `LocalModel.chatStopStrings`), judges the answer's
/// confidence (a whole answer on all its tokens, a stream on its first `probe_tokens` tokens, before
/// anything is sent) and formats the reply (`ChatReply`).
///
/// Escalates, while a later candidate exists, when the model cannot be loaded, when prompt plus requested
/// completion overflow its context, or when the turn judges confidence and the answer is too unsure.
struct LocalAnswerer: ChatAnswerer {
    let state: ServerState
    let candidate: AnswerCandidate

    func answer(_ input: ChatInput, turn: AnswerTurn) async throws -> AnswerAttempt {
        let served = candidate.model
        let model: LocalModel
        do {
            model = try await state.pool.model(candidate.base.id)
        } catch {
            guard turn.mayEscalate || turn.mayFailOver else { throw error }
            return .escalated(Escalation(from: served.id, reason: .backendError, detail: "\(error)"))
        }
        let parameters = input.parameters
        let constraints = turn.plan.constraints, tools = turn.plan.tools
        // With a grammar the decoder enforces the format: the model is told about it but nothing is pre-filled.
        // Tools take precedence over a response format.
        let jsonMode = constraints.grammar == nil && tools == nil ? constraints.jsonMode : nil
        let messages = candidate.messages(input.messages)
        let promptIDs: [Int32]
        if tools != nil || messages.contains(where: { $0.role == "tool" || $0.toolCalls != nil }) {
            promptIDs = try model.toolPromptIDs(messages: messages, tools: tools?.definitions ?? [], prefill: tools?.prefill ?? "")
        } else {
            promptIDs = try jsonMode.map { try $0.promptIDs(model: model, messages: messages, strict: false) }
                ?? model.chatPromptIDs(messages: constraints.jsonMode?.messages(messages, strict: false) ?? messages)
        }
        let wanted = promptIDs.count + (parameters.requestedMaxTokens ?? 1)
        if turn.mayEscalate, wanted > model.contextLength {
            return .escalated(Escalation(from: served.id, reason: .contextOverflow,
                                         detail: "\(wanted) tokens needed, context holds \(model.contextLength)"))
        }
        var options = try parameters.generationOptions(promptTokens: promptIDs.count, contextLength: model.contextLength,
                                                       defaultCap: state.configuration.limits.maxTokensDefault)
        let constraint = tools.map { $0.constraint(vocabulary: model.tokenVocabulary, afterResults: messages.last?.role == "tool") }
            ?? constraints.grammar.map { OutputConstraint(grammar: $0, vocabulary: model.tokenVocabulary) }
        for i in options.indices {
            options[i].adapters = candidate.adapters.mix
            options[i].constraint = constraint
            for stop in model.chatStopStrings where !options[i].stop.contains(stop) && options[i].stop.count < RequestParameters.maxStops {
                options[i].stop.append(stop)
            }
        }
        let timeout = state.configuration.limits.requestTimeoutSeconds
        func reply(confidence: Double?) -> ChatReply {
            ChatReply(state: state, model: model, parameters: parameters, promptTokens: promptIDs.count,
                      id: state.makeID("chatcmpl"), created: state.now, routing: turn.outcome(candidate, confidence: confidence),
                      recorder: turn.recorder, tools: tools)
        }

        if let tools, messages.last?.role == "tool" {
            // After tool results the answer is checked before it is sent (a stream gets it in one delta): a call the
            // conversation already made and answered is asked again without tools (`LocalAnswerer+Tools`).
            return .answered(try await answerAfterToolResults(messages: messages, tools: tools, options: options, promptIDs: promptIDs,
                                                              model: model, timeout: timeout, reply: reply))
        }
        if let jsonMode {
            // JSON mode buffers the whole answer so it can be validated; a stream gets it in one delta.
            let outputs = try await jsonMode.run(model: model, messages: messages, firstPromptIDs: promptIDs,
                                                 options: options, timeout: timeout)
            let reply = reply(confidence: nil)
            return .answered(parameters.stream ? reply.bufferedStream(outputs) : reply.response(outputs))
        }
        let streams = try GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options)
        let judge = turn.plan.judge.judging(served.id)
        if parameters.stream {
            // Judge the first tokens before anything is sent, so an escalation stays invisible.
            let probed = streams.map { ProbedStream($0, probeTokens: judge.probeTokens) }
            var first: [GeneratedToken] = []
            for p in probed { first += await p.firstTokens() }
            let confidence = AnswerConfidence.of(logprobs: first.map(\.logprob))
            if turn.judgesConfidence, judge.rejects(confidence) {
                probed.forEach { $0.cancel() }
                return .escalated(Escalation(from: served.id, reason: .lowConfidence, confidence: confidence,
                                             detail: "first \(first.count) tokens"))
            }
            return .answered(reply(confidence: confidence).stream(probed.map(\.events), timeout: timeout))
        }
        let outputs = try await GenerationRunner.collectAll(streams, timeout: timeout)
        let confidence = AnswerConfidence.of(logprobs: outputs.flatMap { $0.tokens.map(\.logprob) })
        if turn.judgesConfidence, judge.rejects(confidence) {
            return .escalated(Escalation(from: served.id, reason: .lowConfidence, confidence: confidence))
        }
        return .answered(reply(confidence: confidence).response(outputs))
    }
}
