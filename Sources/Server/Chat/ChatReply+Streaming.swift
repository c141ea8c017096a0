import Engine
import Gateway
import HTTPTypes
import Hummingbird

extension ChatReply {
    private var streamHeaders: HTTPFields {
        var headers = SSEWriter.headers
        headers.append(contentsOf: routingHeaders)
        return headers
    }

    /// Streams tokens as they are generated.
    func stream(_ streams: [GenerationRunner.EventStream], timeout: Double?) -> Response {
        Response(status: .ok, headers: streamHeaders, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            var finished = 0
            for index in streams.indices {
                try await sse.send(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
            }
            var pending = [[GeneratedToken]](repeating: [], count: streams.count)
            var sent = [String](repeating: "", count: streams.count)
            var outputs = [ChoiceOutput](repeating: ChoiceOutput(), count: streams.count)
            var failure: APIError?
            // With tools each choice's text goes through a parser that holds back calls (a pre-filled `<tool_call>` first).
            var parsers: [ToolCallStreamParser?] = streams.map { _ in tools.map { ToolCallStreamParser(names: $0.names) } }
            var calls = [Int](repeating: 0, count: streams.count)
            for index in parsers.indices { _ = parsers[index]?.feed(tools?.prefill ?? "") }
            func send(_ text: String, index: Int) async throws {
                if var parser = parsers[index] {
                    let events = parser.feed(text)
                    parsers[index] = parser
                    guard !events.isEmpty else { return }
                    for c in toolChunks(events, index: index, calls: &calls[index], logprobs: logprobs(pending[index])) { try await sse.send(c) }
                } else {
                    try await sse.send(chunk([.init(index: index, delta: .init(content: text), logprobs: logprobs(pending[index]))]))
                }
                pending[index].removeAll()
            }
            try await StreamRelay.relay(streams, timeout: timeout) { event in
                switch event {
                case let .token(index, token):
                    pending[index].append(token)
                    guard !token.text.isEmpty else { return }
                    if sent.allSatisfy(\.isEmpty) { state.metrics.recordFirstToken(model: model.id, after: .now - routing.started) }
                    sent[index] += token.text
                    try await send(token.text, index: index)
                case let .finished(index, output):
                    outputs[index] = output
                    if output.text.count > sent[index].count, output.text.hasPrefix(sent[index]) {
                        try await send(String(output.text.dropFirst(sent[index].count)), index: index)
                    }
                    if var parser = parsers[index] {
                        for c in toolChunks(parser.finish(), index: index, calls: &calls[index], logprobs: nil) { try await sse.send(c) }
                        parsers[index] = parser
                    }
                    finished += 1
                    try await sse.send(chunk([.init(index: index, delta: .init(),
                                                    logprobs: pending[index].isEmpty ? nil : logprobs(pending[index]),
                                                    finishReason: calls[index] > 0 ? "tool_calls" : output.finishReasonText)],
                                             last: finished == streams.count && !parameters.includeUsage, outputs: outputs))
                case let .failed(error):
                    failure = APIError.from(error)
                case let .timedOut(seconds):
                    failure = APIError.timeout(seconds: seconds)
                }
            }
            record(outputs, status: failure == nil ? "ok" : "error")
            if let failure {
                try await sse.send(error: failure)
            } else if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true, outputs: outputs))
            }
            try await sse.finish()
        })
    }

    /// Streams already complete outputs (JSON mode): role, whole content, finish, usage.
    func bufferedStream(_ outputs: [ChoiceOutput]) -> Response {
        Response(status: .ok, headers: streamHeaders, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            for (index, output) in outputs.enumerated() {
                try await sse.send(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
                try await sse.send(chunk([.init(index: index, delta: .init(content: output.text), logprobs: logprobs(output.tokens))]))
                try await sse.send(chunk([.init(index: index, delta: .init(), finishReason: output.finishReasonText)],
                                         last: index == outputs.count - 1 && !parameters.includeUsage, outputs: outputs))
            }
            record(outputs, status: "ok")
            if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true, outputs: outputs))
            }
            try await sse.finish()
        })
    }
}
