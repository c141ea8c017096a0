/// Everything that can be wrong with a GGUF file. Each case reads as a one-line message.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notGGUF(path: String)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int)
    case invalidValueType(UInt32, key: String)
    /// A metadata entry whose bytes are well-formed but whose value is not allowed.
    case invalidValue(key: String, reason: String)
    case invalidString(offset: Int)
    case implausibleCount(what: String, count: UInt64)
    case invalidTensor(name: String, reason: String)
    case unknownTensorType(UInt32, tensor: String)
    case missingKey(String)
    case wrongValueType(key: String, expected: String)
    case missingTensor(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .notGGUF(path): return "\(path) is not a GGUF file (bad magic)"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (supported: 2, 3)"
        case let .truncated(what, offset): return "GGUF file is truncated or corrupt: \(what) runs past the end of the file (offset \(offset))"
        case let .invalidValueType(t, key): return "GGUF metadata '\(key)' has invalid value type \(t)"
        case let .invalidValue(key, reason): return "GGUF metadata '\(key)' is invalid: \(reason)"
        case let .invalidString(offset): return "GGUF file has a string that is not valid UTF-8 at offset \(offset)"
        case let .implausibleCount(what, count): return "GGUF file is corrupt: implausible \(what) count \(count)"
        case let .invalidTensor(name, reason): return "GGUF tensor '\(name)' is invalid: \(reason)"
        case let .unknownTensorType(t, tensor): return "GGUF tensor '\(tensor)' has unknown tensor type \(t)"
        case let .missingKey(key): return "GGUF metadata key '\(key)' is missing"
        case let .wrongValueType(key, expected): return "GGUF metadata '\(key)' is not \(expected)"
        case let .missingTensor(name): return "GGUF tensor '\(name)' is missing"
        }
    }
}
