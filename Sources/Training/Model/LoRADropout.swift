import Engine

/// Dropout on the adapters' input (PEFT's `lora_dropout`: `y = W·x + s·B·A·dropout(x)`), with masks drawn
/// from a counter-based hash of (key, layer, target, row, column) instead of a stored random state: the
/// backward pass regenerates exactly the forward pass's mask, and a resumed run draws the same masks.
struct LoRADropout {
    /// Probability of dropping an input value (0: off).
    var probability: Float
    /// Changes with every micro-batch (the trainer derives it from the seed and the step).
    var key: UInt64

    var isActive: Bool { probability > 0 }

    /// `values[r][c] *= mask / (1 − p)` in place for rows `rows`, where mask is 0 with probability p: the
    /// forward pass applies it to the adapter's input, the backward pass to the gradient flowing back through it.
    func apply(_ values: UnsafeMutablePointer<Float>, width: Int, rows: Range<Int>, layer: Int, target: LoRATarget) {
        let keep = 1 / (1 - probability)
        let threshold = UInt64(Double(probability) * Double(UInt64(1) << 32))
        let base = Self.mix(key ^ (UInt64(layer) << 40) ^ (UInt64(target.index) << 56))
        for r in rows {
            let rowKey = Self.mix(base ^ UInt64(r) &* 0x9E37_79B9_7F4A_7C15)
            let row = values + r * width
            for c in 0..<width {
                let bits = Self.mix(rowKey &+ UInt64(c)) >> 32
                row[c] = bits < threshold ? 0 : row[c] * keep
            }
        }
    }

    /// SplitMix64's finaliser: a well-mixed 64-bit hash.
    @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
