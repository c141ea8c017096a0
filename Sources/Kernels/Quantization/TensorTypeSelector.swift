import GGUF

/// Chooses the type of every tensor of a model for a `QuantizationFileType`, as llama.cpp's
/// `llama_model_quantize_impl` does (`src/llama-quant.cpp`: `tensor_allows_quantization`,
/// `llama_tensor_get_type`, `llama_tensor_get_type_impl`, `tensor_type_fallback`), with default
/// parameters: no importance matrix, no overrides, output tensor quantized.
///
/// It also reproduces the order in which llama.cpp writes the tensors (by layer number, then by
/// name) and the dimension count it writes (trailing dimensions of 1 dropped), because the choice
/// itself depends on that order: the n-th `attn_v` and `ffn_down` tensor seen gets more bits when
/// `use_more_bits(n, count)` holds.
public struct TensorTypeSelector: Sendable {
    /// The model facts the choice depends on.
    public struct Model: Sendable, Equatable {
        /// `general.architecture`.
        public var architecture: String
        /// `<arch>.block_count` (llama.cpp's `n_layer_all`).
        public var blockCount: Int
        /// `<arch>.nextn_predict_layers` (0 when absent).
        public var nextNLayers: Int
        /// `<arch>.expert_count` (0 when absent).
        public var expertCount: Int
        /// `<arch>.attention.head_count` (the first layer's, when per layer).
        public var headCount: Int
        /// `<arch>.attention.head_count_kv` (defaults to `headCount`).
        public var headCountKV: Int

        public init(architecture: String, blockCount: Int, nextNLayers: Int = 0, expertCount: Int = 0, headCount: Int = 0, headCountKV: Int? = nil) {
            self.architecture = architecture
            self.blockCount = blockCount
            self.nextNLayers = nextNLayers
            self.expertCount = expertCount
            self.headCount = headCount
            self.headCountKV = headCountKV ?? headCount
        }

        /// Reads the facts from a GGUF file's metadata.
        public init(gguf: GGUFFile) throws(QuantizerError) {
            guard let arch = gguf.architecture else { throw .unsupportedModel("general.architecture is missing") }
            guard let blocks = gguf.int("\(arch).block_count"), blocks > 0 else {
                throw .unsupportedModel("\(arch).block_count is missing")
            }
            func first(_ key: String) -> Int? {
                if let v = gguf.int(key) { return v }
                return gguf.metadata[key]?.arrayValue?.first?.intValue
            }
            let heads = first("\(arch).attention.head_count") ?? 0
            self.init(architecture: arch, blockCount: blocks, nextNLayers: gguf.int("\(arch).nextn_predict_layers") ?? 0,
                      expertCount: gguf.int("\(arch).expert_count") ?? 0, headCount: heads,
                      headCountKV: first("\(arch).attention.head_count_kv") ?? heads)
        }

        /// llama.cpp's `LLM_TYPE_70B` test (the only model size the recipes below look at).
        var is70B: Bool {
            let layers = blockCount - nextNLayers
            switch architecture {
            case "llama": return expertCount != 8 && layers == 80 && headCount != headCountKV
            case "qwen2": return layers == 80
            default: return false
            }
        }
    }

    /// What happens to one tensor.
    public struct Decision: Sendable, Equatable {
        /// The tensor's name.
        public let name: String
        /// The shape written: the input shape without trailing dimensions of 1 (ggml's `ggml_n_dims`).
        public let shape: [Int]
        /// The tensor's type in the input.
        public let sourceType: TensorType
        /// The type it is written in.
        public let targetType: TensorType
    }

    /// The architectures whose llama.cpp rules are reproduced.
    public static let supportedArchitectures: Set<String> = ["llama", "qwen2", "qwen3", "gemma3"]

    public let fileType: QuantizationFileType
    public let model: Model

    public init(fileType: QuantizationFileType, model: Model) {
        self.fileType = fileType
        self.model = model
    }

