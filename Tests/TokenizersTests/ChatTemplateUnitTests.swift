import Foundation
import Testing
@testable import Tokenizers

private func render(_ source: String, _ context: [String: TemplateValue] = [:], limits: ChatTemplateLimits = ChatTemplateLimits()) throws -> String {
    try ChatTemplate(source: source, limits: limits).render(context: context)
}

private func renderError(_ source: String, _ context: [String: TemplateValue] = [:], limits: ChatTemplateLimits = ChatTemplateLimits()) -> ChatTemplateError? {
    do {
        _ = try ChatTemplate(source: source, limits: limits).render(context: context)
        return nil
    } catch {
        return error
    }
}

@Suite struct ChatTemplateStatementTests {
    @Test func ifElifElse() throws {
        let t = "{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %}"
        #expect(try render(t, ["x": 1]) == "one")
        #expect(try render(t, ["x": 2]) == "two")
        #expect(try render(t, ["x": 5]) == "many")
    }

    @Test func forLoopVariables() throws {
        let t = "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ x }};{% endfor %}"
        #expect(try render(t, ["xs": ["a", "b"]]) == "10TrueFalse2a;21FalseTrue2b;")
    }

    @Test func forElseAndFilter() throws {
        #expect(try render("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", ["xs": []]) == "empty")
        #expect(try render("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}") == "empty")
        #expect(try render("{% for x in xs if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}", ["xs": [1, 2, 3]]) == "2232")
    }

    @Test func forOverDictItemsUnpacks() throws {
        let d: TemplateValue = ["b": 1, "a": 2]
        #expect(try render("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}", ["d": d]) == "b=1,a=2,")
        #expect(try render("{% for k in d %}{{ k }}{% endfor %}", ["d": d]) == "ba")
        #expect(try render("{% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}", ["d": d]) == "b1a2")
    }

    @Test func breakAndContinue() throws {
        #expect(try render("{% for i in range(10) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}") == "023")
    }

    @Test func setScopingAndNamespace() throws {
        #expect(try render("{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}{% endfor %}{{ x }}") == "1")
        let t = "{% set ns = namespace(found=false, n=0) %}{% for m in ms %}{% if m == 'b' %}{% set ns.found = true %}{% endif %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.found }} {{ ns.n }}"
        #expect(try render(t, ["ms": ["a", "b", "c"]]) == "True 3")
        #expect(try render("{% set a, b = [1, 2] %}{{ b }}{{ a }}") == "21")
        #expect(try render("{% set s %}x{{ 1 + 1 }}{% endset %}[{{ s }}]") == "[x2]")
    }

    @Test func macros() throws {
        let t = "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bo') }} {{ greet('Al', punct='?') }}"
        #expect(try render(t) == "Hi Bo! Hi Al?")
    }

    @Test func commentsAndRaw() throws {
        #expect(try render("a{# note {{ x }} #}b") == "ab")
        #expect(try render("{% raw %}{{ not parsed }}{% endraw %}") == "{{ not parsed }}")
    }

    @Test func generationBlockRendersBody() throws {
        #expect(try render("{% generation %}x{% endgeneration %}") == "x")
    }
}

@Suite struct ChatTemplateWhitespaceTests {
    @Test func explicitWhitespaceControl() throws {
        #expect(try render("a  {{- 'b' -}}  c") == "abc")
        #expect(try render("a \n {%- if true -%} \n b {%- endif %}") == "ab")
        #expect(try render("a\n  {#- c -#}\n  b") == "ab")
    }

    @Test func trimBlocksRemovesNewlineAfterBlockTag() throws {
        #expect(try render("{% if true %}\nyes\n{% endif %}\nend") == "yes\nend")
        #expect(try render("{{ 'x' }}\ny") == "x\ny")
    }

    @Test func lstripBlocksRemovesIndentBeforeBlockTag() throws {
        #expect(try render("<\n    {% if true %}\n    x\n    {% endif %}\n>") == "<\n    x\n>")
        #expect(try render("a {% if true %}b{% endif %}") == "a b")
        #expect(try render("  {{ 'v' }}") == "  v")
    }

