import GGUF

/// Encoding of floats into GGUF tensor types, byte-identical with llama.cpp.
///
/// Every type matches ggml's reference quantizer for that type, which is what `llama-quantize`
/// runs when no importance matrix is given (`ggml_quantize_chunk` with `imatrix == NULL`):
///
/// | type | ggml function |
/// | --- | --- |
/// | F32 | a copy |
/// | F16 | `ggml_fp32_to_fp16_row` (`GGML_FP32_TO_FP16`, round to nearest even) |
/// | BF16 | `ggml_fp32_to_bf16_row_ref` |
/// | Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 | `quantize_row_q4_0_ref` … `quantize_row_q8_0_ref` |
/// | Q4_K, Q5_K, Q6_K | `quantize_row_q4_K_ref`, `quantize_row_q5_K_ref`, `quantize_row_q6_K_ref` |
///
/// Blocks are independent, so a tensor may be split anywhere on block boundaries (and across
/// threads) without changing a byte.
///
/// ```swift
/// let bytes = Quantize.encode(.q4_K, weights)            // weights.count % 256 == 0
/// let back = Quantize.decode(.q4_K, bytes, count: weights.count)
/// ```
public enum Quantize {
    /// The types `Quantize` can produce.
    public static let supportedTypes: [TensorType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    /// Whether `type` can be produced.
    public static func supports(_ type: TensorType) -> Bool {
        switch type {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }

    /// Encodes `count` floats from `src` as `type` into `dst`, which must have room for
    /// `type.byteCount(elements: count)` bytes.
    ///
    /// - Precondition: `supports(type)` and `count` is a multiple of `type.blockSize`.
    public static func row(_ type: TensorType, from src: UnsafePointer<Float>, count: Int, into dst: UnsafeMutableRawPointer) {
        precondition(supports(type), "Quantize.row: cannot encode \(type)")
        precondition(count >= 0 && count % type.blockSize == 0, "Quantize.row: count \(count) is not a multiple of the \(type) block size \(type.blockSize)")
        let blocks = count / type.blockSize
        switch type {
        case .f32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * count)
        case .f16:
            for i in 0..<count {
                dst.storeBytes(of: GGMLFloatConversion.halfBits(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case .bf16:
            for i in 0..<count {
                dst.storeBytes(of: GGMLFloatConversion.bfloat16Bits(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case .q4_0: LegacyBlockQuantizer.q4_0(src, blocks: blocks, into: dst)
        case .q4_1: LegacyBlockQuantizer.q4_1(src, blocks: blocks, into: dst)
        case .q5_0: LegacyBlockQuantizer.q5_0(src, blocks: blocks, into: dst)
        case .q5_1: LegacyBlockQuantizer.q5_1(src, blocks: blocks, into: dst)
        case .q8_0: LegacyBlockQuantizer.q8_0(src, blocks: blocks, into: dst)
        case .q4_K: KQuantBlockQuantizer.q4_K(src, blocks: blocks, into: dst, scratch: KQuantBlockQuantizer.Scratch())
        case .q5_K: KQuantBlockQuantizer.q5_K(src, blocks: blocks, into: dst, scratch: KQuantBlockQuantizer.Scratch())
        case .q6_K: KQuantBlockQuantizer.q6_K(src, blocks: blocks, into: dst, scratch: KQuantBlockQuantizer.Scratch())
        default: preconditionFailure("unreachable")
        }
    }

    /// `row` split over the threads of `pool` on block boundaries; the bytes are the same as from
    /// a single `row` call.
    public static func rows(_ type: TensorType, from src: UnsafePointer<Float>, count: Int, into dst: UnsafeMutableRawPointer, pool: ThreadPool) {
        precondition(count >= 0 && count % type.blockSize == 0, "Quantize.rows: count \(count) is not a multiple of the \(type) block size \(type.blockSize)")
        let blocks = count / type.blockSize
        let bytesPerBlock = type.bytesPerBlock ?? 0
        // Below a few thousand elements the dispatch costs more than it saves.
        guard pool.threadCount > 1, count >= 8192 else { return row(type, from: src, count: count, into: dst) }
        let srcAddress = UInt(bitPattern: src), dstAddress = UInt(bitPattern: dst)
        pool.run { index, threads in
            let lo = blocks * index / threads, hi = blocks * (index + 1) / threads
            guard hi > lo else { return }
            let s = UnsafePointer<Float>(bitPattern: srcAddress)! + lo * type.blockSize
            let d = UnsafeMutableRawPointer(bitPattern: dstAddress)! + lo * bytesPerBlock
            row(type, from: s, count: (hi - lo) * type.blockSize, into: d)
        }
    }

    /// Encodes `values` as `type`, optionally on `pool`.
    ///
    /// - Precondition: `supports(type)` and `values.count` is a multiple of `type.blockSize`.
    public static func encode(_ type: TensorType, _ values: [Float], pool: ThreadPool? = nil) -> [UInt8] {
        precondition(supports(type), "Quantize.encode: cannot encode \(type)")
        guard let size = type.byteCount(elements: values.count) else {
            preconditionFailure("Quantize.encode: \(values.count) values are not a whole number of \(type) blocks")
        }
        return [UInt8](unsafeUninitializedCapacity: size) { out, initialized in
            values.withUnsafeBufferPointer { v in
                guard let base = v.baseAddress, let dst = out.baseAddress else { return }
                if let pool {
                    rows(type, from: base, count: values.count, into: UnsafeMutableRawPointer(dst), pool: pool)
                } else {
                    row(type, from: base, count: values.count, into: UnsafeMutableRawPointer(dst))
                }
            }
            initialized = size
        }
    }

    /// Decodes `count` elements of `type` from `bytes` (the inverse direction, via `Dequantize`).
    public static func decode(_ type: TensorType, _ bytes: [UInt8], count: Int) -> [Float] {
        precondition(type.byteCount(elements: count) == bytes.count, "Quantize.decode: \(bytes.count) bytes do not hold \(count) \(type) elements")
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { b in
                if let src = b.baseAddress, let dst = out.baseAddress {
                    Dequantize.row(type, from: src, count: count, into: dst)
                }
            }
            initialized = count
        }
    }
}
