import ArgumentParser
import ExpertBuild
import Foundation
import Gateway
import Training

/// `groupqwen experts build experts.yaml`: data → curate → split → train → evaluate for every expert, then the router,
/// the report, and the deploy (hot with --server) when the gate allows.
struct ExpertsBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build the experts of an experts.yaml file, measure them and deploy them if they are better.",
        discussion: """
        For every expert: generate or read its data, curate, split, train a LoRA adapter, evaluate it against the base model \
        (validation loss, held-out questions). Then train the expert router, measure it on held-out prompts, score the routed \
        system, write OUTPUT/report.json and OUTPUT/report.md, and deploy: an expert goes live only if it beats the base model \
        on its own validation set, and the release only if the router's held-out accuracy does not drop. A re-run skips \
        stages whose inputs did not change. See docs/examples/experts/.
        """)

    @Argument(help: "The experts.yaml file.") var file: String
    @OptionGroup var target: ExpertsTargetOptions
    @Option(help: "Output folder (default: the file's `output`, else experts-build beside it).") var output: String?
    @Option(help: "Trainer and evaluation threads (default: all cores).") var threads: Int?
    @Flag(help: "Build and report, but do not deploy.") var noDeploy = false

    func run() async throws {
        try await reportingErrors {
            var configuration = try ExpertBuildConfiguration.load(path: file)
            if let output { configuration.output = URL(fileURLWithPath: (output as NSString).expandingTildeInPath).standardizedFileURL }
            let modelPath = try await resolveModel(configuration.baseModel).path
            let live = noDeploy ? nil : try await target.live()
            printNote("building \(configuration.experts.count) experts on \(configuration.baseModel) into \(configuration.output.path)"
                      + (live.map { "; live now: deployment \($0.deployment) (\($0.experts.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")))" } ?? ""))
            let progress = ExpertBuildProgress(total: configuration.experts.count)
            let builder = ExpertBuilder(configuration: configuration, modelPath: modelPath, events: progress.handle)
            builder.threads = threads
            let stop = InterruptFlag.install()
            builder.shouldStop = { stop.isSet }
            var result = try await builder.build(live: live)
            if let release = result.release, !noDeploy {
                do {
                    let deployed = try await target.deploy(release)
                    result.report.deployment = deployed.deployment
                    result.report.deployedTo = target.label
                    for (i, row) in result.report.experts.enumerated() {
                        if let expert = deployed.expert(row.id) { result.report.experts[i].status += " → live v\(expert.version)" }
                    }
                } catch {
                    try? result.report.write(to: configuration.output)
                    throw ExpertBuildError.deployFailed("\(error); the live experts are unchanged")
                }
            } else if noDeploy {
                result.report.decision.reason += " (--no-deploy: not deployed)"
                result.report.decision.deploy = false
            }
            if let release = result.release { try release.jsonData().write(to: configuration.output.appendingPathComponent("release.json"), options: .atomic) }
            try result.report.write(to: configuration.output)
            print(result.report.table)
            printNote("report: \(configuration.output.appendingPathComponent("report.md").path)")
        }
    }
}

/// Prints the build's stages as lines on stderr, and each expert's training with the trainer's progress bar.
final class ExpertBuildProgress: @unchecked Sendable {
    private let total: Int
    private var order: [String] = []
    private var display: TrainingProgressDisplay?

    init(total: Int) { self.total = total }

    func handle(_ event: ExpertBuildEvent) {
        switch event {
        case let .stage(expert, stage, status, detail):
            if let expert, !order.contains(expert) { order.append(expert) }
            let who = expert.map { "[\(order.firstIndex(of: $0)! + 1)/\(total) \($0)]" } ?? "[router]"
            switch status {
            case .started: printNote("\(who) \(stage)…")
            case .skipped: printNote("\(who) \(stage): unchanged, skipped (\(detail))")
            case .finished:
                display = nil
                printNote("\(who) \(stage): \(detail)")
            }
        case let .training(_, event):
            if case .prepared = event { display = TrainingProgressDisplay(json: false) }
            if case .evaluated = event { return }
            display?.handle(event)
        }
    }
}