    @Test func plusModifierDisablesTrimming() throws {
        #expect(try render("  {%+ if true %}x{% endif +%}\ny") == "  x\ny")
    }

    @Test func singleTrailingNewlineIsDropped() throws {
        #expect(try render("x\n") == "x")
        #expect(try render("x\n\n") == "x\n")
    }
}

@Suite struct ChatTemplateExpressionTests {
    @Test func literals() throws {
        #expect(try render(#"{{ 'a\'b\n' }}{{ "q\"\t" }}"#) == "a'b\nq\"\t")
        #expect(try render("{{ 1 }} {{ 2.5 }} {{ true }} {{ False }} {{ none }} {{ [1, 'a'] }} {{ {'k': None} }}") == "1 2.5 True False None [1, 'a'] {'k': None}")
    }

    @Test func arithmetic() throws {
        #expect(try render("{{ 1 + 2 * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1.5 + 1 }}") == "7 3.5 3 -4 1 2 1024 2.5")
        #expect(try render("{{ 'a' + 'b' }}{{ 'a' ~ 1 ~ none }}{{ 'ab' * 2 }}{{ [1] + [2] }}") == "aba1Noneabab[1, 2]")
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try render("{{ 1 < 2 }} {{ 'a' >= 'b' }} {{ 1 == 1.0 }} {{ 1 != 2 }} {{ 1 < 2 < 3 }}") == "True False True True True")
        #expect(try render("{{ true and 'x' }} {{ false or 'y' }} {{ not 0 }} {{ 'a' in 'cat' }} {{ 2 not in [1] }} {{ 'k' in {'k': 1} }}") == "x y True True True True")
    }

    @Test func inlineIf() throws {
        #expect(try render("{{ 'y' if x else 'n' }}{{ 'z' if false }}", ["x": 1]) == "y")
    }

    @Test func attributeSubscriptAndSlices() throws {
        let ctx: [String: TemplateValue] = ["m": ["role": "user"], "xs": [1, 2, 3, 4], "s": "hello"]
        #expect(try render("{{ m.role }}{{ m['role'] }}{{ xs[0] }}{{ xs[-1] }}", ctx) == "useruser14")
        #expect(try render("{{ xs[1:] }}{{ xs[:2] }}{{ xs[::-1] }}{{ xs[::2] }}{{ s[1:3] }}{{ s[::-1] }}", ctx) == "[2, 3, 4][1, 2][4, 3, 2, 1][1, 3]elolleh")
    }

    @Test func tests() throws {
        let ctx: [String: TemplateValue] = ["s": "x", "d": ["a": 1], "n": nil, "l": [1]]
        #expect(try render("{{ s is defined }}{{ q is defined }}{{ q is not defined }}{{ n is none }}{{ s is string }}{{ d is mapping }}", ctx) == "TrueFalseTrueTrueTrueTrue")
        #expect(try render("{{ l is iterable }}{{ l is sequence }}{{ 3 is odd }}{{ 4 is divisibleby 2 }}{{ s is not none }}{{ 1 is number }}", ctx) == "TrueTrueTrueTrueTrueTrue")
        #expect(try render("{{ not s is defined }}", ctx) == "False")
    }

    @Test func undefinedHandling() throws {
        #expect(try render("[{{ missing }}][{{ missing.attr.deeper }}][{{ missing['k'] }}]") == "[][][]")
        #expect(try render("{% if missing %}t{% else %}f{% endif %}{% if m.tool_calls %}t{% else %}f{% endif %}", ["m": ["role": "user"]]) == "ff")
        #expect(try render("{{ missing | default('dflt') }}{{ '' | default('x') }}{{ '' | default('x', true) }}") == "dfltx")
        #expect(try render("{{ missing | length }}{{ (missing or 'z') }}") == "0z")
    }

    @Test func raiseException() throws {
        #expect(renderError("{{ raise_exception('bad role') }}") == .raised("bad role"))
        #expect(ChatTemplateError.raised("bad role").description == "template raised an exception: bad role")
    }

    @Test func strftimeNow() throws {
        let template = try ChatTemplate(source: "{{ strftime_now('%d %b %Y %H:%M') }}")
        let date = Date(timeIntervalSince1970: 1_721_952_000 + 12 * 3600 - Double(TimeZone.current.secondsFromGMT()))
        #expect(try template.render(context: [:], now: date) == "26 Jul 2024 12:00")
    }
}

