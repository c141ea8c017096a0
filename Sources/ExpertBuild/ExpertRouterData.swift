import FineTuning
import Foundation

/// The router's data of a build configuration, generated in process (no training): each expert's training prompts
/// (the user turns its spec generates), system prompt and held-out questions, and the two parts of the off-domain
/// file. For measuring routers without building the adapters (Benchmarks/ExpertRouterBench, the router tests).
public struct ExpertRouterData: Sendable {
    public struct Expert: Sendable {
        public var id: String
        public var system: String
        public var trainingPrompts: [String]
        public var heldOut: [String]
    }

    public var experts: [Expert]
    public var offDomainCalibration: [String]
    public var offDomainHeldOut: [String]

    /// Generates every expert's spec of `configuration` (experts with a `data:` file are read as they are).
    public static func load(_ configuration: ExpertBuildConfiguration) throws -> ExpertRouterData {
        var experts: [Expert] = []
        for expert in configuration.experts {
            let conversations: [Conversation]
            var heldOut: [String] = []
            if let spec = expert.spec {
                let parsed = try GeneratorSpec(yaml: try String(contentsOfFile: spec, encoding: .utf8))
                conversations = try SyntheticGenerator(spec: parsed).generate().conversations
                heldOut = HeldOutQuestion.fromSpec(parsed).map(\.prompt)
            } else {
                let path = expert.data ?? ""
                conversations = try OpenAIChatJSONL.conversations(from: try Data(contentsOf: URL(fileURLWithPath: path)), name: path)
            }
            if let file = expert.heldOut { heldOut = try HeldOutQuestion.load(path: file).map(\.prompt) }
            experts.append(Expert(id: expert.id, system: conversations.first?.turns.first { $0.role == .system }?.text ?? "",
                                  trainingPrompts: conversations.flatMap { $0.turns.filter { $0.role == .user }.map(\.text) },
                                  heldOut: heldOut))
        }
        let offDomain = try configuration.offDomain.map(OffDomainFile.load) ?? OffDomainFile(calibration: [], heldOut: [])
        return ExpertRouterData(experts: experts, offDomainCalibration: offDomain.calibration, offDomainHeldOut: offDomain.heldOut)
    }
}