    /// Decides every tensor, returned in the order llama.cpp writes them.
    ///
    /// - Parameter tensors: `(name, shape, type)` of each input tensor, in any order.
    /// - Throws: `QuantizerError.unsupportedModel` for an architecture not in
    ///   `supportedArchitectures` or an expert tensor without a layer number.
    public func decide(_ tensors: [(name: String, shape: [Int], type: TensorType)]) throws(QuantizerError) -> [Decision] {
        guard Self.supportedArchitectures.contains(model.architecture) else {
            throw .unsupportedModel("architecture '\(model.architecture)' is not supported (supported: \(Self.supportedArchitectures.sorted().joined(separator: ", ")))")
        }
        let ordered = tensors.sorted { Self.llamaOrder($0.name, $1.name) }
        var state = Counters()
        state.attentionVCount = ordered.filter { Category($0.name).isAttentionV }.count
        state.layerCount = model.blockCount
        state.tiedEmbeddings = !ordered.contains { $0.name == "output.weight" }
        var decisions: [Decision] = []
        decisions.reserveCapacity(ordered.count)
        for t in ordered {
            let shape = Self.ggmlShape(t.shape)
            var target = t.type
            if Self.allowsQuantization(name: t.name, dimensions: shape.count) {
                target = fileType.defaultTensorType
                if Self.isQuantized(target) {
                    target = try chooseType(target, name: t.name, rowLength: shape[0], state: &state)
                    target = Self.fallback(target, rowLength: shape[0])
                }
            }
            decisions.append(Decision(name: t.name, shape: shape, sourceType: t.type, targetType: target))
        }
        return decisions
    }

    // MARK: llama.cpp's rules

    /// The order of llama.cpp's `weight_name_comparer`: layer number (`blk.N.`, −1 for others),
    /// then byte-wise name.
    public static func llamaOrder(_ a: String, _ b: String) -> Bool {
        let la = layerNumber(a) ?? -1, lb = layerNumber(b) ?? -1
        if la != lb { return la < lb }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// What `sscanf(name, "blk.%d.", &layer)` reads.
    static func layerNumber(_ name: String) -> Int? {
        let bytes = Array(name.utf8)
        guard bytes.count > 4, bytes[0..<4].elementsEqual("blk.".utf8) else { return nil }
        var i = 4
        while i < bytes.count, bytes[i] == 0x20 || (0x09...0x0D).contains(bytes[i]) { i += 1 }
        var negative = false
        if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { negative = bytes[i] == 0x2D; i += 1 }
        var value = 0, digits = 0
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
            value = value &* 10 &+ Int(bytes[i] - 0x30)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        return Int(Int32(truncatingIfNeeded: negative ? -value : value))
    }

    /// The shape without trailing 1s (at least one dimension), as ggml writes it.
    static func ggmlShape(_ shape: [Int]) -> [Int] {
        var s = shape
        while s.count > 1, s.last == 1 { s.removeLast() }
        return s
    }

    static func isQuantized(_ type: TensorType) -> Bool {
        switch type {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: return false
        default: return true
        }
    }

    /// `tensor_allows_quantization` with default parameters.
    static func allowsQuantization(name: String, dimensions: Int) -> Bool {
        guard dimensions >= 2, name.hasSuffix("weight") else { return false }
        let excludedParts = [
            "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
            "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
            "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
            "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
            "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
            ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
        ]
        if excludedParts.contains(where: { name.contains($0) }) { return false }
        return name != "position_embd.weight" && name != "token_types.weight"
    }

    /// `tensor_type_fallback`: a type whose block does not divide the row length is replaced.
    static func fallback(_ type: TensorType, rowLength: Int) -> TensorType {
        guard rowLength % type.blockSize != 0 else { return type }
        var result: TensorType
        switch type {
        case .q2_K, .q3_K, .tq1_0, .tq2_0: result = .q4_0
        case .q4_K: result = .q5_0
        case .q5_K: result = .q5_1
        case .q6_K: result = .q8_0
        case .iq1_s, .iq1_m, .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq4_xs: result = .iq4_nl
        default: result = type
        }
        if rowLength % result.blockSize != 0 { result = .f16 }
        return result
    }

    /// `llama_tensor_get_type_impl`'s running state.
    struct Counters {
        var attentionVCount = 0
        var attentionV = 0
        var ffnDown = 0
        var ffnGate = 0
        var ffnUp = 0
        var layerCount = 0
        var tiedEmbeddings = true
    }

    /// llama.cpp's categories (`tensor_get_category`).
    enum Category {
        case tokenEmbedding, attentionQ, attentionV, attentionK, attentionQKV, attentionKVB, attentionOutput
        case ffnUp, ffnGate, ffnDown, output, other

        init(_ name: String) {
            if name == "output.weight" { self = .output }
            else if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { self = .tokenEmbedding }
            else if name.contains("attn_qkv.weight") { self = .attentionQKV }
            else if name.contains("attn_kv_b.weight") { self = .attentionKVB }
            else if name.contains("attn_v.weight") { self = .attentionV }
            else if name.contains("attn_k.weight") { self = .attentionK }
            else if name.contains("attn_q.weight") { self = .attentionQ }
            else if name.contains("attn_output.weight") { self = .attentionOutput }
            else if name.contains("ffn_up") { self = .ffnUp }
            else if name.contains("ffn_gate") { self = .ffnGate }
            else if name.contains("ffn_down") { self = .ffnDown }
            else { self = .other }
        }

        var isAttentionV: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }
    }

