import GGUF

/// Why an adapter cannot be loaded or applied. Each reads as one line naming the problem.
public enum LoRAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path is neither a GGUF file nor a PEFT folder, or cannot be read.
    case cannotOpen(path: String, reason: String)
    /// A GGUF file that is not a LoRA adapter (a model, a control vector, …).
    case notAnAdapter(path: String, reason: String)
    /// The adapter was made for another base architecture.
    case wrongArchitecture(adapter: String, model: String)
    /// `lora_a` without `lora_b` or the other way round.
    case missingPair(tensor: String, missing: String)
    /// Shapes that do not fit the base model or each other.
    case wrongShape(tensor: String, reason: String)
    /// Tensor element types other than F32, F16, BF16 and Q8_0.
    case unsupportedTensorType(tensor: String, type: String)
    /// A tensor for a matrix the engine cannot adapt (embeddings, output head, fused QKV, …).
    case unsupportedTarget(tensor: String)
    /// The same update appears twice.
    case duplicateTensor(String)
    /// The adapter holds no LoRA tensors.
    case noTensors(String)
    /// A broken or unreadable file.
    case file(path: String, reason: String)
    /// `adapter_config.json` is missing, malformed or describes something unsupported.
    case invalidConfiguration(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot load adapter \(path): \(reason)"
        case let .notAnAdapter(path, reason): return "\(path) is not a LoRA adapter: \(reason)"
        case let .wrongArchitecture(adapter, model):
            return "the adapter is for architecture '\(adapter)' but the model is '\(model)'"
        case let .missingPair(tensor, missing): return "LoRA tensor pair for '\(tensor)' is missing its \(missing)"
        case let .wrongShape(tensor, reason): return "LoRA tensor '\(tensor)' does not fit the model: \(reason)"
        case let .unsupportedTensorType(tensor, type):
            return "LoRA tensor '\(tensor)' has type \(type); adapters may use F32, F16, BF16 or Q8_0"
        case let .unsupportedTarget(tensor):
            return "LoRA tensor '\(tensor)' targets a matrix the engine cannot adapt (supported: q, k, v, o, gate, up, down projections)"
        case let .duplicateTensor(name): return "LoRA tensor '\(name)' appears twice"
        case let .noTensors(name): return "adapter \(name) holds no LoRA tensors"
        case let .file(path, reason): return "adapter file \(path) is truncated or corrupt: \(reason)"
        case let .invalidConfiguration(path, reason): return "\(path): \(reason)"
        }
    }
}
