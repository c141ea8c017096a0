import Foundation
@testable import Server
import Testing

/// The Markdown segmenter and reassembler of `/v1/translate`, placeholders, sentence chunking, the glossary checks and
/// the answer cleaning — pure functions, no model.
struct TranslationDocumentTests {
    /// A document with every construct the segmenter knows, CRLF and trailing-whitespace quirks included.
    static let rich = """
    ---
    title: Getting started
    tags: [docs, server]
    ---

    # Getting *started* with the `groupqwen` server #

    The server reads its configuration from `config.yaml` at startup. See the [configuration guide](https://example.com/docs/config?x=1&y=(2) "Config")
    or the ![diagram](images/arch.png) for details; bare links like https://example.com/a_(b) stay too.\u{20}\u{20}
    A hard break above, and a reference [link][ref] with a footnote[^1].

    **This whole paragraph is bold.**

    ```swift title="main.swift"
    let server = Server(port: 8080) // The server starts here.
    print("Hello, world!")
    ```

    ~~~~
    ```
    nested fence text that must not be translated
    ```
    ~~~~

        indented code block
        with two lines

    - First item with `inline code` and <kbd>Ctrl</kbd>+<kbd>C</kbd>.
    - [ ] A task that is not done yet
      continues on a second line.
    * Second list, **bold** and _italic_ words.
      1. Nested ordered item.
      2) Another nested item.

    > A blockquote that spans
    > two lines of text.
    >
    > > A nested quote.

    | Name | Description |
    |:-----|------------:|
    | `--port` | The port the server listens on. |
    | cache | Whether answers are cached \\| or not |

    Setext heading
    ==============

    ***

    <!-- A comment that must stay untouched,
    over two lines. -->

    <details>
    <summary>Click to expand</summary>
    Hidden HTML block text.
    </details>

    [ref]: https://example.com/reference "Reference"
    [^1]: The footnote text is translated.

    Text with a literal ⟦1⟧ marker and <!-- inline comment --> inside.\r
    Windows line endings end here.\r

    Last line without a newline
    """

    /// The document from its own units, restored: byte for byte the source.
    static func identity(_ document: TranslationDocument) -> String {
        document.reassembled(document.units.map { $0.restore($0.text)! })
    }

    @Test("with an identity translator the document comes back byte for byte")
    func identityRoundTrip() {
        for text in [Self.rich, Self.rich + "\n", "", "\n\n", "plain", "# h", "a\r\nb\r\n", "  leading spaces\n", "- \n-\n",
                     "```\nunclosed fence\nrest", "| a |\n|---|\n| b |"] {
            let document = TranslationDocument(markdown: text)
            #expect(Self.identity(document) == text, "\(text.debugDescription)")
            #expect(Array(Self.identity(document).utf8) == Array(text.utf8))
        }
        // Small chunk limits cut paragraphs everywhere; the round trip still holds.
        for limit in [1, 7, 40, 120] {
            #expect(Self.identity(TranslationDocument(markdown: Self.rich, chunkLimit: limit)) == Self.rich, "limit \(limit)")
        }
    }

