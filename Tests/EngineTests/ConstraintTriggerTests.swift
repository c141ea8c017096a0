@testable import Engine
import Foundation
import Testing

/// Lazily triggered constraints (tool calls): free text until the trigger, the grammar after it.
struct ConstraintTriggerTests {
    static let callSchema = #"""
    {"type": "object", "additionalProperties": false, "required": ["name", "arguments"],
     "properties": {"name": {"const": "get_weather"},
                    "arguments": {"type": "object", "required": ["city"], "additionalProperties": false,
                                  "properties": {"city": {"type": "string"}}}}}
    """#

    /// A vocabulary of the given pieces; the last id is end-of-generation.
    static func vocabulary(_ pieces: [String]) -> TokenVocabulary {
        TokenVocabulary(bytes: pieces.map { Array($0.utf8) } + [[]], endOfGeneration: [Int32(pieces.count)])
    }

    static let pieces = ["Sure", ", ", "<tool_call>", "\n", "<tool", "_call>", ">\n{", "{", "\"name\": ", "\"get_weather\"", ", ",
                         "\"arguments\": ", "{\"city\": \"Paris\"}", "}", "\n</tool_call>", "```json", "\n", "\"x\"", "<tool_call>{\"oops"]

    func constraint(once: Bool, active: Bool = false, threshold: Float? = nil) throws -> (OutputConstraint, [String: Int32]) {
        let vocabulary = Self.vocabulary(Self.pieces)
        let trigger = ConstraintTrigger(["<tool_call>"], startTexts: [.init("```json", isDocumentStart: false), .init("{", isDocumentStart: true)],
                                        once: once, openingThreshold: threshold)
        var ids: [String: Int32] = [:]
        for (i, p) in Self.pieces.enumerated() where ids[p] == nil { ids[p] = Int32(i) }
        return (OutputConstraint(grammar: try JSONSchemaGrammar(schemaJSON: Self.callSchema), vocabulary: vocabulary, trigger: trigger, active: active), ids)
    }

    /// Feeds `pieces`, checking each is allowed first.
    func feed(_ c: inout OutputConstraint, _ pieces: [String], _ ids: [String: Int32]) {
        for p in pieces {
            let id = ids[p]!
            #expect(c.allows(id), "\(p) should be allowed")
            c.accept(id)
        }
    }

    @Test func freeTextUntilTheTagThenTheCallGrammar() throws {
        var (c, ids) = try constraint(once: true)
        feed(&c, ["Sure", ", "], ids)
        #expect(!c.isActive && c.allows(ids["\"x\""]!))                   // anything goes in free text
        feed(&c, ["<tool_call>", "\n"], ids)
        #expect(c.isActive)
        #expect(!c.allows(ids["\"x\""]!) && !c.allows(ids["Sure"]!))      // only the call's JSON now
        #expect(!c.allows(Int32(Self.pieces.count)))                      // no end of generation mid-call
        feed(&c, ["{", "\"name\": ", "\"get_weather\"", ", ", "\"arguments\": ", "{\"city\": \"Paris\"}"], ids)
        #expect(!c.mustFinish)
        feed(&c, ["}"], ids)
        #expect(c.mustFinish && c.completedDocuments == 1)                // once: the answer ends with the call
    }

    @Test func aTagSplitOverTokensTriggersAndItsRemainderMustFit() throws {
        var (c, ids) = try constraint(once: true)
        feed(&c, ["<tool", "_call>"], ids)
        #expect(c.isActive)
        var (d, _) = try constraint(once: true)
        // A token that completes the tag and goes on with bytes the grammar refuses is itself refused.
        #expect(!d.allows(ids["<tool_call>{\"oops"]!))
        feed(&d, ["Sure"], ids)
        #expect(d.allows(ids["<tool_call>"]!))
    }

    @Test func parallelCallsReturnToFreeTextBetweenCalls() throws {
        var (c, ids) = try constraint(once: false)
        let call = ["<tool_call>", "\n", "{", "\"name\": ", "\"get_weather\"", ", ", "\"arguments\": ", "{\"city\": \"Paris\"}", "}"]
        feed(&c, call, ids)
        #expect(!c.isActive && !c.mustFinish && c.completedDocuments == 1)
        feed(&c, ["\n</tool_call>", "\n"], ids)
        #expect(c.allows(Int32(Self.pieces.count)))                       // may end between calls
        feed(&c, call, ids)
        #expect(c.completedDocuments == 2 && !c.isActive)
    }

    @Test func aBareOrFencedCallAtTheStartIsOneDocument() throws {
        var (bare, ids) = try constraint(once: false)
        feed(&bare, ["\n", "{"], ids)
        #expect(bare.isActive)
        feed(&bare, ["\"name\": ", "\"get_weather\"", ", ", "\"arguments\": ", "{\"city\": \"Paris\"}", "}"], ids)
        #expect(bare.mustFinish)                                          // a bare call is the whole answer
        var (fenced, _) = try constraint(once: false)
        feed(&fenced, ["```json", "\n"], ids)
        #expect(fenced.isActive && !fenced.allows(ids["\"x\""]!))
        var (late, _) = try constraint(once: true)
        feed(&late, ["Sure", "{"], ids)                                   // `{` after text is just text
        #expect(!late.isActive)
    }

    @Test func aRequiredCallStartsActive() throws {
        var (c, ids) = try constraint(once: true, active: true)
        #expect(c.isActive && !c.allows(ids["Sure"]!))
        feed(&c, ["{", "\"name\": ", "\"get_weather\"", ", ", "\"arguments\": ", "{\"city\": \"Paris\"}", "}"], ids)
        #expect(c.mustFinish)
    }

    @Test func restrictMasksOnlyWhatIsRefused() throws {
        let (c, ids) = try constraint(once: true)
        var logits = [Float](repeating: 0, count: Self.pieces.count + 1)
        logits.withUnsafeMutableBufferPointer { #expect(c.restrict($0)) }
        #expect(logits[Int(ids["<tool_call>{\"oops"]!)] == -.infinity)
        #expect(logits[Int(ids["Sure"]!)] == 0 && logits[Int(ids["<tool_call>"]!)] == 0)
    }

    /// Logits giving `Sure` the rest of the probability and each listed piece the given probability.
    func logits(_ probabilities: [String: Float], _ ids: [String: Int32]) -> [Float] {
        var logits = [Float](repeating: -30, count: Self.pieces.count + 1)
        for (piece, p) in probabilities { logits[Int(ids[piece]!)] = logf(p) }
        logits[Int(ids["Sure"]!)] = logf(1 - probabilities.values.reduce(0, +))
        return logits
    }

    func decide(_ c: inout OutputConstraint, _ logits: [Float]) {
        #expect(c.decidesOpening)
        logits.withUnsafeBufferPointer { raw in
            var m = -Float.infinity
            for x in raw { m = max(m, x) }
            var sum: Float = 0
            for x in raw { sum += expf(x - m) }
            c.decideOpening(raw, logSumExp: m + logf(sum))
        }
        #expect(!c.decidesOpening)
    }

    @Test func openingTokensAreTheWaysACallBegins() {
        let trigger = ConstraintTrigger(["<tool_call>"], startTexts: [.init("```json", isDocumentStart: false), .init("{", isDocumentStart: true)],
                                        once: true, openingThreshold: 0.25)
        for text in ["```", "```json", " {", "{\"", "{\n", "<tool_call>", "\n<tool_call>"] { #expect(trigger.opensDocument(Array(text.utf8)), "\(text)") }
        for text in ["Sure", "\n", "", "<", "`x", "[{"] { #expect(!trigger.opensDocument(Array(text.utf8)), "\(text)") }
    }

    @Test func theSummedOpeningProbabilityDecidesACall() throws {
        // 0.15 + 0.12 spread over two spellings of a call: together above 0.25 although `Sure` (0.73) is likeliest.
        var (c, ids) = try constraint(once: true, threshold: 0.25)
        decide(&c, logits(["{": 0.15, "```json": 0.12], ids))
        #expect(!c.allows(ids["Sure"]!) && c.allows(ids["\n"]!) && c.allows(ids["<tool"]!))
        feed(&c, ["\n", "{"], ids)
        #expect(c.isActive)
        feed(&c, ["\"name\": ", "\"get_weather\"", ", ", "\"arguments\": ", "{\"city\": \"Paris\"}", "}"], ids)
        #expect(c.mustFinish)
        // Below the threshold the model's own choice stands.
        var (d, _) = try constraint(once: true, threshold: 0.25)
        decide(&d, logits(["{": 0.1, "```json": 0.1], ids))
        #expect(d.allows(ids["Sure"]!))
        feed(&d, ["Sure", "{"], ids)
        #expect(!d.isActive)
        // Without a threshold, or once anything is written, there is nothing to decide.
        let (e, _) = try constraint(once: true)
        #expect(!e.decidesOpening)
        var (f, _) = try constraint(once: true, threshold: 0.25)
        feed(&f, ["Sure"], ids)
        #expect(!f.decidesOpening)
    }
}
