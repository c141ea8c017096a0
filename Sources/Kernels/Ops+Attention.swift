extension Ops {
    /// out[0..<dim] = Σ_j weights[j] · values[j·stride ..< j·stride + dim]: the P·V step of attention.
    ///
    /// Each 32-float slice of `out` stays in four SIMD8 registers across all `count` rows, so only the
    /// value rows are loaded; an axpy per row would load and store `out` every time.
    public static func weightedSum(weights: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float>,
                                   stride: Int, dim: Int, output out: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        var d = 0
        while d + 32 <= dim {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            var row = values + d
            for j in 0..<count {
                let w = V(repeating: weights[j])
                a0.addProduct(w, load(row))
                a1.addProduct(w, load(row + 8))
                a2.addProduct(w, load(row + 16))
                a3.addProduct(w, load(row + 24))
                row += stride
            }
            store(a0, out + d); store(a1, out + d + 8); store(a2, out + d + 16); store(a3, out + d + 24)
            d += 32
        }
        while d + 8 <= dim {
            var a = V()
            var row = values + d
            for j in 0..<count {
                a.addProduct(V(repeating: weights[j]), load(row))
                row += stride
            }
            store(a, out + d)
            d += 8
        }
        while d < dim {
            var a: Float = 0
            for j in 0..<count { a += weights[j] * values[j * stride + d] }
            out[d] = a
            d += 1
        }
    }
}

extension Ops {
    /// `groups` weighted sums over the same value rows (the query heads of one GQA group):
    /// out_g[0..<dim] = Σ_j weights[g·weightStride + j] · values[j·stride ..< j·stride + dim].
    ///
    /// Up to four heads are processed per pass, so each loaded 16-float slice of a value row feeds
    /// four heads' register accumulators.
    public static func weightedSums(weights: UnsafePointer<Float>, weightStride: Int, groups: Int, count: Int,
                                    values: UnsafePointer<Float>, stride: Int, dim: Int,
                                    outputs: UnsafeMutablePointer<Float>, outputStride: Int) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        var g = 0
        while g + 4 <= groups && dim % 16 == 0 {
            let w0 = weights + g * weightStride, w1 = w0 + weightStride, w2 = w1 + weightStride, w3 = w2 + weightStride
            let o0 = outputs + g * outputStride, o1 = o0 + outputStride, o2 = o1 + outputStride, o3 = o2 + outputStride
            var d = 0
            while d < dim {
                var a0 = V(), b0 = V(), a1 = V(), b1 = V(), a2 = V(), b2 = V(), a3 = V(), b3 = V()
                var row = values + d
                for j in 0..<count {
                    let x = load(row), y = load(row + 8)
                    let s0 = V(repeating: w0[j]), s1 = V(repeating: w1[j]), s2 = V(repeating: w2[j]), s3 = V(repeating: w3[j])
                    a0.addProduct(s0, x); b0.addProduct(s0, y)
                    a1.addProduct(s1, x); b1.addProduct(s1, y)
                    a2.addProduct(s2, x); b2.addProduct(s2, y)
                    a3.addProduct(s3, x); b3.addProduct(s3, y)
                    row += stride
                }
                store(a0, o0 + d); store(b0, o0 + d + 8)
                store(a1, o1 + d); store(b1, o1 + d + 8)
                store(a2, o2 + d); store(b2, o2 + d + 8)
                store(a3, o3 + d); store(b3, o3 + d + 8)
                d += 16
            }
            g += 4
        }
        while g < groups {
            weightedSum(weights: weights + g * weightStride, count: count, values: values, stride: stride, dim: dim,
                        output: outputs + g * outputStride)
            g += 1
        }
    }
}
