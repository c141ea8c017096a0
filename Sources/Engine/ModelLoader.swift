import GGUF
import Tokenizers

/// Options for loading a model.
public struct ModelLoadOptions: Sendable {
    /// Worker threads for the forward pass (default: all cores).
    public var threads: Int
    /// Tokens processed per forward chunk (prompt processing batch).
    public var batchCapacity: Int

    public init(threads: Int? = nil, batchCapacity: Int = 512) {
        self.threads = threads ?? ModelLoader.defaultThreadCount
        self.batchCapacity = batchCapacity
    }
}

/// Opens GGUF files and builds the matching `LanguageModel`.
public enum ModelLoader {
    static let architectures: [any Architecture.Type] = [Llama.self, Qwen2.self, Qwen3.self, Gemma3.self]

    /// `general.architecture` values the engine runs.
    public static var supportedArchitectures: [String] { architectures.map { $0.name } }

    /// Number of online CPU cores.
    public static var defaultThreadCount: Int { max(1, ProcessInfoCores.count) }

    /// Loads the model at `path`. Throws `EngineError` with a one-line reason for corrupt files,
    /// unknown architectures and unsupported quantization types.
    public static func load(path: String, options: ModelLoadOptions = ModelLoadOptions()) throws -> LanguageModel {
        let (file, configuration) = try open(path: path)
        let tokenizer = try Tokenizer(gguf: file)
        return try LanguageModel(file: file, configuration: configuration, tokenizer: tokenizer,
                                 threads: options.threads, batchCapacity: max(1, options.batchCapacity))
    }

    /// The hyperparameters of the model at `path`, read from its header without loading weights (cheap:
    /// the file is memory-mapped). Used to check adapters against a model that is not loaded.
    public static func configuration(path: String) throws -> ModelConfiguration {
        try open(path: path).configuration
    }

    private static func open(path: String) throws -> (file: GGUFFile, configuration: ModelConfiguration) {
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw EngineError.file(error) }
        guard let arch = file.architecture else { throw EngineError.file(.missingKey("general.architecture")) }
        guard let architecture = architectures.first(where: { $0.name == arch }) else {
            throw EngineError.unknownArchitecture(arch)
        }
        let configuration: ModelConfiguration
        do { configuration = try architecture.configuration(from: file) } catch { throw EngineError.file(error) }
        return (file, configuration)
    }
}
