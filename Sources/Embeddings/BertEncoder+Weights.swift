import Kernels

extension BertEncoder {
    /// Converts an F32 `rows × columns` matrix to `precision`; returns the matrix and its storage, which the
    /// caller deallocates.
    static func convert(_ source: UnsafePointer<Float>, rows: Int, columns: Int,
                        to precision: EmbeddingPrecision) throws -> (WeightMatrix, UnsafeMutableRawPointer) {
        let count = rows * columns
        switch precision {
        case .f16:
            let half = UnsafeMutablePointer<Float16>.allocate(capacity: count)
            for i in 0..<count { half[i] = Float16(source[i]) }
            return (try WeightMatrix(type: .f16, rows: rows, columns: columns, data: UnsafeRawPointer(half)), UnsafeMutableRawPointer(half))
        case .q8_0:
            precondition(columns % 32 == 0, "Q8_0 rows need a multiple of 32 columns")
            let storage = UnsafeMutableRawPointer.allocate(byteCount: count / 32 * 34, alignment: 16)
            var out = storage.assumingMemoryBound(to: UInt8.self)
            // Q8_0 block: FP16 scale d = max|x| / 127, then 32 signed bytes round(x / d).
            for block in stride(from: 0, to: count, by: 32) {
                var amax: Float = 0
                for j in 0..<32 { amax = max(amax, abs(source[block + j])) }
                let d = amax / 127
                let inverse: Float = d > 0 ? 1 / d : 0
                let bits = Float16(d).bitPattern
                out[0] = UInt8(truncatingIfNeeded: bits)
                out[1] = UInt8(truncatingIfNeeded: bits >> 8)
                for j in 0..<32 {
                    out[2 + j] = UInt8(bitPattern: Int8(max(-127, min(127, (source[block + j] * inverse).rounded()))))
                }
                out += 34
            }
            return (try WeightMatrix(type: .q8_0, rows: rows, columns: columns, data: UnsafeRawPointer(storage)), storage)
        }
    }
}
