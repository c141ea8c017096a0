import ArgumentParser
import Engine
import Foundation
import GGUF
import ModelStore
import Tokenizers

/// `groupqwen tokenize -m MODEL [--json] TEXT`: token ids of a text (no BOS/EOS added).
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of a text (no BOS/EOS added).")

    @Option(name: .shortAndLong, help: "A known model id or a path to a .gguf file.")
    var model: String = "smollm2-135m"

    @Flag(help: "Print {\"ids\":[…]} on stdout.")
    var json = false

    @Flag(help: "Parse special tokens such as <|im_start|> in the text.")
    var special = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() async throws {
        try await reportingErrors {
            let url = try await resolveModel(model)
            let file: GGUFFile
            file = try GGUFFile(path: url.path)
            let tokenizer = try Tokenizer(gguf: file)
            let ids = tokenizer.encode(text, parseSpecial: special)
            if json {
                try printJSON(["ids": ids.map(Int.init)])
            } else {
                for id in ids { print("\(id)\t\(tokenizer.tokenText(id).debugDescription)") }
            }
        }
    }
}