    @Test("the round trip holds on 3,000 random mixtures of Markdown fragments")
    func identityOnRandomDocuments() {
        let fragments = ["```", "~~~", "\n", "\n\n", "\r\n", "- ", "* ", "1. ", "> ", "| ", " |", "|---|", "`", "``", "# ", "## x #",
                         "[a](b (c))", "![i](u)", "[r][x]", "[^n]: ", "[x]: http://y", "⟦", "⟧", "⟦3⟧", "    ", "\t", "<!--", "-->",
                         "<div>", "</div>", "<b>", "https://e.com/x.", "Some words. ", "Ünïcødé 文字。", "**", "_", "~~", "---", "===",
                         "\\", "  ", "é\u{301}", "\r"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for round in 0..<3000 {
            let text = (0..<next(40)).map { _ in fragments[next(fragments.count)] }.joined()
            let document = TranslationDocument(markdown: text, chunkLimit: 1 + next(60))
            let back = Self.identity(document)
            #expect(Array(back.utf8) == Array(text.utf8), "round \(round): \(text.debugDescription)")
            if back != text { break }
        }
    }

    @Test("code, HTML, front matter, link targets and markup never reach the model")
    func protectedSpansAreNotSent() throws {
        let document = TranslationDocument(markdown: Self.rich)
        let sent = document.units.map(\.text).joined(separator: "\n")
        for kept in ["let server", "print(", "nested fence", "indented code", "config.yaml", "https://example.com", "images/arch.png",
                     "A comment that must stay", "Hidden HTML block", "title: Getting", "inline code", "--port", "<kbd>",
                     "[ref]", "[^1]", "inline comment", "| Name", "|:---", "====", "***", "# ", "- [ ]", "> ", "**This"] {
            #expect(!sent.contains(kept), "\(kept) was sent: \(sent)")
        }
        let texts = document.units.map(\.text)
        for translated in ["Getting *started* with the ⟦1⟧ server", "First item with ⟦1⟧ and ⟦2⟧Ctrl⟦3⟧+⟦4⟧C⟦5⟧.",
                           "A task that is not done yet\ncontinues on a second line.", "Nested ordered item.", "Description",
                           "The port the server listens on.", "This whole paragraph is bold.", "A nested quote.",
                           "A blockquote that spans\ntwo lines of text.", "Setext heading", "The footnote text is translated.",
                           "Text with a literal ⟦1⟧1⟦2⟧ marker and ⟦3⟧ inside.\nWindows line endings end here.", "Last line without a newline",
                           "Whether answers are cached \\| or not", "Name"] {
            #expect(texts.contains(translated), "missing unit \(translated.debugDescription) in \(texts)")
        }
        // The bold paragraph's markers are kept around the translation.
        let bold = try #require(document.blocks.first { $0.units.first?.text == "This whole paragraph is bold." })
        #expect(bold.lead == "**" && bold.trail == "**")
    }

    @Test("translated units are put back into their markup")
    func reassemblyKeepsStructure() {
        let source = "# Title\n\n- one `x`\n- two\n\n> quoted\n> twice\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode\n```\n"
        let document = TranslationDocument(markdown: source)
        let outputs = document.units.map { unit in unit.restore(unit.text.uppercased().replacingOccurrences(of: "\n", with: "\n"))! }
        #expect(document.reassembled(outputs) == "# TITLE\n\n- ONE `x`\n- TWO\n\n> QUOTED\n> TWICE\n\n| A | B |\n|---|---|\n| C | D |\n\n```\ncode\n```\n")
        // A translation on fewer lines than its source becomes one line between the first prefix and the last suffix.
        let quote = TranslationDocument(markdown: "> one\n> two\n")
        #expect(quote.reassembled(["un deux"]) == "> un deux\n")
        // A heading that came back on two lines stays one line.
        #expect(TranslationDocument(markdown: "## Hi ##\n").reassembled(["Salut\ntoi"]) == "## Salut toi ##\n")
    }

    @Test("placeholders: restored when kept, refused when lost, doubled or invented; links' targets re-attached")
    func placeholderRestore() throws {
        let document = TranslationDocument(markdown: "Run `make` then open [the docs](https://x.dev/a) or https://y.dev.")
        let unit = try #require(document.units.first)
        #expect(unit.text == "Run ⟦1⟧ then open [the docs]⟦2⟧ or ⟦3⟧.")
        #expect(unit.restore("Lancez ⟦1⟧ puis ouvrez [la doc] ⟦2⟧ ou ⟦ 3 ⟧.") == "Lancez `make` puis ouvrez [la doc](https://x.dev/a) ou https://y.dev.")
        #expect(unit.restore("Lancez puis ouvrez [la doc]⟦2⟧ ou ⟦3⟧.") == nil, "⟦1⟧ lost")
        #expect(unit.restore("⟦1⟧ ⟦1⟧ [la doc]⟦2⟧ ⟦3⟧") == nil, "⟦1⟧ doubled")
        #expect(unit.restore("⟦1⟧ [la doc]⟦2⟧ ⟦3⟧ ⟦4⟧") == nil, "⟦4⟧ invented")
        #expect(unit.fragments == [.text("Run "), .kept("`make`"), .text(" then open [the docs]"), .kept("(https://x.dev/a)"),
                                   .text(" or "), .kept("https://y.dev"), .text(".")])
        #expect(unit.needsTranslation)
        // The second try writes the originals out and checks they survived.
        #expect(unit.inlined.text == "Run `make` then open [the docs](https://x.dev/a) or https://y.dev.")
        #expect(unit.keepsOriginals("Lancez `make` puis ouvrez [la doc](https://x.dev/a) ou https://y.dev."))
        #expect(!unit.keepsOriginals("Lancez make puis ouvrez [la doc](https://x.dev/a) ou https://y.dev."))
        let codeOnly = TranslationDocument(markdown: "`only code` https://x.dev").units
        #expect(codeOnly.count == 1 && !codeOnly[0].needsTranslation)
        // Double-backtick spans, escaped backticks and unmatched ones.
        #expect(ProtectedText("a ``b ` c`` d \\`e` f").text == "a ⟦1⟧ d \\`e` f")
        #expect(ProtectedText("x <https://a.b> y <br/> z 3 < 4 > 2").placeholders.map(\.original) == ["<https://a.b>", "<br/>"])
    }

    @Test("long paragraphs are cut at sentence ends into chunks of at most the limit, nothing lost")
    func sentenceChunking() {
        let sentence = "This sentence has exactly fifty characters in it. "
        let text = String(repeating: sentence, count: 60).trimmingCharacters(in: .whitespaces)   // ~3,000 characters
        let (head, chunks) = SentenceChunker.chunks(text, limit: 1200)
        #expect(head.isEmpty)
        #expect(chunks.count == 3 && chunks.allSatisfy { $0.text.count <= 1200 && $0.text.hasSuffix(".") })
        #expect(chunks.map { $0.text + $0.gap }.joined() == text)
        // Closing quotes after the full stop; CJK full stops without spaces; a sentence over the limit is cut at a comma.
        #expect(SentenceChunker.chunks("He said \"stop.\" Then left.", limit: 20).chunks.map(\.text) == ["He said \"stop.\"", "Then left."])
        #expect(SentenceChunker.chunks("第一句。第二句。第三句。", limit: 5).chunks.map(\.text) == ["第一句。", "第二句。", "第三句。"])
        #expect(SentenceChunker.chunks("one two, three four five six", limit: 12).chunks.map(\.text) == ["one two,", "three four", "five six"])
        // A hard cut never splits a token.
        #expect(SentenceChunker.chunks("aaaaaaa⟦12⟧bbbb", limit: 9).chunks.map(\.text) == ["aaaaaaa", "⟦12⟧bbbb"])
        // Through a document: a 3,000-character paragraph is three units, rejoined in order.
        let document = TranslationDocument(markdown: "# T\n\n" + text + "\n")
        #expect(document.units.count == 4)
        #expect(Self.identity(document) == "# T\n\n" + text + "\n")
    }

    @Test("glossary: terms found case-insensitively on word boundaries, misses reported, terms protected for the retry")
    func glossaryChecks() throws {
        let glossary = TranslationGlossary(["server": "serveur-X", "web server": "serveur web", "API": "API"])
        #expect(glossary.entries.map(\.source) == ["web server", "server", "API"])
        #expect(glossary.entries(in: "The Server starts.").map(\.source) == ["server"])
        #expect(glossary.entries(in: "The servers start; an observer waits.").isEmpty, "no word boundary")
        #expect(glossary.misses(source: "The server starts.", output: "Le SERVEUR-x démarre.").isEmpty)
        #expect(glossary.misses(source: "The server starts.", output: "Le serveur démarre.") == ["server"])
        #expect(glossary.misses(source: "Call the API.", output: "Appelez l'API.").isEmpty)
        #expect(TranslationGlossary.occurrences(of: "服务器", in: "启动服务器。").count == 1, "scripts without spaces match anywhere")
        let unit = TranslationUnit(text: "The web server and the server run ⟦1⟧.", placeholders: [.init(number: 1, original: "`x`", kind: .code)])
        let protected = glossary.protecting(unit)
        #expect(protected.text == "The ⟦2⟧ and the ⟦3⟧ run ⟦1⟧.")
        #expect(protected.restore("Le ⟦2⟧ et le ⟦3⟧ exécutent ⟦1⟧.") == "Le serveur web et le serveur-X exécutent `x`.")
    }

    @Test("answers are cleaned of labels, fences and wrapping quotes the source did not have")
    func cleaning() {
        #expect(TranslationPrompt.clean("Translation: Bonjour le monde.", source: "Hello world.") == "Bonjour le monde.")
        #expect(TranslationPrompt.clean("Here is the French translation:\n\nBonjour.", source: "Hello.") == "Bonjour.")
        #expect(TranslationPrompt.clean("```\nBonjour.\n```", source: "Hello.") == "Bonjour.")
        #expect(TranslationPrompt.clean("\"Bonjour.\"", source: "Hello.") == "Bonjour.")
        #expect(TranslationPrompt.clean("« Bonjour. »", source: "Hello.") == "Bonjour.")
        #expect(TranslationPrompt.clean("\"Bonjour.\"", source: "\"Hello.\"") == "\"Bonjour.\"")
        #expect(TranslationPrompt.clean("\"Oui\" et \"non\"", source: "Yes and no") == "\"Oui\" et \"non\"")
        #expect(TranslationPrompt.clean("Remarque : le serveur.", source: "Note: the server.") == "Remarque : le serveur.")
        #expect(TranslationPrompt.clean("Premiers pas.", source: "Getting started") == "Premiers pas", "a heading gains no full stop")
        #expect(TranslationPrompt.clean("Démarrez.", source: "Start.") == "Démarrez.")
        // Answers that cannot be translations: empty, far too long, or the instructions coming back.
        #expect(DocumentTranslator.isRunaway("", source: "Start."))
        #expect(DocumentTranslator.isRunaway("Nein, keine Ausführungen, Notes oder Code-Fenster. Keep Markdown-Formatierung.", source: "Restart the"))
        #expect(DocumentTranslator.isRunaway("Gardez le Markdown.", source: "Restart the server."))
        #expect(!DocumentTranslator.isRunaway("Redémarrez le serveur après chaque modification.", source: "Restart the server after each change."))
        #expect(!DocumentTranslator.isRunaway("Restart the server after each change.", source: "每次更改后重新启动服务器。"))
        // Echoes, exact or nearly: the model did not translate.
        #expect(DocumentTranslator.isEcho("Restarts the serveur-X after each change.", source: "Restart the serveur-X after each change."))
        #expect(DocumentTranslator.isEcho("Hi there", source: "Hi there"))
        #expect(!DocumentTranslator.isEcho("Reiniciar el serveur-X después de cada cambio.", source: "Restart the serveur-X after each change."))
        #expect(!DocumentTranslator.isEcho("Fichier Docker Compose", source: "Docker Compose file"))
    }

    @Test("the prompt names the languages, glossary, domain and register; the Qwen-MT format uses translation_options")
    func prompts() throws {
        var prompt = TranslationPrompt(source: nil, target: "French", domain: "legal", formality: .formal)
        prompt.glossary = [.init(source: "server", target: "serveur-X")]
        let unit = TranslationUnit(text: "The server runs ⟦1⟧.", placeholders: [.init(number: 1, original: "`x`", kind: .code)])
        let body = prompt.chatBody(unit, model: "auto", format: .instruction)
        let messages = try #require(body["messages"] as? [[String: String]])
        let system = try #require(messages.first?["content"])
        for words in ["professional translator", "from the source language to French", "⟦1⟧", "server → serveur-X (use exactly)",
                      "Domain: legal", "formal register", "Output only the translation"] {
            #expect(system.contains(words), "\(words): \(system)")
        }
        #expect(messages.last?["content"] == unit.text && body["temperature"] as? Int == 0)
        #expect(TranslationPrompt.maxTokens(for: String(repeating: "a", count: 400)) == 24 + 300)
        let mt = prompt.chatBody(unit, model: "qwen-mt-turbo", format: .qwenMT)
        let options = try #require(mt["translation_options"] as? [String: Any])
        #expect(options["source_lang"] as? String == "auto" && options["target_lang"] as? String == "French")
        #expect((options["terms"] as? [[String: String]])?.count == 2)
        #expect((mt["messages"] as? [[String: String]])?.count == 1)
        #expect(TranslationLanguage("fr")?.name == "French" && TranslationLanguage("pt-BR")?.name == "Portuguese (BR)")
        #expect(TranslationLanguage("zh-Hant")?.name == "Traditional Chinese" && TranslationLanguage("Klingon")?.name == "Klingon")
        #expect(TranslationLanguage("fr; drop table") == nil && TranslationLanguage("") == nil)
    }
}
