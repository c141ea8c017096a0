import Engine
import Gateway
import Hummingbird
import Tokenizers

extension LocalAnswerer {
    /// The answer to a conversation that ends with tool results. Small models (Qwen2.5-Coder 0.5B and 1.5B) often
    /// repeat the call they just got the result of instead of using it; an agent would loop on that forever. So the
    /// answer is generated whole, and when it repeats a call already answered in the conversation (see
    /// `ParsedToolCall.repeats`: the same function and arguments, perhaps with defaults spelled out):
    ///
    /// 1. the model is asked again with the tools withheld, to answer in text from the results (the 1.5B does);
    /// 2. when that answer is itself shaped like a call (the 0.5B writes the call it wanted as JSON text), the model
    ///    is asked once more with the tools offered but the repeated functions withheld: then it calls the next
    ///    function the task needs (ToolBench's multi-step cases).
    ///
    /// Withholding only the repeated functions first would not do: both models then call another function for the
    /// same purpose (`search_web("weather in Paris")` after `get_weather("Paris")`) where a text answer was due.
    func answerAfterToolResults(messages: [ChatMessage], tools: ChatTools, options: [GenerationOptions], promptIDs: [Int32],
                                model: LocalModel, timeout: Double?, reply: (Double?) -> ChatReply) async throws -> Response {
        func generate(_ promptIDs: [Int32], _ tools: ChatTools?) async throws -> [ChoiceOutput] {
            var options = options
            let constraint = tools.map { $0.constraint(vocabulary: model.tokenVocabulary, afterResults: true) }
            for i in options.indices { options[i].constraint = constraint }
            return try await GenerationRunner.collectAll(GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options),
                                                         timeout: timeout)
        }
        func rebuilt(_ first: ChatReply, promptTokens: Int, tools: ChatTools?) -> ChatReply {
            ChatReply(state: first.state, model: model, parameters: first.parameters, promptTokens: promptTokens,
                      id: first.id, created: first.created, routing: first.routing, recorder: first.recorder, tools: tools)
        }
        var outputs = try await generate(promptIDs, tools)
        var answer = reply(nil)
        let answered = messages.flatMap { $0.toolCalls ?? [] }
        let repeated = Set(outputs.flatMap { tools.parse($0.text).calls }.filter { call in answered.contains { call.repeats($0) } }.map(\.name))
        if !repeated.isEmpty {
            let textPromptIDs = try model.toolPromptIDs(messages: messages, tools: [])
            outputs = try await generate(textPromptIDs, nil)
            answer = rebuilt(answer, promptTokens: textPromptIDs.count, tools: nil)
            if outputs.contains(where: { ToolCallFormat.looksLikeCall($0.text) }),
               let others = try tools.withholding(repeated, grammars: state.grammars) {
                let otherPromptIDs = try model.toolPromptIDs(messages: messages, tools: others.definitions, prefill: others.prefill)
                outputs = try await generate(otherPromptIDs, others)
                answer = rebuilt(answer, promptTokens: otherPromptIDs.count, tools: others)
            }
        }
        return answer.parameters.stream ? answer.bufferedStream(outputs) : answer.response(outputs)
    }
}
