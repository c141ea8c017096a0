import ArgumentParser
import Engine
import Foundation

/// The repeatable `--lora FILE_OR_DIR[:SCALE]` option of `generate`, `bench` and `eval`.
struct LoRAOptions: ParsableArguments {
    @Option(name: .customLong("lora"), parsing: .singleValue,
            help: ArgumentHelp("A LoRA adapter to apply: a llama.cpp GGUF adapter or a PEFT folder, optionally with a scale (FILE_OR_DIR[:SCALE], default 1). Repeatable: adapters add up.",
                               valueName: "file-or-dir[:scale]"))
    var specs: [String] = []

    /// Loads every adapter for `model`, checking each against it.
    func load(for model: LanguageModel) throws -> [AdapterMix.Entry] {
        try specs.map { spec in
            let (path, scale) = try Self.parse(spec)
            return AdapterMix.Entry(adapter: try LoRAAdapter.load(path: path, for: model.configuration), scale: scale)
        }
    }

    /// `path[:scale]`: the text after the last `:` is a scale when it is a number and the whole text
    /// is not an existing path.
    static func parse(_ spec: String) throws -> (path: String, scale: Float) {
        if let colon = spec.lastIndex(of: ":"), !FileManager.default.fileExists(atPath: (spec as NSString).expandingTildeInPath) {
            let suffix = spec[spec.index(after: colon)...]
            if let scale = Float(suffix) {
                guard scale.isFinite else { throw ValidationError("--lora \(spec): the scale must be a finite number") }
                return (String(spec[..<colon]), scale)
            }
        }
        return (spec, 1)
    }
}