@Suite struct ChatTemplateFilterTests {
    @Test func stringFilters() throws {
        #expect(try render("{{ '  a b  ' | trim }}|{{ 'ab' | upper }}|{{ 'AB' | lower }}|{{ 'hELLO wORLD' | capitalize }}|{{ 'hello big-world' | title }}") == "a b|AB|ab|Hello world|Hello Big-World")
        #expect(try render("{{ 'aXbX' | replace('X', '-') }}|{{ 5 | string }}|{{ 'abc' | length }}|{{ [1, 2] | join(', ') }}") == "a-b-|5|3|1, 2")
        #expect(try render("{{ [3, 1] | first }}{{ [3, 1] | last }}{{ 'ab' | list }}{{ [2, 1, 3] | sort }}{{ [1, 2] | reverse | list }}") == "31['a', 'b'][1, 2, 3][2, 1]")
    }

    @Test func tojson() throws {
        let v: TemplateValue = ["name": "f", "args": [1, 2.5, true, nil], "s": "q\"\n€", "e": [:]]
        #expect(try render("{{ v | tojson }}", ["v": v]) == #"{"name": "f", "args": [1, 2.5, true, null], "s": "q\"\n€", "e": {}}"#)
        #expect(try render("{{ v | tojson(indent=2) }}", ["v": ["a": [1], "b": []]]) == "{\n  \"a\": [\n    1\n  ],\n  \"b\": []\n}")
    }

    @Test func selectAndMap() throws {
        let ms: TemplateValue = [["role": "system", "content": "s"], ["role": "user", "content": "u"], ["role": "user"]]
        #expect(try render("{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content', default='-') | list }}", ["ms": ms]) == "['u', '-']")
        #expect(try render("{{ ms | rejectattr('role', 'equalto', 'user') | list | length }}", ["ms": ms]) == "1")
        #expect(try render("{{ ms | selectattr('content') | list | length }}{{ ms | selectattr('content', 'defined') | list | length }}", ["ms": ms]) == "22")
        #expect(try render("{{ ['a', 'b'] | map('upper') | join }}") == "AB")
    }

    @Test func methods() throws {
        #expect(try render("{{ ' x '.strip() }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'a,b'.split(',') }}|{{ 'a b  c'.split() }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith('bc') }}") == "x|hixx|['a', 'b']|['a', 'b', 'c']|TrueTrue")
        #expect(try render("{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}{{ 'aa'.replace('a', 'b') }}{{ '<think>x</think>y'.split('</think>')[-1] }}") == "ABabbby")
        let d: TemplateValue = ["a": 1]
        #expect(try render("{{ d.get('a') }}{{ d.get('b', 'z') }}{{ d.get('b') }}{{ d.keys() }}{{ d.values() }}{{ d.items() }}", ["d": d]) == "1zNone['a'][1][['a', 1]]")
    }
}

@Suite struct ChatTemplateErrorTests {
    @Test func syntaxErrorsCarryPositions() {
        #expect(renderError("ab\n  {% if x %}") == .syntax(message: "unexpected end of template, expected one of: elif, else, endif", line: 2, column: 13))
        #expect(renderError("{{ 1 + }}") == .syntax(message: "unexpected '}}' in expression", line: 1, column: 8))
        #expect(renderError("x\n{% frobnicate %}") == .syntax(message: "unknown tag 'frobnicate'", line: 2, column: 4))
        #expect(renderError("{{ 'abc }}") == .syntax(message: "unterminated string", line: 1, column: 4))
        #expect(renderError("{% endfor %}") == .syntax(message: "unknown tag 'endfor'", line: 1, column: 4))
        let description = ChatTemplateError.syntax(message: "m", line: 3, column: 7).description
        #expect(description == "template syntax error at 3:7: m")
    }

