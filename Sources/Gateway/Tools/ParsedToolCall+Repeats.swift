import Foundation
import Tokenizers

extension ParsedToolCall {
    /// Whether this call asks again what `earlier` already asked: the same function, and arguments that agree with the
    /// earlier call's on every key it gave (keys it left out may be added, as a model spelling out defaults does:
    /// `get_weather(city: "Oslo")` answered, then `get_weather(city: "Oslo", unit: "celsius")` is a repeat;
    /// `get_weather(city: "Bergen")` is not). Strings compare without regard to case and surrounding spaces, numbers by value.
    public func repeats(_ earlier: ChatToolCall) -> Bool {
        guard name == earlier.name else { return false }
        guard let now = try? TemplateValue.parseJSON(arguments), let before = try? TemplateValue.parseJSON(earlier.arguments) else {
            return arguments == earlier.arguments
        }
        return Self.covers(now, before)
    }

    /// Whether `value` says at least what `earlier` said.
    static func covers(_ value: TemplateValue, _ earlier: TemplateValue) -> Bool {
        switch (value, earlier) {
        case let (.dictionary(now), .dictionary(before)):
            return before.keys.allSatisfy { key in now[key].map { covers($0, before[key]!) } ?? false }
        case let (.array(now), .array(before)):
            return now.count == before.count && zip(now, before).allSatisfy { covers($0, $1) }
        case let (.string(a), .string(b)):
            return a.trimmingCharacters(in: .whitespaces).lowercased() == b.trimmingCharacters(in: .whitespaces).lowercased()
        case let (.int(a), .double(b)): return Double(a) == b
        case let (.double(a), .int(b)): return a == Double(b)
        default:
            return value == earlier
        }
    }
}
