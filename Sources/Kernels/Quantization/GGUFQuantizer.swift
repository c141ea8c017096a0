import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Re-encodes a GGUF model in another `QuantizationFileType`, producing the file `llama-quantize`
/// produces from the same input (without an importance matrix).
///
/// - Tensor types follow llama.cpp's rules (`TensorTypeSelector`); blocks are encoded by `Quantize`,
///   byte-identical with ggml. Tensors that keep their type are copied byte for byte.
/// - Tensors are written in llama.cpp's order (by layer, then name).
/// - Metadata is copied in order (tokenizer included); `general.quantization_version` (2) and
///   `general.file_type` are then set and moved to the end, and the split keys removed, as
///   llama.cpp does. The alignment is the input's.
/// - An `override` callback can supply a tensor's values as floats (the LoRA merge passes merged
///   weights this way); they are encoded in the tensor's chosen type instead of the input data.
/// - The output is written to a temporary file and renamed into place only when complete.
/// - Memory stays bounded: tensors are converted in slabs of rows, one tensor at a time.
///
/// ```swift
/// let q = GGUFQuantizer(fileType: .mostlyQ4_K_M, threads: 4)
/// try q.quantize(input: "model-f16.gguf", output: "model-q4_k_m.gguf")
/// ```
public struct GGUFQuantizer: Sendable {
    /// Supplies replacement values for a tensor (row-major, `elementCount` floats), or nil to use
    /// the input file's data.
    public typealias Override = (_ tensorName: String) throws -> [Float]?

    /// Reported after each slab of data is written.
    public struct Progress: Sendable {
        /// 1-based index of the tensor being written, and the tensor count.
        public let tensor: Int, tensorCount: Int
        /// The tensor's name.
        public let name: String
        /// Input bytes processed so far, of `totalBytes`.
        public let doneBytes: Int64, totalBytes: Int64
    }

    /// What was written.
    public struct Summary: Sendable {
        /// One decision per tensor, in file order.
        public let decisions: [TensorTypeSelector.Decision]
        /// Sizes of the tensor data read and written.
        public let inputBytes: Int64, outputBytes: Int64
        /// Tensors whose values came from the override callback.
        public let overridden: [String]
    }

    /// The recipe.
    public var fileType: QuantizationFileType
    /// Threads used to decode and encode.
    public var threads: Int
    /// The most floats converted at once (memory bound: about 4 bytes each plus the encoded slab).
    public var slabElements: Int = 1 << 22

    public init(fileType: QuantizationFileType, threads: Int = 1) {
        self.fileType = fileType
        self.threads = Swift.max(1, threads)
    }

    /// The decisions `quantize` would apply to `input`, without writing anything.
    public func plan(for input: GGUFFile) throws(QuantizerError) -> [TensorTypeSelector.Decision] {
        let selector = TensorTypeSelector(fileType: fileType, model: try TensorTypeSelector.Model(gguf: input))
        return try selector.decide(input.tensors.map { ($0.name, $0.shape, $0.type) })
    }

