import Engine
import Kernels

/// The transposed base matrices one layer's backward pass multiplies by: Q/K/V stacked, O, gate/up
/// stacked, and down (see ``TransposedStack``).
///
/// A model whose transposes fit ``TrainingModel``'s budget keeps one set per layer, built on first use and
/// reused by every later step (the base is frozen); otherwise all layers share one set, rebuilt layer by
/// layer in every backward pass.
struct LayerTransposes {
    let queryKeyValue: TransposedStack
    let output: TransposedStack
    let gateUp: TransposedStack
    let down: TransposedStack

    /// - Parameter keepsBuilt: build once and keep (one set per layer), or rebuild on every use (shared).
    init(exact: Bool, keepsBuilt: Bool) {
        queryKeyValue = TransposedStack(exact: exact, keepsBuilt: keepsBuilt)
        output = TransposedStack(exact: exact, keepsBuilt: keepsBuilt)
        gateUp = TransposedStack(exact: exact, keepsBuilt: keepsBuilt)
        down = TransposedStack(exact: exact, keepsBuilt: keepsBuilt)
    }

    /// Bytes the four transposes of `layer` take (Q8_0 blocks, or F32 in exact mode or when a stack's
    /// output count is not a multiple of 32).
    static func byteCount(of layer: LayerWeights, exact: Bool) -> Int {
        [[layer.query, layer.key, layer.value], [layer.output], [layer.gate, layer.up], [layer.down]].reduce(0) { total, stack in
            total + TransposedStack.byteCount(of: stack, exact: exact)
        }
    }
}
