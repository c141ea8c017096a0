import FuzzSupport
import NIOCore
@testable import Server

// `POST /v1/chat/completions` bodies as the server reads them: `ChatInput(json:)` decodes the body with
// `JSONCoding` into `ChatCompletionRequest` (messages, content parts, tools, tool_choice, sampling fields,
// adapters, logprobs…), restores the tools' key order from the raw text, checks the sampling parameters and
// maps the messages to the template's; then `ChatConstraints` compiles a `response_format` JSON schema into
// the constrained-decoding grammar, as the chat controller does.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChatRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    guard let input = try? ChatInput(json: buffer) else { return 0 }
    _ = try? ChatConstraints(input.body, grammars: GrammarCache())
    return 0
}

runFuzzer(fuzzChatRequest)