    static func useMoreBits(_ layer: Int, _ layers: Int) -> Bool {
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2
    }

    /// `llama_tensor_get_type_impl` for the recipes of `QuantizationFileType` on the supported
    /// architectures (the branches for other recipes and for Falcon never apply).
    private func chooseType(_ defaultType: TensorType, name: String, rowLength: Int, state: inout Counters) throws(QuantizerError) -> TensorType {
        var type = defaultType
        let category = Category(name)
        let experts = Swift.max(1, model.expertCount)
        func layer(_ counter: Int) throws(QuantizerError) -> Int {
            guard experts > 1 else { return counter }
            guard let l = Self.layerNumber(name) else { throw .unsupportedModel("cannot determine the layer of tensor \(name)") }
            guard l >= 0, l < state.layerCount else { throw .unsupportedModel("bad layer \(l) for tensor \(name) (\(state.layerCount) layers)") }
            return l
        }
        if category == .output || (state.tiedEmbeddings && category == .tokenEmbedding) {
            if rowLength % type.blockSize != 0 {
                type = .q8_0
            } else if type != .q8_0 {
                type = .q6_K
            }
        } else if category == .tokenEmbedding {
            // Only the IQ / TQ recipes change an untied token embedding.
        } else if category.isAttentionV {
            if (fileType == .mostlyQ4_K_M || fileType == .mostlyQ5_K_M) && Self.useMoreBits(state.attentionV, state.attentionVCount) {
                type = .q6_K
            }
            if model.is70B, type == .q3_K || type == .q4_K { type = .q5_K }
            if model.expertCount == 8 { type = .q8_0 }
            state.attentionV += 1
        } else if category == .attentionK {
            if model.expertCount == 8 { type = .q8_0 }
        } else if category == .attentionQ {
            // Only the IQ3 recipes change attn_q.
        } else if category == .ffnDown {
            let l = try layer(state.ffnDown)
            if fileType == .mostlyQ4_K_M || fileType == .mostlyQ5_K_M, Self.useMoreBits(l, state.layerCount) {
                type = .q6_K
            }
            state.ffnDown += 1
        } else if category == .attentionOutput {
            if model.expertCount == 8, fileType == .mostlyQ4_K_M { type = .q5_K }
        } else if category == .attentionQKV {
            // Unreachable, as in llama.cpp: attn_qkv is caught by the attn_v branch above.
        } else if category == .ffnGate {
            _ = try layer(state.ffnGate)
            state.ffnGate += 1
        } else if category == .ffnUp {
            _ = try layer(state.ffnUp)
            state.ffnUp += 1
        }
        return type
    }
}
