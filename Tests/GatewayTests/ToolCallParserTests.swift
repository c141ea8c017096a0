@testable import Gateway
import Testing
import Tokenizers

/// Reading tool calls out of answers, whole and streamed, and the fallback prompt for templates without tools.
struct ToolCallParserTests {
    let parser = ToolCallParser(names: ["get_weather", "search"])

    @Test func taggedCallsAndContent() {
        let (content, calls) = parser.parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                                            + "<tool_call>\n{\"name\": \"search\", \"arguments\": \"{\\\"query\\\": \\\"x\\\"}\"}")
        #expect(content == "Let me check.")
        #expect(calls == [ParsedToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#),
                          ParsedToolCall(name: "search", arguments: #"{"query": "x"}"#)])
    }

    @Test func textAfterAnUnclosedCallIsContent() {
        let (content, calls) = parser.parse("<tool_call>\n\n{\"name\": \"search\", \"arguments\": {\"query\": \"}{\"}}\n\nGreeting: hi")
        #expect(calls == [ParsedToolCall(name: "search", arguments: #"{"query": "}{"}"#)])
        #expect(content == "Greeting: hi")
    }

    @Test func bareAndFencedCalls() {
        #expect(parser.parse(" {\"name\": \"search\", \"arguments\": {}}").calls == [ParsedToolCall(name: "search", arguments: "{}")])
        #expect(parser.parse("```json\n{\"name\": \"search\", \"parameters\": {\"q\": 1}}\n```").calls
                == [ParsedToolCall(name: "search", arguments: #"{"q": 1}"#)])
        #expect(parser.parse("{\"name\": \"search\"}").calls == [ParsedToolCall(name: "search", arguments: "{}")])
    }

    @Test func whatIsNotACallStaysContent() {
        let texts = ["Paris is sunny.", "{\"name\": \"other\", \"arguments\": {}}", "<tool_call>\n{\"name\": \"get_weather\", \"argu",
                     "{\"a\": 1}", "<tool_call>{\"name\": \"search\", \"arguments\": [1]}</tool_call>"]
        for text in texts {
            let (content, calls) = parser.parse(text)
            #expect(calls.isEmpty, "\(text)")
            #expect(content == text, "\(text)")
        }
    }

    /// Every split of an answer into two pieces streams to the same content and calls as the whole answer.
    @Test func streamingAgreesWithTheWholeAnswer() {
        let answers = ["Hello <tool_ there", "Checking.<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\": \"a\"}}\n</tool_call>\n",
                       "{\"name\": \"search\", \"arguments\": {}}", "```json\n{\"name\": \"search\", \"arguments\": {}}\n```",
                       "```python\nprint(1)\n```", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}",
                       "{not json", "<tool_call>{\"name\": \"search\", \"arguments\": {}}\nmore text", "<tool_call>{\"name\": \"search\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"get_weather\", \"arguments\": {}}"]
        for answer in answers {
            let whole = parser.parse(answer)
            for cut in 0...answer.count {
                var stream = ToolCallStreamParser(names: parser.names)
                let events = stream.feed(String(answer.prefix(cut))) + stream.feed(String(answer.dropFirst(cut))) + stream.finish()
                var content = "", calls: [ParsedToolCall] = []
                for event in events {
                    switch event {
                    case let .content(text): content += text
                    case let .call(call): calls.append(call)
                    }
                }
                #expect(calls == whole.calls, "\(answer) cut at \(cut)")
                #expect(content.trimmingWhitespace == whole.content.trimmingWhitespace, "\(answer) cut at \(cut)")
            }
        }
    }

    @Test func contentIsStreamedBeforeTheAnswerEnds() {
        var stream = ToolCallStreamParser(names: parser.names)
        #expect(stream.feed("The weather is ") == [.content("The weather is ")])
        #expect(stream.feed("nice <tool") == [.content("nice ")])            // `<tool` may open a call: held
        #expect(stream.feed("s>") == [.content("<tools>")])
    }

    @Test func fallbackPromptCarriesToolsCallsAndResults() {
        let tools = [ToolDefinition(name: "search", description: "Search", parameters: #"{"type": "object"}"#)]
        let messages = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "news?"),
                        ChatMessage(role: "assistant", content: "", toolCalls: [ChatToolCall(id: "c1", name: "search", arguments: #"{"query":"news"}"#)]),
                        ChatMessage(role: "tool", content: "r1", toolCallID: "c1"), ChatMessage(role: "tool", content: "r2", toolCallID: "c2")]
        let out = ToolCallFormat.fallbackMessages(messages, tools: tools)
        #expect(out.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(out[0].content.hasPrefix("Be brief.\n\n# Tools") && out[0].content.contains(#"{"type": "function", "function": {"name": "search", "description": "Search", "parameters": {"type": "object"}}}"#))
        #expect(out[2].content == "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\": \"news\"}}\n</tool_call>")
        #expect(out[3].content == "<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response>")
    }

    @Test func callSchemaNamesEachFunction() throws {
        let tools = [ToolDefinition(name: "a", parameters: #"{"type": "object", "properties": {"x": {"type": "integer"}}}"#), ToolDefinition(name: "b")]
        let schema = ToolDefinition.callSchema(tools)
        #expect(schema.hasPrefix(#"{"anyOf": ["#) && schema.contains(#"{"const": "a"}"#) && schema.contains(#""arguments": {"type": "object"}"#))
        #expect(ToolDefinition.callSchema([tools[1]]).hasPrefix(#"{"type": "object""#))
    }

    @Test func callShapedTextIsToldFromProse() {
        #expect(ToolCallFormat.looksLikeCall("{\"name\": \"get_weather\", \"arguments\": {}}\n{\"result\": 1}"))
        #expect(ToolCallFormat.looksLikeCall("\n```json\n{\n  \"name\": \"update_order\"}\n```"))
        #expect(ToolCallFormat.looksLikeCall("<tool_call>\n{}"))
        #expect(!ToolCallFormat.looksLikeCall("The weather in Oslo is -3 °C with light snow."))
        #expect(!ToolCallFormat.looksLikeCall("{\"temperature\": -3}"))
        #expect(!ToolCallFormat.looksLikeCall("Here is the call: {\"name\": \"x\"}"))
    }
}
