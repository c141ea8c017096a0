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
        // Keys, names and reasons can come from a hostile file: keep each short and the whole
        // message on one line, with control characters escaped.
        func c(_ s: String, limit: Int = 120) -> String {
            var out = ""
            for (i, scalar) in s.unicodeScalars.enumerated() {
                if i == limit { out += "…"; break }
                out += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
            }
            return out
        }
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(c(path, limit: 4096)): \(c(reason))"
        case let .notGGUF(path): return "\(c(path, limit: 4096)) is not a GGUF file (bad magic)"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (supported: 2, 3)"
        case let .truncated(what, offset): return "GGUF file is truncated or corrupt: \(c(what)) runs past the end of the file (offset \(offset))"
        case let .invalidValueType(t, key): return "GGUF metadata '\(c(key))' has invalid value type \(t)"
        case let .invalidValue(key, reason): return "GGUF metadata '\(c(key))' is invalid: \(c(reason))"
        case let .invalidString(offset): return "GGUF file has a string that is not valid UTF-8 at offset \(offset)"
        case let .implausibleCount(what, count): return "GGUF file is truncated or corrupt: \(c(what)) count \(count) does not fit in the file"
        case let .invalidTensor(name, reason): return "GGUF tensor '\(c(name))' is invalid: \(c(reason))"
        case let .unknownTensorType(t, tensor): return "GGUF tensor '\(c(tensor))' has unknown tensor type \(t)"
        case let .missingKey(key): return "GGUF metadata key '\(c(key))' is missing"
        case let .wrongValueType(key, expected): return "GGUF metadata '\(c(key))' is not \(c(expected))"
        case let .missingTensor(name): return "GGUF tensor '\(c(name))' is missing"
        }
    }
}
