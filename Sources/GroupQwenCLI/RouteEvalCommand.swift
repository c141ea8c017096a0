import ArgumentParser
import Foundation
import Gateway
import RoutingEvaluation

/// `groupqwen route eval SET.jsonl`: every chat tier answers every prompt; the answers are graded, and the
/// configured router is scored against always-smallest, always-largest, random and the oracle.
struct RouteEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Grade every chat tier on a graded set and score the router against fixed policies.",
        discussion: """
        Each chat tier of the configuration (its local models with the chat capability, one per tier) answers every prompt \
        as the server would (chat template, greedy, the prompt's max_tokens); answers are cached on disk by model file, \
        settings and conversation, so a re-run only generates what is new. Answers are graded (contains, number, option, \
        regex, json, python unit tests in a sandboxed subprocess, reply). Cost = model parameters × tokens processed, \
        escalations included (a whole answer: non-streamed requests).
        """)

    @OptionGroup var options: RouteOptions
    @Flag(help: "Score only the held-out split (the prompts calibration does not fit on).") var heldOut = false
    @Option(help: "Also write report.md, report.json and curve.svg into this folder.") var output: String?
    @Flag(help: "Print the report as JSON instead of tables.") var json = false

    func run() async throws {
        try await reportingErrors {
            let configuration = try options.serverConfiguration()
            let prompts = try GradedPromptSet.load(path: options.set)
            var outcomes = try await options.outcomes(prompts, configuration: configuration)
            var features = try await options.features(prompts, configuration: configuration)
            if heldOut {
                let kept = prompts.indices.filter { prompts[$0].isHeldOut(percent: options.heldOutPercent) }
                outcomes = outcomes.subset(kept)
                features = kept.map { features[$0] }
            }
            let tiers = RouteEvaluation.chatTiers(of: configuration.models)
            let evaluator = PolicyEvaluator(outcomes: outcomes)
            let router = ModelRouter(configuration: configuration.routing, models: tiers)
            var policies: [PolicyResult] = []
            if let learned = router.learnedRouter {
                policies.append(evaluator.learned("router (learned, configured)", router: learned, features: features))
            }
            policies.append(evaluator.keywords("router (keywords, configured)", configuration: configuration.routing, models: tiers))
            policies += outcomes.tiers.indices.map { evaluator.always($0) }
            policies += [evaluator.random(), evaluator.oracle()]
            let report = RouteReport(set: (options.set as NSString).lastPathComponent + (heldOut ? " (held-out split)" : ""),
                                     outcomes: outcomes, policies: policies)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
            } else {
                print(report.markdown)
            }
            if let output {
                var series = [CurvePlot.Series(name: "keywords: thresholds shifted",
                                               points: RouteCalibrator.thresholdCurve(evaluator, configuration.routing, models: tiers),
                                               color: "#c0392b")]
                if let learned = router.learnedRouter {
                    series.append(CurvePlot.Series(name: "learned: cost weight λ", points: RouteCalibrator.costWeightCurve(
                        evaluator, learned, features: features), color: "#2471a3"))
                }
                let svg = CurvePlot.svg(title: "Routing quality vs cost: \(report.set)", series: series, marks: policies)
                try RouteFiles.write(report: report, svg: svg, extra: ["outcomes.jsonl": outcomes.jsonLines], to: output)
            }
        }
    }
}

/// Writes the report files of `route eval` / `route calibrate` (each file atomically).
enum RouteFiles {
    static func write(report: RouteReport, svg: String, extra: [String: Data] = [:], to folder: String) throws {
        let url = URL(fileURLWithPath: (folder as NSString).expandingTildeInPath)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var files = extra
        files["report.json"] = try encoder.encode(report)
        files["report.md"] = Data(report.markdown.utf8)
        files["curve.svg"] = Data(svg.utf8)
        for (name, data) in files { try data.write(to: url.appendingPathComponent(name), options: .atomic) }
        printNote("wrote \(files.keys.sorted().joined(separator: ", ")) to \(url.path)")
    }
}
