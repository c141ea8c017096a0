import Foundation

/// Small dense-vector helpers for the expert router and the MCP memory store (SIMD8 accumulators, a fixed summation order, so results
/// are deterministic for the same inputs).
enum VectorMath {
    /// Σ a[i]·b[i] over `count` values.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self), UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            acc1.addProduct(UnsafeRawPointer(a + i + 8).loadUnaligned(as: SIMD8<Float>.self), UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Float>.self))
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// y[i] += alpha · x[i] over `count` values.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    /// The vector scaled to unit length (unchanged when it is all zeros).
    static func normalized(_ v: [Float]) -> [Float] {
        let norm = v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// Softmax of `logits` in place (max-subtracted).
    static func softmax(_ logits: inout [Float]) {
        let m = logits.max() ?? 0
        var total: Float = 0
        for i in logits.indices {
            logits[i] = exp(logits[i] - m)
            total += logits[i]
        }
        for i in logits.indices { logits[i] /= total }
    }
}
