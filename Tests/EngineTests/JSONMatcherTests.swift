@testable import Engine
import Foundation
import Testing

/// The byte-level JSON Schema matcher and the token trie behind constrained decoding.
struct JSONMatcherTests {
    static let person = #"""
    {"type": "object", "additionalProperties": false, "required": ["name", "age", "tags"],
     "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 8},
                    "age": {"type": "integer", "minimum": 0, "maximum": 120},
                    "tags": {"type": "array", "items": {"enum": ["a", "b", 3]}, "maxItems": 2},
                    "ok": {"type": ["boolean", "null"]}}}
    """#

    func grammar(_ schema: String) throws -> JSONSchemaGrammar { try JSONSchemaGrammar(schemaJSON: schema) }

    /// Whether `text` is a complete valid document.
    func valid(_ text: String, _ g: JSONSchemaGrammar) -> Bool {
        var m = JSONMatcher(grammar: g)
        return m.advance(Array(text.utf8)) && m.canFinish
    }

    /// Whether `text` is a prefix of a valid document.
    func alive(_ text: String, _ g: JSONSchemaGrammar) -> Bool {
        JSONMatcher(grammar: g).accepts(Array(text.utf8))
    }

    @Test func objectsFollowTheSchema() throws {
        let g = try grammar(Self.person)
        #expect(valid(#"{"name":"Ann","age":41,"tags":["a",3]}"#, g))
        #expect(valid("{\n  \"tags\": [],\n  \"age\": 0,\n  \"name\": \"Bo\",\n  \"ok\": null\n}", g))   // any order, spaces
        #expect(valid(#"{"name":"Ann","age":120,"tags":[],"ok":true}"#, g))
        #expect(!valid(#"{"name":"Ann","age":41}"#, g))                       // a required key missing
        #expect(!alive(#"{"name":"Ann","name""#, g))                         // a duplicate key
        #expect(!alive(#"{"nick""#, g))                                       // not a property
        #expect(alive(#"{"na"#, g) && !alive(#"{"nx"#, g))                    // keys checked as they are written
        #expect(!alive(#"{"name":"""#, g))                                    // minLength 1
        #expect(!alive(#"{"name":"123456789"#, g))                           // maxLength 8
        #expect(!alive(#"{"age":121"#, g) && !alive(#"{"age":1.5"#, g) && !alive(#"{"age":-1"#, g))
        #expect(alive(#"{"age":12"#, g))
        #expect(!alive(#"{"tags":["c"#, g) && !alive(#"{"tags":[4"#, g) && !alive(#"{"tags":["a","a","a""#, g))
        #expect(!alive(#"{"ok":"yes""#, g))
        #expect(!alive(#"["#, g) && !alive("x", g))
    }

    @Test func tokensThatMergePunctuation() throws {
        // Tokens such as `"}`, `],`, `":`, ` "` and `},{` carry several grammar steps at once.
        let g = try grammar(#"{"type":"array","items":{"type":"object","properties":{"k":{"type":"string"}},"required":["k"],"additionalProperties":false}}"#)
        var m = JSONMatcher(grammar: g)
        for token in ["[{", "\"k", "\":", " \"", "v", "\"}", ",{", "\"k\":\"", "w\"},", "{\"k\": \"x\"}", "]"] {
            let accepted = m.advance(Array(token.utf8))
            #expect(accepted, "refused \(token)")
        }
        #expect(m.canFinish && m.mustFinish)
        #expect(!m.accepts(Array(",".utf8)))
        #expect(m.accepts(Array("\n".utf8)))
    }

    @Test func stringsAreValidJSONAndUTF8() throws {
        let g = try grammar(#"{"type":"string","maxLength":3}"#)
        #expect(valid(#""\u00e9\n\"""#, g))                  // three characters, escapes count as one
        #expect(!alive(#""\u00g"#, g) && !alive(#""\x"#, g))
        #expect(!alive("\"a\nb", g))                           // a raw newline is not allowed in a string
        let e = Array("\"é".utf8)                              // é split across two tokens
        var m = JSONMatcher(grammar: g)
        #expect(m.advance(e[0..<2]) && m.advance(e[2...]) && m.advance(Array("\"".utf8)) && m.canFinish)
        #expect(!JSONMatcher(grammar: g).accepts([UInt8(ascii: "\""), 0xC3, 0x41]))   // a broken UTF-8 sequence
        #expect(!alive(#""abcd"#, g))
    }

    @Test func numbersNeverReachADeadEnd() throws {
        // Every prefix the matcher accepts can still be completed inside the range.
        for schema in [#"{"type":"integer","minimum":-15,"exclusiveMaximum":100}"#, #"{"type":"number","minimum":2.5,"maximum":3}"#,
                       #"{"type":"integer","minimum":10,"maximum":10}"#] {
            let g = try grammar(schema)
            var frontier = [JSONMatcher(grammar: g)]
            var completions = 0
            for _ in 0..<5 {
                var next: [JSONMatcher] = []
                for m in frontier {
                    var extendable = m.canFinish
                    for b in Array("-0123456789.".utf8) {
                        var n = m
                        if n.advance(b) {
                            next.append(n)
                            extendable = true
                        }
                    }
                    #expect(extendable, "dead end in \(schema)")
                    if m.canFinish { completions += 1 }
                }
                frontier = next
            }
            #expect(completions > 0)
        }
        let g = try grammar(#"{"type":"integer","minimum":-15,"exclusiveMaximum":100}"#)
        #expect(valid("99", g) && valid("-15", g) && !alive("100", g) && !alive("-16", g) && !alive("1e", g))
    }

    @Test func anyOfRefsAndAnyValues() throws {
        let g = try grammar(#"""
        {"$defs": {"node": {"type": "object", "properties": {"v": {"type": "number"}, "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
                            "required": ["v", "next"], "additionalProperties": false}},
         "$ref": "#/$defs/node"}
        """#)
        #expect(valid(#"{"v":1,"next":{"v":2.5e3,"next":null}}"#, g))
        #expect(!valid(#"{"v":1,"next":{"v":2}}"#, g))
        #expect(valid(#"{"a":[1,{"b":null}],"c":"x"}"#, JSONSchemaGrammar.anyObject))
        #expect(!alive("[", JSONSchemaGrammar.anyObject))
        let literal = try grammar(#"{"enum": [1, 12, "12"]}"#)
        #expect(valid("1", literal) && valid("12", literal) && valid("\"12\"", literal) && !alive("13", literal))
    }

    @Test func whitespaceIsWhatAPrettyPrinterWrites() throws {
        let g = JSONSchemaGrammar.anyObject
        let indent = String(repeating: " ", count: JSONMatcher.maxIndent)
        #expect(valid("{\n\(indent)\"a\": [1, 2],\n\t\"b\" : {}\n}\n", g))
        #expect(!alive("{\n\(indent) ", g))   // indentation beyond the limit
        #expect(!alive("{\n\n", g) && !alive("{  ", g) && !alive("{ \n", g) && !alive("{\t", g))
        #expect(!alive("{}\n\n", g))
    }

    @Test func unsupportedKeywordsAreNamed() {
        #expect(throws: JSONSchemaError.unsupported(keyword: "pattern", path: "/properties/a")) {
            try JSONSchemaGrammar(schemaJSON: #"{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}"#)
        }
        #expect(throws: JSONSchemaError.self) {   // formats: StringFormatTests
            try JSONSchemaGrammar(schemaJSON: #"{"type":"string","format":"idn-email"}"#)
        }
        #expect(throws: (any Error).self) { try JSONSchemaGrammar(schemaJSON: ##"{"$ref":"#/$defs/missing"}"##) }
        #expect(throws: (any Error).self) { try JSONSchemaGrammar(schemaJSON: #"{"type":"strin"}"#) }
    }

    @Test func trieMaskEqualsCheckingEveryToken() throws {
        // A small vocabulary with merged punctuation, spaces and split UTF-8.
        let pieces = ["{", "}", "\"", "\":", "\"}", "],", "[", "]", ",", " ", "\n", "  \"", "name", "na", "me", "a", "1", "12", "-", ".",
                      "true", "tr", "ue", "null", "\\u", "00", "e9", "\u{e9}", "\"name\"", "{\"", "\u{c3}"]
        var bytes = pieces.map { Array($0.utf8) }
        bytes[bytes.count - 1] = [0xC3]
        bytes.append([])   // a control token: end of generation
        let vocabulary = TokenVocabulary(bytes: bytes, endOfGeneration: [Int32(bytes.count - 1)])
        let person = try grammar(Self.person)
        let cases: [(JSONSchemaGrammar, String)] = ["", "{", "{\"", "{\"name\"", "{\"name\":\"A", "{\"age\":1", "{\"tags\":[",
                                                   "{\"tags\":[\"a\"", "{\"ok\":tr"].map { (person, $0) }
            // Inside a string without maxLength: plain-text tokens are taken without the trie walk.
            + ["{\"k\":\"", "{\"k\":\"ab", "{\"k\":\"\\u00"].map { (JSONSchemaGrammar.anyObject, $0) }
        for (g, prefix) in cases {
            var m = JSONMatcher(grammar: g)
            let accepted = m.advance(Array(prefix.utf8))
            #expect(accepted)
            var allowed = [Bool](repeating: false, count: bytes.count)
            vocabulary.collectAllowed(m, into: &allowed)
            for id in bytes.indices {
                let expected = bytes[id].isEmpty ? m.canFinish : m.accepts(bytes[id])
                #expect(allowed[id] == expected, "\(prefix) + \(pieces.indices.contains(id) ? pieces[id] : "<eog>")")
            }
        }
    }
}
