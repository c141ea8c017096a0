import GGUF

/// Why `GGUFQuantizer` could not write a model. Each case reads as a one-line message.
public enum QuantizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model's metadata does not allow the llama.cpp rules to be applied.
    case unsupportedModel(String)
    /// A tensor is stored in a type that cannot be decoded (and would have to be converted).
    case unsupportedTensorType(tensor: String, type: TensorType)
    /// The override callback returned the wrong number of floats for a tensor.
    case overrideSize(tensor: String, expected: Int, got: Int)
    /// The encoded data holds NaN or infinity (llama.cpp's "quantized data validation failed").
    case nonFiniteData(tensor: String, type: TensorType)
    /// Input and output are the same file.
    case sameFile(path: String)
    /// The input could not be read.
    case cannotRead(path: String, reason: String)
    /// The output could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedModel(reason): return "cannot quantize this model: \(reason)"
        case let .unsupportedTensorType(tensor, type): return "cannot convert tensor \(tensor): its type \(type) cannot be decoded"
        case let .overrideSize(tensor, expected, got): return "replacement data for tensor \(tensor) has \(got) values, the tensor has \(expected)"
        case let .nonFiniteData(tensor, type): return "tensor \(tensor) holds NaN or infinite values once encoded as \(type)"
        case let .sameFile(path): return "input and output are the same file: \(path)"
        case let .cannotRead(path, reason): return "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
