import Engine
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
            try await StreamRelay.relay(streams, timeout: timeout) { event in
                switch event {
                case let .token(index, token):
                    pending[index].append(token)
                    guard !token.text.isEmpty else { return }
                    if sent.allSatisfy(\.isEmpty) { state.metrics.recordFirstToken(model: model.id, after: .now - routing.started) }
                    sent[index] += token.text
                    try await sse.send(chunk([.init(index: index, delta: .init(content: token.text),
                                                    logprobs: logprobs(pending[index]))]))
                    pending[index].removeAll()
                case let .finished(index, output):
                    outputs[index] = output
                    if output.text.count > sent[index].count, output.text.hasPrefix(sent[index]) {
                        let rest = String(output.text.dropFirst(sent[index].count))
                        try await sse.send(chunk([.init(index: index, delta: .init(content: rest), logprobs: logprobs(pending[index]))]))
                        pending[index].removeAll()
                    }
                    finished += 1
                    try await sse.send(chunk([.init(index: index, delta: .init(),
                                                    logprobs: pending[index].isEmpty ? nil : logprobs(pending[index]),
                                                    finishReason: output.finishReasonText)],
                                             last: finished == streams.count && !parameters.includeUsage))
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
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true))
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
                                         last: index == outputs.count - 1 && !parameters.includeUsage))
            }
            record(outputs, status: "ok")
            if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true))
            }
            try await sse.finish()
        })
    }
}