    /// Writes `output` from `input`. See the type's documentation.
    ///
    /// - Throws: `QuantizerError`, or whatever `override` throws (then no output is left behind).
    @discardableResult
    public func quantize(input: String, output: String, override: Override? = nil,
                         progress: ((Progress) -> Void)? = nil) throws -> Summary {
        let file: GGUFFile
        do { file = try GGUFFile(path: input) } catch { throw QuantizerError.cannotRead(path: input, reason: "\(error)") }
        if Self.sameFile(input, output) { throw QuantizerError.sameFile(path: output) }
        let decisions = try plan(for: file)
        var writer = try metadataWriter(for: file)
        for d in decisions {
            do { try writer.addTensorInfo(name: d.name, shape: d.shape, type: d.targetType) } catch {
                throw QuantizerError.cannotWrite(path: output, reason: "\(error)")
            }
        }
        let outputSizes = writer.tensors.map(\.byteCount)
        let total = decisions.reduce(Int64(0)) { $0 + Int64(file.tensor($1.name)!.byteCount) }
        var done: Int64 = 0, written: Int64 = 0
        var overridden: [String] = []
        let pool = ThreadPool(threadCount: threads)
        do {
            try writer.write(to: output) { index, emit in
                let d = decisions[index]
                let info = file.tensor(d.name)!
                let report: (Int64) -> Void = { bytes in
                    done += bytes
                    progress?(Progress(tensor: index + 1, tensorCount: decisions.count, name: d.name, doneBytes: done, totalBytes: total))
                }
                if let values = try override?(d.name) {
                    guard values.count == info.elementCount else {
                        throw QuantizerError.overrideSize(tensor: d.name, expected: info.elementCount, got: values.count)
                    }
                    overridden.append(d.name)
                    try values.withUnsafeBufferPointer { v in
                        try encode(d, rowLength: info.rowLength, rows: info.rowCount, pool: pool, emit: emit) { firstRow, rows, buffer in
                            buffer.update(from: v.baseAddress! + firstRow * info.rowLength, count: rows * info.rowLength)
                        } report: { _ in }
                    }
                    report(Int64(info.byteCount))
                } else if d.targetType == d.sourceType {
                    let base = UnsafeRawPointer(file.data(of: info))
                    var offset = 0
                    while offset < info.byteCount {
                        let n = Swift.min(64 << 20, info.byteCount - offset)
                        try emit(UnsafeRawBufferPointer(start: base + offset, count: n))
                        offset += n
                        report(Int64(n))
                    }
                } else {
                    guard d.sourceType.isSupportedByKernels else {
                        throw QuantizerError.unsupportedTensorType(tensor: d.name, type: d.sourceType)
                    }
                    let source = file.data(of: info)
                    let bytesPerRow = info.bytesPerRow
                    try encode(d, rowLength: info.rowLength, rows: info.rowCount, pool: pool, emit: emit) { firstRow, rows, buffer in
                        Self.decode(d.sourceType, from: source + firstRow * bytesPerRow, rows: rows, rowLength: info.rowLength, into: buffer, pool: pool)
                    } report: { rows in report(Int64(rows * bytesPerRow)) }
                }
                written += Int64(outputSizes[index])
                Self.releasePages(of: info, in: file)
            }
        } catch let error as QuantizerError {
            throw error
        } catch let error as GGUFWriterError {
            if case let .cannotWrite(_, reason) = error { throw QuantizerError.cannotWrite(path: output, reason: reason) }
            throw QuantizerError.cannotWrite(path: output, reason: "\(error)")
        }
        return Summary(decisions: decisions, inputBytes: total, outputBytes: written, overridden: overridden)
    }

    /// The output's metadata: the input's, in order, then `general.quantization_version` and
    /// `general.file_type` (moved to the end, as `gguf_set_val_u32` does), without the split keys.
    func metadataWriter(for file: GGUFFile) throws(QuantizerError) -> GGUFWriter {
        var writer = GGUFWriter(alignment: file.alignment)
        writer.removeValue(forKey: "general.alignment")
        do {
            for key in file.metadataKeys {
                if let itemType = file.emptyArrayItemTypes[key] {
                    try writer.setEmptyArray(key, itemType: itemType)
                } else {
                    try writer.set(key, file.metadata[key]!)
                }
            }
            for key in ["general.quantization_version", "general.file_type", "split.no", "split.count", "split.tensors.count"] {
                writer.removeValue(forKey: key)
            }
            try writer.set("general.quantization_version", .uint32(2))
            try writer.set("general.file_type", .uint32(fileType.rawValue))
        } catch {
            throw .unsupportedModel("its metadata cannot be copied: \(error)")
        }
        return writer
    }

