/// How the encoder holds its linear layers (converted once from the F32 checkpoint at load).
public enum EmbeddingPrecision: String, Sendable, CaseIterable {
    /// Half-precision weights, float activations: cosine ≥ 0.9999 to the float64 reference (the parity
    /// test); what `/v1/embeddings` serves.
    case f16
    /// 8-bit blocks (llama.cpp's Q8_0) multiplied with 8-bit activations by integer dot products: about 4×
    /// faster for a short text, cosine ≥ 0.9996 to the reference (0.998 for the empty text). Enough for comparing texts with one
    /// another through the same encoder, as the semantic cache does.
    case q8_0
}
