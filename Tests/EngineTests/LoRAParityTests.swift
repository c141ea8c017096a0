import Engine
import Foundation
import Testing

/// Parity with llama.cpp with a LoRA adapter applied (`Fixtures/lora`, copied from shared/reference/lora):
/// each adapter in both of its forms (llama.cpp GGUF and PEFT folder, the same numbers) must meet the
/// bounds the base models meet, and must visibly change the output.
@Suite(.serialized)
struct LoRAParityTests {
    struct Case: CustomStringConvertible, Sendable {
        let model: TestModel
        let adapter: String
        let form: String

        var description: String { "\(model.id) + \(adapter) (\(form))" }
        var path: String { LoRAFixtures.path(form == "gguf" ? "\(adapter).gguf" : "\(adapter)-peft") }
    }

    static let cases: [Case] = [
        Case(model: .smollm2, adapter: "smollm2-r8-qkvo", form: "gguf"),
        Case(model: .smollm2, adapter: "smollm2-r8-qkvo", form: "peft"),
        Case(model: .qwen25, adapter: "qwen-r2-all-f16", form: "gguf"),
        Case(model: .qwen25, adapter: "qwen-r2-all-f16", form: "peft"),
    ]

    @Test(arguments: cases)
    func teacherForcedLogprobsMatch(_ test: Case) throws {
        let model = try test.model.load()
        let adapter = try LoRAAdapter.load(path: test.path, for: model.configuration)
        let reference = try ReferenceData.load("lora/\(test.adapter)")
        _ = try ParityCheck.teacherForced(model: model, reference: reference, tolerance: test.model.tolerance,
                                          adapters: AdapterMix(adapter), label: test.description)
    }

    @Test(arguments: cases)
    func greedyContinuationMatchesAndDiffersFromBase(_ test: Case) throws {
        let model = try test.model.load()
        let adapter = try LoRAAdapter.load(path: test.path, for: model.configuration)
        let reference = try ReferenceData.load("lora/\(test.adapter)")
        let withAdapter = try ParityCheck.greedy(model: model, reference: reference, tolerance: test.model.tolerance,
                                                 adapters: AdapterMix(adapter), label: test.description)
        // The adapter visibly changes the answers: the base model's own greedy texts differ.
        let base = try ParityCheck.greedy(model: model, reference: try ReferenceData.load(test.model.reference),
                                          tolerance: test.model.tolerance, label: test.model.id)
        let basePrompts = try ReferenceData.load(test.model.reference).greedy.map(\.prompt)
        var changed = 0
        for (i, g) in reference.greedy.enumerated() {
            guard let j = basePrompts.firstIndex(of: g.prompt) else { continue }
            if withAdapter[i] != base[j] { changed += 1 }
        }
        #expect(changed >= reference.greedy.count / 2, "\(test): the adapter changed only \(changed) of \(reference.greedy.count) answers")
    }

    /// The GGUF and PEFT forms hold the same numbers, so they give the same logits (up to F16 rounding
    /// and summation order).
    @Test(arguments: ["smollm2-r8-qkvo", "qwen-r2-all-f16"])
    func ggufAndPEFTFormsAgree(_ name: String) throws {
        let test = Self.cases.first { $0.adapter == name }!
        let model = try test.model.load()
        let gguf = try LoRAAdapter.load(path: LoRAFixtures.path("\(name).gguf"), for: model.configuration)
        let peft = try LoRAAdapter.load(path: LoRAFixtures.path("\(name)-peft"), for: model.configuration)
        #expect(gguf.parameterCount == peft.parameterCount)
        #expect(gguf.targets == peft.targets)
        let ids: [Int32] = Array(try ReferenceData.load("lora/\(name)").greedy[0].prompt_ids)
        func logits(_ adapter: LoRAAdapter) throws -> [Float] {
            let cache = model.makeCache(capacity: ids.count)
            let out = try model.forward(ids.enumerated().map {
                BatchRow(token: $1, position: $0, cache: cache, wantsLogits: $0 == ids.count - 1, adapters: AdapterMix(adapter))
            })
            return Array(out[0])
        }
        let a = try logits(gguf), b = try logits(peft)
        let maxDifference = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(maxDifference < 1e-3, "\(name): GGUF and PEFT logits differ by \(maxDifference)")
    }
}

enum LoRAFixtures {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/lora/\(name)").path
    }
}
