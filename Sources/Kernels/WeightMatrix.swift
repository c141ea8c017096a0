import GGUF

/// Errors raised when describing matrices for the kernels.
public enum KernelError: Error, CustomStringConvertible, Sendable {
    /// The element type has no kernel.
    case unsupportedType(TensorType)
    /// Dimensions or buffers are inconsistent.
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .unsupportedType(let t): return "unsupported tensor type \(typeName(t)) for matrix kernels"
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        }
    }
}

/// A row-major quantized matrix inside the memory-mapped GGUF (ggml's ne[0] = `columns`, ne[1] = `rows`).
///
/// The data is `rows × bytesPerRow` contiguous bytes and must stay alive (mapped) while the matrix is used.
/// No alignment is assumed.
public struct WeightMatrix: @unchecked Sendable {
    /// Element encoding.
    public let type: TensorType
    /// Number of output features (ggml ne[1]).
    public let rows: Int
    /// Row length = number of input features (ggml ne[0]); a multiple of `type.blockSize`.
    public let columns: Int
    /// First byte of row 0.
    public let data: UnsafeRawPointer

    /// Describes a matrix; throws for types without kernels or a row length that is not a whole number of blocks.
    public init(type: TensorType, rows: Int, columns: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard type.isSupportedByKernels, type.bytesPerBlock != nil else { throw .unsupportedType(type) }
        guard rows > 0, columns > 0, columns % type.blockSize == 0 else {
            throw .shapeMismatch("\(rows)×\(columns) is not a whole number of \(typeName(type)) blocks of \(type.blockSize)")
        }
        self.type = type
        self.rows = rows
        self.columns = columns
        self.data = data
    }

    /// Bytes of one row.
    public var bytesPerRow: Int { columns / type.blockSize * type.bytesPerBlock! }

    /// Pointer to the first byte of `row`.
    @inline(__always) public func row(_ row: Int) -> UnsafeRawPointer { data + row * bytesPerRow }
}

/// Name of a tensor type for messages. (`TensorType.description` in GGUF recurses infinitely:
/// `String(describing: self)` calls `description` again, so it must not be used.)
func typeName(_ t: TensorType) -> String {
    switch t {
    case .f32: return "F32"
    case .f16: return "F16"
    case .bf16: return "BF16"
    case .q4_0: return "Q4_0"
    case .q4_1: return "Q4_1"
    case .q5_0: return "Q5_0"
    case .q5_1: return "Q5_1"
    case .q8_0: return "Q8_0"
    case .q4_K: return "Q4_K"
    case .q5_K: return "Q5_K"
    case .q6_K: return "Q6_K"
    case .q8_K: return "Q8_K"
    default: return "type #\(t.rawValue)"
    }
}
