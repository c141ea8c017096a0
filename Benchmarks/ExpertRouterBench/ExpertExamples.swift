import FineTuning
import Foundation

/// The example experts of docs/examples/experts, generated in process from their specs: training prompts (the
/// user turns of the generated datasets), the held-out `paraphrase`/`paraphrase2` wordings, the system prompt,
/// and the two halves of off-domain.txt. (Tests/GatewayTests/ExpertExamples.swift has the same loader.)
struct ExpertExamples: Sendable {
    struct Expert: Sendable {
        var id: String
        var system: String
        var trainingPrompts: [String]
        var heldOut: [String]
    }

    static let specs = [("sql", "sql-spec.yaml"), ("support", "support-spec.yaml"), ("lore", "lore-spec.yaml")]

    var experts: [Expert]
    var offDomainCalibration: [String]
    var offDomainHeldOut: [String]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/experts")
    }

    static func load(directory: URL = directory) throws -> ExpertExamples {
        var experts: [Expert] = []
        for (id, file) in specs {
            let spec = try GeneratorSpec(yaml: try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
            let conversations = try SyntheticGenerator(spec: spec).generate().conversations
            let records = spec.categories.flatMap { $0.slots.values.flatMap { $0 } }
            experts.append(Expert(
                id: id,
                system: conversations.first?.turns.first { $0.role == .system }?.text ?? "",
                trainingPrompts: conversations.flatMap { $0.turns.filter { $0.role == .user }.map(\.text) },
                heldOut: records.flatMap { record in ["paraphrase", "paraphrase2"].compactMap { record[$0] } }))
        }
        var calibration: [String] = [], heldOut: [String] = []
        var inHeldOut = false
        for line in try String(contentsOf: directory.appendingPathComponent("off-domain.txt"), encoding: .utf8).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text == "# held-out" { inHeldOut = true }
            if text.isEmpty || text.hasPrefix("#") { continue }
            if inHeldOut { heldOut.append(text) } else { calibration.append(text) }
        }
        return ExpertExamples(experts: experts, offDomainCalibration: calibration, offDomainHeldOut: heldOut)
    }
}
