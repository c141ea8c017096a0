import Testing
@testable import GGUF

@Suite("TensorType")
struct TensorTypeTests {
    @Test("description is ggml's name and does not recurse")
    func descriptions() {
        #expect(TensorType.q4_K.description == "Q4_K")
        #expect("\(TensorType.f32)" == "F32")
        #expect(TensorType.iq2_xxs.description == "IQ2_XXS")
        #expect(TensorType.bf16.description == "BF16")
        #expect(Set(TensorType.allCases.map(\.description)).count == TensorType.allCases.count)
        #expect(GGUFValueType.float64.description == "float64")
    }

    @Test("byte counts of the common layouts match ggml's block sizes")
    func byteCounts() {
        #expect(TensorType.f32.byteCount(elements: 7) == 28)
        #expect(TensorType.f16.byteCount(elements: 7) == 14)
        #expect(TensorType.q8_0.byteCount(elements: 64) == 68)
        #expect(TensorType.q4_K.byteCount(elements: 512) == 288)
        #expect(TensorType.q8_0.byteCount(elements: 33) == nil)
        #expect(TensorType.f32.byteCount(elements: Int.max) == nil)
    }
}
