/// Everything that can be wrong with a `.safetensors` file, one line each.
public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case truncated(String)
    case invalidHeader(String)
    case unsupportedType(String, tensor: String)
    case missingTensor(String)
    /// A file could not be written (``SafeTensorsWriter``).
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .truncated(what): return "safetensors file is truncated or corrupt: \(what) runs past the end of the file"
        case let .invalidHeader(reason): return "invalid safetensors header: \(reason)"
        case let .unsupportedType(type, tensor): return "tensor '\(tensor)' has unsupported type \(type)"
        case let .missingTensor(name): return "the model has no tensor '\(name)'"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
