@testable import Gateway
import Testing
import Tokenizers

/// When a call after tool results asks again what an answered call asked (the small models' tool loop).
struct ParsedToolCallRepeatsTests {
    let answered = ChatToolCall(id: "call_1", name: "get_weather", arguments: #"{"city": "Oslo", "days": 2}"#)

    @Test func theSameCallSpelledDifferentlyRepeats() {
        #expect(ParsedToolCall(name: "get_weather", arguments: #"{"days":2,"city":"Oslo"}"#).repeats(answered))
        #expect(ParsedToolCall(name: "get_weather", arguments: #"{"city": " oslo ", "days": 2.0}"#).repeats(answered))
    }

    @Test func addingDefaultsRepeatsButChangingAValueDoesNot() {
        #expect(ParsedToolCall(name: "get_weather", arguments: #"{"city": "Oslo", "days": 2, "unit": "celsius"}"#).repeats(answered))
        #expect(!ParsedToolCall(name: "get_weather", arguments: #"{"city": "Bergen", "days": 2}"#).repeats(answered))
        #expect(!ParsedToolCall(name: "get_weather", arguments: #"{"city": "Oslo"}"#).repeats(answered))      // asks for less
        #expect(!ParsedToolCall(name: "get_time", arguments: #"{"city": "Oslo", "days": 2}"#).repeats(answered))
    }

    @Test func nestedValuesAndListsCompareItemByItem() {
        let earlier = ChatToolCall(id: "c", name: "send", arguments: #"{"to": ["a@x.io"], "meta": {"p": 1}}"#)
        #expect(ParsedToolCall(name: "send", arguments: #"{"to": ["A@x.io"], "meta": {"p": 1, "q": true}}"#).repeats(earlier))
        #expect(!ParsedToolCall(name: "send", arguments: #"{"to": ["a@x.io", "b@x.io"], "meta": {"p": 1}}"#).repeats(earlier))
        #expect(!ParsedToolCall(name: "send", arguments: #"{"to": ["a@x.io"], "meta": {"p": 2}}"#).repeats(earlier))
    }

    @Test func unparsableArgumentsRepeatOnlyWhenIdentical() {
        let earlier = ChatToolCall(id: "c", name: "f", arguments: "not json")
        #expect(ParsedToolCall(name: "f", arguments: "not json").repeats(earlier))
        #expect(!ParsedToolCall(name: "f", arguments: "{}").repeats(earlier))
    }
}
