import Engine
import Foundation
import Testing

/// Parity with llama.cpp (shared/reference): tokenization, teacher-forced top-k log-probabilities
/// at every step, and greedy continuations.
@Suite(.serialized)
struct ParityTests {
    @Test(arguments: TestModel.all)
    func promptTokenizationMatches(_ test: TestModel) throws {
        let reference = try ReferenceData.load(test.reference)
        let model = try test.load()
        let generator = Generator(model: model)
        for item in reference.tokenize {
            #expect(model.tokenizer.encode(item.text) == item.ids, "\(test): \(item.text.debugDescription)")
        }
        for g in reference.greedy {
            #expect(generator.promptIDs(for: g.prompt) == g.prompt_ids, "\(test): prompt \(g.prompt.debugDescription)")
        }
    }

    /// Feeds the reference ids one by one (teacher forcing) and compares every step's top-10 with llama.cpp's.
    @Test(arguments: TestModel.all)
    func teacherForcedLogprobsMatch(_ test: TestModel) throws {
        let reference = try ReferenceData.load(test.reference)
        _ = try ParityCheck.teacherForced(model: try test.load(), reference: reference, tolerance: test.tolerance, label: test.id)
    }

    /// Greedy generation reproduces llama.cpp's ids up to the first genuine tie.
    @Test(arguments: TestModel.all)
    func greedyContinuationMatches(_ test: TestModel) throws {
        let reference = try ReferenceData.load(test.reference)
        try ParityCheck.greedy(model: try test.load(), reference: reference, tolerance: test.tolerance, label: test.id,
                               compareText: test.id != "qwen3-tiny-random")
    }
}
