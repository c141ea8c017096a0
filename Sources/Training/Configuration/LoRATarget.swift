/// A projection of each transformer block that gets a LoRA adapter.
public enum LoRATarget: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case q, k, v, o, gate, up, down

    /// Parses a target name: the short name (`q`), PEFT's module name (`q_proj`, `o_proj`, `gate_proj`, …) or the
    /// GGUF tensor name (`attn_q`, `attn_output`, `ffn_gate`, …); case-insensitive.
    public init?(name: String) {
        let lower = name.lowercased()
        guard let target = Self.allCases.first(where: { [$0.rawValue, $0.peftName, $0.ggufName].contains(lower) }) else { return nil }
        self = target
    }

    /// PEFT / transformers module name (`q_proj`, …, `down_proj`).
    public var peftName: String { "\(rawValue)_proj" }

    /// The GGUF tensor name inside a block (`attn_q`, `attn_k`, `attn_v`, `attn_output`, `ffn_gate`, `ffn_up`, `ffn_down`).
    public var ggufName: String {
        switch self {
        case .q: return "attn_q"
        case .k: return "attn_k"
        case .v: return "attn_v"
        case .o: return "attn_output"
        case .gate: return "ffn_gate"
        case .up: return "ffn_up"
        case .down: return "ffn_down"
        }
    }

    public var description: String { rawValue }

    /// Parses a list such as `q,k,v,o`, `q_proj v_proj` or `all` (commas and/or spaces); duplicates are dropped and
    /// the result is in canonical order. Returns the first unknown name on failure.
    public static func parseList(_ text: String) -> Result<[LoRATarget], UnknownTarget> {
        let names = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        var chosen = Set<LoRATarget>()
        for name in names {
            if name.lowercased() == "all" {
                chosen.formUnion(allCases)
            } else if let target = LoRATarget(name: name) {
                chosen.insert(target)
            } else {
                return .failure(UnknownTarget(name: name))
            }
        }
        return .success(allCases.filter(chosen.contains))
    }

    /// A target name that ``parseList(_:)`` does not know.
    public struct UnknownTarget: Error, Sendable, Equatable {
        /// The name as written.
        public var name: String
    }
}
