import NIOCore
@testable import Server
import Testing

/// Decoding the tool fields of a chat request.
struct ToolFieldsTests {
    static func input(_ json: String) throws -> ChatInput { try ChatInput(json: ByteBuffer(string: json)) }

    @Test func parametersKeepTheClientsKeyOrder() throws {
        let input = try Self.input(#"""
        {"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function", "function": {"name": "f",
         "parameters": {"type": "object", "properties": {"zeta": {"type": "string"}, "alpha": {"type": "integer"}}, "required": ["zeta"]}}}],
         "tool_choice": {"type": "function", "function": {"name": "f"}}, "parallel_tool_calls": false}
        """#)
        let fields = input.body.toolFields
        #expect(fields.tools.map(\.definition.parameters) == [#"{"type": "object", "properties": {"zeta": {"type": "string"}, "alpha": {"type": "integer"}}, "required": ["zeta"]}"#])
        #expect(fields.effectiveChoice == .function("f") && !fields.parallel && fields.mayCall)
    }

    @Test func toolMessagesCarryTheirCalls() throws {
        let input = try Self.input(#"""
        {"messages": [{"role": "user", "content": "hi"},
                      {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "ok"}]}
        """#)
        #expect(input.messages[1].toolCalls?.first?.arguments == #"{"a": 1}"# && input.messages[1].content.isEmpty)
        #expect(input.messages[2].role == "tool" && input.messages[2].toolCallID == "c1")
        #expect(input.body.toolFields.effectiveChoice == .none && !input.body.toolFields.mayCall)
    }
}
