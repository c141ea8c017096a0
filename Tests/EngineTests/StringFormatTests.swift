@testable import Engine
import Foundation
import Testing

/// JSON Schema `format`s enforced by constrained decoding.
struct StringFormatTests {
    @Test(arguments: [
        ("date", ["2024-02-29", "1999-12-31", "0001-01-01"], ["2024-13-01", "2024-00-10", "2024-01-32", "24-01-01", "2024-1-01", "2024-01-01x"]),
        ("time", ["23:59:60Z", "08:30:00+02:00", "00:00:00.123456z", "12:00:00-05:30"], ["24:00:00Z", "12:60:00Z", "12:00:00", "12:00Z", "12:00:00+2:00"]),
        ("date-time", ["2024-05-01T12:34:56Z", "2024-05-01t12:34:56.5+01:00"], ["2024-05-01 12:34:56Z", "2024-05-01T12:34:56", "2024-05-01"]),
        ("uuid", ["123e4567-e89b-12d3-a456-426614174000", "ABCDEF01-2345-6789-ABCD-EF0123456789"], ["123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"]),
        ("ipv4", ["0.0.0.0", "192.168.1.255", "255.255.255.255"], ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4"]),
        ("email", ["ann@example.com", "first.last+tag@mail.co.uk"], ["ann@example", "@example.com", "ann@@example.com", "ann example@x.com"]),
        ("hostname", ["example.com", "a", "my-host.local"], ["-bad.com", "bad-.com", "a..b", "under_score.com"]),
        ("uri", ["https://example.com/a?b=c#d", "mailto:ann@example.com", "urn:isbn:0451450523"], ["example.com", "1http://x", "http://a b", "http:"]),
    ])
    func formatsAcceptTheirTextsOnly(name: String, good: [String], bad: [String]) throws {
        let format = try #require(StringFormat.named(name))
        for text in good { #expect(format.matches(text), "\(name) should accept \(text)") }
        for text in bad { #expect(!format.matches(text), "\(name) should refuse \(text)") }
    }

    func valid(_ text: String, _ g: JSONSchemaGrammar) -> Bool {
        var m = JSONMatcher(grammar: g)
        return m.advance(Array(text.utf8)) && m.canFinish
    }

    @Test func theMatcherEnforcesFormatsInsideDocuments() throws {
        let g = try JSONSchemaGrammar(schemaJSON: #"""
            {"type": "object", "required": ["when", "id"], "additionalProperties": false,
             "properties": {"when": {"type": "string", "format": "date"}, "id": {"format": "uuid"},
                            "port": {"type": "integer", "format": "int32"}, "host": {"type": ["string", "null"], "format": "ipv4"}}}
            """#)
        #expect(valid(#"{"when":"2024-05-01","id":"123e4567-e89b-12d3-a456-426614174000"}"#, g))
        #expect(valid(#"{"when": "2024-05-01", "id": "123e4567-e89b-12d3-a456-426614174000", "host": null, "port": 8080}"#, g))
        #expect(!valid(#"{"when":"May 1st","id":"123e4567-e89b-12d3-a456-426614174000"}"#, g))
        #expect(!JSONMatcher(grammar: g).accepts(Array(#"{"when":"2024-5"#.utf8)))   // refused at the byte
        #expect(!valid(#"{"when":"2024-05-01","id":"x","port":1}"#, g))
        #expect(!valid(#"{"when":"2024-05-01","id":"123e4567-e89b-12d3-a456-426614174000","port":3000000000}"#, g))
        #expect(!valid(#"{"when":"2024-05-01","id":"123e4567-e89b-12d3-a456-426614174000","host":"1.2.3.400"}"#, g))
    }

    @Test func unknownFormatsAndCombinationsAreNamed() {
        for schema in [#"{"type": "string", "format": "ipv6"}"#, #"{"format": "duration"}"#,
                       #"{"type": "string", "format": "date", "maxLength": 10}"#, #"{"type": "number", "format": "decimal"}"#] {
            #expect(throws: JSONSchemaError.self, "\(schema)") { try JSONSchemaGrammar(schemaJSON: schema) }
        }
        do {
            _ = try JSONSchemaGrammar(schemaJSON: #"{"type": "string", "format": "ipv6"}"#)
        } catch {
            #expect("\(error)".contains("ipv6") && "\(error)".contains("date-time"))
        }
    }
}
