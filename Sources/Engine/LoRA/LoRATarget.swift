/// A projection matrix of a transformer block that a LoRA adapter may modify.
///
/// The raw value is the tensor's GGUF name inside a block (`blk.N.<raw>.weight`); `peftName` is the
/// Hugging Face module name (`model.layers.N.<parent>.<peftName>`).
public enum LoRATarget: String, CaseIterable, Sendable, Hashable, Codable {
    case query = "attn_q"
    case key = "attn_k"
    case value = "attn_v"
    case output = "attn_output"
    case gate = "ffn_gate"
    case up = "ffn_up"
    case down = "ffn_down"

    /// Position in `allCases` (adapters store their pairs in this order).
    public var index: Int {
        switch self {
        case .query: return 0
        case .key: return 1
        case .value: return 2
        case .output: return 3
        case .gate: return 4
        case .up: return 5
        case .down: return 6
        }
    }

    /// Hugging Face / PEFT module name (`q_proj`, …).
    public var peftName: String {
        switch self {
        case .query: return "q_proj"
        case .key: return "k_proj"
        case .value: return "v_proj"
        case .output: return "o_proj"
        case .gate: return "gate_proj"
        case .up: return "up_proj"
        case .down: return "down_proj"
        }
    }

    /// The Hugging Face submodule holding it (`self_attn` or `mlp`).
    public var peftParent: String {
        switch self {
        case .query, .key, .value, .output: return "self_attn"
        case .gate, .up, .down: return "mlp"
        }
    }

    /// The short name used on the command line and in configurations (`q`, `k`, `v`, `o`, `gate`, `up`, `down`).
    public var shortName: String {
        switch self {
        case .query: return "q"
        case .key: return "k"
        case .value: return "v"
        case .output: return "o"
        case .gate: return "gate"
        case .up: return "up"
        case .down: return "down"
        }
    }

    /// Parses a short name, a PEFT module name or a GGUF tensor name.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let target = Self.allCases.first(where: { [$0.shortName, $0.peftName, $0.rawValue].contains(lowered) }) else {
            return nil
        }
        self = target
    }

    /// (inputs, outputs) of this matrix in a model with configuration `c`.
    public func shape(in c: ModelConfiguration) -> (inputs: Int, outputs: Int) {
        switch self {
        case .query: return (c.embeddingLength, c.headCount * c.headDim)
        case .key: return (c.embeddingLength, c.kvHeadCount * c.headDim)
        case .value: return (c.embeddingLength, c.kvHeadCount * c.valueHeadDim)
        case .output: return (c.headCount * c.valueHeadDim, c.embeddingLength)
        case .gate, .up: return (c.embeddingLength, c.feedForwardLength)
        case .down: return (c.feedForwardLength, c.embeddingLength)
        }
    }
}