    @Test func typeErrors() {
        #expect(renderError("{{ 1 + 'a' }}") == .type("unsupported operand types for +: 'int' and 'str'"))
        #expect(renderError("{{ x | nosuchfilter }}") == .unknown("filter 'nosuchfilter'"))
        #expect(renderError("{% set x.a = 1 %}", ["x": 1]) != nil)
    }
}

@Suite struct ChatTemplateLimitTests {
    @Test func infiniteishLoopHitsStepLimit() {
        let limits = ChatTemplateLimits(maxSteps: 100_000)
        let e = renderError("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}", limits: limits)
        guard case .limitExceeded? = e else { Issue.record("expected limit error, got \(String(describing: e))"); return }
    }

    @Test func exponentialStringGrowthHitsSizeLimit() {
        let e = renderError("{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}")
        guard case .limitExceeded? = e else { Issue.record("expected limit error, got \(String(describing: e))"); return }
    }

    @Test func sharedStructureCannotExplodeSerialisation() {
        let e = renderError("{% set ns = namespace(v=[1]) %}{% for i in range(60) %}{% set ns.v = [ns.v, ns.v] %}{% endfor %}{{ ns.v | tojson }}")
        guard case .limitExceeded? = e else { Issue.record("expected limit error, got \(String(describing: e))"); return }
    }

    @Test func hugeRepetitionAndRange() {
        #expect({ if case .limitExceeded? = renderError("{{ 'x' * 100000000000 }}") { true } else { false } }())
        #expect({ if case .limitExceeded? = renderError("{{ range(100000000000) | length }}") { true } else { false } }())
    }

    @Test func outputLimit() {
        let limits = ChatTemplateLimits(maxOutputBytes: 1000)
        #expect({ if case .limitExceeded? = renderError("{% for i in range(501) %}ab{% endfor %}", limits: limits) { true } else { false } }())
    }

    @Test func recursionLimits() {
        #expect({ if case .limitExceeded? = renderError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}") { true } else { false } }())
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect({ if case .limitExceeded? = renderError("{{ \(deep) }}") { true } else { false } }())
        let nested = String(repeating: "{% if true %}", count: 10_000)
        #expect({ if case .limitExceeded? = renderError(nested) { true } else { false } }())
        #expect({ if case .limitExceeded? = renderError("{{ " + String(repeating: "not ", count: 10_000) + "1 }}") { true } else { false } }())
    }

    private static func isLimit(_ e: ChatTemplateError?) -> Bool { if case .limitExceeded? = e { true } else { false } }

    /// Seconds `body` takes.
    private static func seconds(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }

    @Test func substringSearchIsLinear() throws {
        // `String.range(of:)` needs about a minute for this one (the product of the lengths); the interpreter
        // searches in linear time.
        var out = ""
        let time = Self.seconds { out = (try? render("{{ ('a' * 50000 ~ 'b') in ('a' * 100000) }}")) ?? "error" }
        #expect(out == "False")
        #expect(time < 5)
        let big = "{% set h = 'a' * 200000 %}{% set n = 'a' * 100000 ~ 'b' %}"
        #expect(try render(big + "{{ h.find(n) }} {{ h.count(n) }} {{ h.split(n) | length }} {{ h.replace(n, 'x') | length }}") == "-1 0 1 200000")
        // Python's results for the search-based methods.
        #expect(try render("{{ 'ééaé'.find('a') }} {{ 'abc'.find('') }} {{ 'abab'.count('ab') }} {{ 'aaaa'.count('aa') }}") == "2 0 2 2")
        #expect(try render("{{ 'aaaa'.split('aa') }} {{ 'a,b,,c'.split(',', 2) }} {{ 'x'.split('x') }}") == "['', '', ''] ['a', 'b', ',c'] ['', '']")
        #expect(try render("{{ 'aaa'.replace('aa', 'b') }} {{ 'a-b-c'.replace('-', '+', 1) }} {{ 'é<b>é'.replace('<b>', '') }}") == "ba a+b-c éé")
        #expect(try render("{{ 'b' in 'abc' }} {{ '' in 'abc' }} {{ 'abd' in 'abcabd' }} {{ 'x' in '' }}") == "True True True False")
        // Prefix and suffix tests and indexing read code points, not bytes.
        #expect(try render("{{ 'éa'.startswith('é') }} {{ 'éa'.endswith('a') }} {{ 'éa'.endswith('éa') }} {{ 'a'.startswith('ab') }} {{ 'x'.endswith(['y', 'x']) }}") == "True True True False True")
        #expect(try render("{{ 'aé😀'[1] }}{{ 'aé😀'[-1] }}{{ 'aé😀'[2] }}|{{ 'aé😀'[3] }}|{{ 'aé😀'[-4] }}|{{ 'aé😀'[-3] }}") == "é😀😀|||a")
    }

