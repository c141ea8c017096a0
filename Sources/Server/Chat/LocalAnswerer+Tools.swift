import Engine
import Gateway
import Hummingbird
import Tokenizers

extension LocalAnswerer {
    /// The answer to a conversation that ends with tool results. Small models (Qwen2.5-Coder 0.5B and 1.5B) often
    /// repeat the call they just got the result of instead of using it; an agent would loop on that forever. So the
    /// answer is generated whole, and when it repeats a call already answered in the conversation (same function,
    /// same arguments) the model is asked again with the tools withheld, and answers in text from the results.
    func answerAfterToolResults(messages: [ChatMessage], tools: ChatTools, options: [GenerationOptions], promptIDs: [Int32],
                                model: LocalModel, timeout: Double?, reply: (Double?) -> ChatReply) async throws -> Response {
        var outputs = try await GenerationRunner.collectAll(
            GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options), timeout: timeout)
        let answered = Set(messages.flatMap { $0.toolCalls ?? [] }.map { Self.callKey(name: $0.name, arguments: $0.arguments) })
        let repeats = outputs.contains { output in
            tools.parse(output.text).calls.contains { answered.contains(Self.callKey(name: $0.name, arguments: $0.arguments)) }
        }
        var reply = reply(nil)
        if repeats {
            let textPromptIDs = try model.toolPromptIDs(messages: messages, tools: [])
            var textOptions = options
            for i in textOptions.indices { textOptions[i].constraint = nil }
            outputs = try await GenerationRunner.collectAll(
                GenerationRunner.submit(model: model, promptIDs: textPromptIDs, options: textOptions), timeout: timeout)
            reply = ChatReply(state: reply.state, model: model, parameters: reply.parameters, promptTokens: textPromptIDs.count,
                              id: reply.id, created: reply.created, routing: reply.routing, recorder: reply.recorder)
        }
        return reply.parameters.stream ? reply.bufferedStream(outputs) : reply.response(outputs)
    }

    /// A call's identity: the function and its arguments in one canonical spelling.
    static func callKey(name: String, arguments: String) -> String {
        name + "\u{0}" + ((try? TemplateValue.parseJSON(arguments))?.jsonText ?? arguments)
    }
}
