import ArgumentParser
import Foundation
import Gateway
import RoutingEvaluation

/// `groupqwen route calibrate SET.jsonl --target-quality 0.95`: fits the keyword router and the learned router on
/// the train split, reports both on the held-out split, and writes the winner as a `routing:` block.
struct RouteCalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Fit routing on a graded set and write a routing: block for the configuration.",
        discussion: """
        Splits the set (a stable hash of each id holds out --held-out-percent), then fits on the train split: the keyword \
        router's complexity weights, tier thresholds and min_confidence (seeded random search), and the learned router \
        (per-tier logistic regressions on the prompt's MiniLM embedding and keyword features; cost weight λ and per-tier \
        escalation thresholds chosen on cross-validated predictions). Each is set to the cheapest setting that reaches \
        --target-quality × always-largest's quality on the train split, and both are reported on the held-out split; the \
        better one there is written to OUTPUT/routing.yaml (with OUTPUT/learned-router.json).
        """)

    @OptionGroup var options: RouteOptions
    @Option(help: "Share of always-largest's quality to reach.") var targetQuality = 0.95
    @Option(help: "Output folder.") var output = "route-calibration"
    @Flag(help: "Print the result as JSON instead of tables.") var json = false

    func validate() throws {
        guard targetQuality > 0, targetQuality <= 1.5 else { throw ValidationError("--target-quality must be in (0, 1.5]") }
    }

    func run() async throws {
        try await reportingErrors {
            let configuration = try options.serverConfiguration()
            let prompts = try GradedPromptSet.load(path: options.set)
            let outcomes = try await options.outcomes(prompts, configuration: configuration)
            let features = try await options.features(prompts, configuration: configuration)
            let tiers = RouteEvaluation.chatTiers(of: configuration.models)
            var calibratorOptions = RouteCalibrator.Options()
            calibratorOptions.targetQuality = targetQuality
            calibratorOptions.heldOutPercent = options.heldOutPercent
            let name = (options.set as NSString).lastPathComponent
            let result = try RouteCalibrator(options: calibratorOptions).calibrate(
                outcomes, features: features, base: configuration.routing, models: tiers, fittedOn: "\(name), \(prompts.count) prompts")
            let summary = CalibrationSummary(result, set: name, target: targetQuality, tiers: outcomes.tiers.map(\.model))

            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if json { FileHandle.standardOutput.write(try encoder.encode(summary) + Data("\n".utf8)) } else { print(summary.markdown) }

            let heldOut = outcomes.split(heldOutPercent: options.heldOutPercent).heldOut
            let policies = [result.learnedFit.heldOut, result.keywordsFit.heldOut] + result.baselines
            let report = RouteReport(set: "\(name) (held-out split)", outcomes: heldOut, policies: policies)
            let svg = CurvePlot.svg(title: "Held-out quality vs cost (\(name), \(result.heldOutPrompts) prompts)", series: [
                CurvePlot.Series(name: "learned: cost weight λ", points: result.learnedFit.curve, color: "#2471a3"),
                CurvePlot.Series(name: "keywords: thresholds shifted", points: result.keywordsFit.curve, color: "#c0392b"),
            ], marks: policies.filter { !$0.name.hasPrefix("random") })
            try RouteFiles.write(report: report, svg: svg, extra: [
                "learned-router.json": try encoder.encode(result.learned),
                "routing.yaml": Data(summary.routingYAML.utf8),
                "calibration.json": try encoder.encode(summary),
                "calibration.md": Data(summary.markdown.utf8),
            ], to: output)
        }
    }
}