    @Test func loopBuildingLargeStringsHitsBuiltBytesLimit() {
        // Each iteration copies 10 MB that never reaches the output: without a budget a million of them run for hours.
        var e: ChatTemplateError?
        let time = Self.seconds {
            e = renderError("{% set big = 'x' * 10000000 %}{% for i in range(1000000) %}{% set y = big ~ i %}{% endfor %}")
        }
        #expect(Self.isLimit(e))
        #expect(e?.description.contains("bytes of strings and lists built") == true)
        #expect(time < 10)
        // Distinct large strings kept in a list: memory, not output.
        #expect(Self.isLimit(renderError(
            "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + [('x' * 1000000) ~ i] %}{% endfor %}")))
        // Many references to one string are cheap, but a filter mapped over them builds a copy each.
        #expect(Self.isLimit(renderError("{{ (['x' * 1000000] * 1000) | map('upper') | list | length }}")))
        // A smaller budget applies as given.
        #expect(Self.isLimit(renderError("{% for i in range(20) %}{% set s = 'x' * 1000 ~ i %}{% endfor %}",
                                         limits: ChatTemplateLimits(maxBuiltBytes: 10_000))))
        #expect(renderError("{% for i in range(2) %}{% set s = 'x' * 1000 ~ i %}{% endfor %}",
                            limits: ChatTemplateLimits(maxBuiltBytes: 10_000)) == nil)
    }

    @Test func rescanningALargeStringCostsSteps() {
        // One step per 256 bytes read: a loop that keeps scanning a 16 MB string stops at the step limit, quickly.
        let big = "{% set big = 'x' * 16000000 %}"
        for body in ["{% if big.startswith('y') %}{% endif %}", "{{ (big | length) * 0 }}", "{{ big[5] == 'y' }}",
                     "{% if big == big ~ '' %}{% endif %}", "{% if 'y' in big %}{% endif %}"] {
            var e: ChatTemplateError?
            let time = Self.seconds { e = renderError(big + "{% for i in range(1000000) %}" + body + "{% endfor %}") }
            #expect(Self.isLimit(e), "\(body)")
            #expect(time < 10, "\(body)")
        }
        // Iterating over a long string's characters is charged before they are made.
        #expect(Self.isLimit(renderError("{{ ('x' * 16000000) | list | length }}")))
    }

    @Test func realTemplatesRenderLongConversationsWithinTheLimits() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/templates")
        // 400 messages of 10 KB each: 4 MB of text, far above a real context window.
        let paragraph = String(repeating: "The quick brown fox jumps over the lazy dog. <think>x</think> ", count: 160)
        let messages = (0..<400).map { ChatMessage(role: $0 == 0 ? "system" : ($0 % 2 == 1 ? "user" : "assistant"), content: paragraph) }
        for name in ["SmolLM2-135M-Instruct.Q4_1.jinja", "qwen2.5-coder-0.5b-instruct-q4_k_m.jinja"] {
            let template = try ChatTemplate(source: String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8))
            let out = try template.render(messages: messages, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
            #expect(out.utf8.count > 400 * paragraph.utf8.count, "\(name)")
        }
    }
}
