import Foundation

extension LoRAAdapter {
    /// A seeded random adapter: A uniform in ±1/√inputs (PEFT's Kaiming-uniform initialisation) and B
    /// normal with standard deviation `bStandardDeviation` (PEFT starts training from B = 0; a non-zero B
    /// gives an adapter that changes the output, for benchmarks and tests). Scale alpha / rank.
    public static func random(configuration c: ModelConfiguration, rank: Int, alpha: Float? = nil,
                              targets: [LoRATarget] = LoRATarget.allCases, bStandardDeviation: Float = 0.02,
                              seed: UInt64 = 0, name: String = "random") throws(LoRAError) -> LoRAAdapter {
        var random = RandomSource(seed: seed)
        let alpha = alpha ?? Float(2 * rank)
        var matrices: [LoRAMatrices] = []
        for layer in 0..<c.layerCount {
            for target in targets {
                let (inputs, outputs) = target.shape(in: c)
                let bound = 1 / Float(inputs).squareRoot()
                let a = (0..<(rank * inputs)).map { _ in (2 * random.nextUnit() - 1) * bound }
                let b = (0..<(outputs * rank)).map { _ in random.nextNormal() * bStandardDeviation }
                matrices.append(LoRAMatrices(layer: layer, target: target, rank: rank, a: a, b: b, scale: alpha / Float(rank)))
            }
        }
        return try LoRAAdapter(name: name, configuration: c, matrices: matrices, alpha: alpha)
    }
}

extension RandomSource {
    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextUnit(), 1e-7), u2 = nextUnit()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
}