    /// Encodes one tensor slab by slab: `fill(firstRow, rows, buffer)` puts the rows' floats in
    /// `buffer`, which is then encoded, checked and emitted.
    private func encode(
        _ d: TensorTypeSelector.Decision, rowLength: Int, rows: Int, pool: ThreadPool,
        emit: (UnsafeRawBufferPointer) throws -> Void,
        fill: (_ firstRow: Int, _ rows: Int, _ buffer: UnsafeMutablePointer<Float>) throws -> Void,
        report: (_ rows: Int) -> Void
    ) throws {
        let type = d.targetType
        let rowsPerSlab = Swift.max(1, Swift.min(rows, slabElements / Swift.max(1, rowLength)))
        let outRowBytes = type.byteCount(elements: rowLength)!
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerSlab * rowLength)
        defer { floats.deallocate() }
        let encoded = UnsafeMutableRawPointer.allocate(byteCount: rowsPerSlab * outRowBytes, alignment: 64)
        defer { encoded.deallocate() }
        var row = 0
        while row < rows {
            let n = Swift.min(rowsPerSlab, rows - row)
            try fill(row, n, floats)
            Quantize.rows(type, from: floats, count: n * rowLength, into: encoded, pool: pool)
            let slab = UnsafeRawBufferPointer(start: encoded, count: n * outRowBytes)
            guard Self.isFinite(type, slab) else { throw QuantizerError.nonFiniteData(tensor: d.name, type: type) }
            try emit(slab)
            report(n)
            row += n
        }
    }

    /// Dequantizes `rows` rows on the pool's threads.
    private static func decode(_ type: TensorType, from src: UnsafeRawPointer, rows: Int, rowLength: Int,
                               into dst: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let bytesPerRow = type.byteCount(elements: rowLength)!
        guard pool.threadCount > 1, rows * rowLength >= 8192 else {
            return Dequantize.row(type, from: src, count: rows * rowLength, into: dst)
        }
        let s = UInt(bitPattern: src), t = UInt(bitPattern: dst)
        pool.run { index, threads in
            let lo = rows * index / threads, hi = rows * (index + 1) / threads
            guard hi > lo else { return }
            Dequantize.row(type, from: UnsafeRawPointer(bitPattern: s)! + lo * bytesPerRow, count: (hi - lo) * rowLength,
                           into: UnsafeMutablePointer<Float>(bitPattern: t)! + lo * rowLength)
        }
    }

    /// ggml's `ggml_validate_row_data` for the types `Quantize` writes: no NaN or infinity among
    /// the values (F32/F16/BF16) or the f16 block scales.
    static func isFinite(_ type: TensorType, _ data: UnsafeRawBufferPointer) -> Bool {
        func halfOK(_ offset: Int) -> Bool { data.loadUnaligned(fromByteOffset: offset, as: UInt16.self) & 0x7C00 != 0x7C00 }
        let block = type.bytesPerBlock!
        let scaleOffsets: [Int]
        switch type {
        case .f32:
            return stride(from: 0, to: data.count, by: 4).allSatisfy { data.loadUnaligned(fromByteOffset: $0, as: UInt32.self) & 0x7F80_0000 != 0x7F80_0000 }
        case .f16: return stride(from: 0, to: data.count, by: 2).allSatisfy(halfOK)
        case .bf16:
            return stride(from: 0, to: data.count, by: 2).allSatisfy { data.loadUnaligned(fromByteOffset: $0, as: UInt16.self) & 0x7F80 != 0x7F80 }
        case .q4_0, .q5_0, .q8_0: scaleOffsets = [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: scaleOffsets = [0, 2]
        case .q6_K: scaleOffsets = [208]
        default: return true
        }
        for b in stride(from: 0, to: data.count, by: block) where !scaleOffsets.allSatisfy({ halfOK(b + $0) }) { return false }
        return true
    }

    /// Lets the kernel drop the input pages of a tensor that has been written: the mapping is
    /// read-only, so they are simply re-read if touched again, and the resident memory stays near
    /// one tensor instead of growing to the whole input.
    static func releasePages(of tensor: TensorInfo, in file: GGUFFile) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = tensor.fileOffset / page * page
        let end = Swift.min(file.mapping.size, tensor.fileOffset + tensor.byteCount)
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: file.mapping.base + start), end - start, MADV_DONTNEED)
    }

    /// Whether two paths name the same existing file.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
