import ArgumentParser
import Foundation
import Gateway

/// `groupqwen experts list`: the live experts, their versions and numbers.
struct ExpertsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the live experts and the router.")

    @OptionGroup var target: ExpertsTargetOptions
    @Flag(help: "Print the live release as JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            guard let release = try await target.live() else {
                printNote("no experts are deployed on \(target.label) (build them with `groupqwen experts build experts.yaml`)")
                return
            }
            if json {
                FileHandle.standardOutput.write(try release.jsonData())
                print()
                return
            }
            print(Self.table(release))
        }
    }

    static func table(_ release: ExpertRelease) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.0f%%", 100 * $0) } ?? "-" }
        func loss(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "-" }
        var lines = ["deployment \(release.deployment) (\(release.origin)) on \(release.baseModel), router \(release.router.classifier.kindName) "
                     + String(format: "threshold %.2f", release.router.threshold)]
        if let e = release.routerEvaluation {
            lines[0] += String(format: ", held-out in-domain %.1f%%, off-domain to none %.1f%%", 100 * e.inDomainAccuracy, 100 * e.offDomainNoneRate)
        }
        let header = ["ID", "VERSION", "VAL LOSS BASE→EXPERT", "HELD-OUT BASE/EXPERT/ROUTED", "ROUTING P/R", "DESCRIPTION"]
        var rows = [header]
        for e in release.experts {
            let m = e.metrics
            rows.append([e.id, "v\(e.version)", "\(loss(m.validLossBase))→\(loss(m.validLossExpert))",
                         "\(pct(m.heldOutScoreBase))/\(pct(m.heldOutScoreExpert))/\(pct(m.heldOutScoreRouted))",
                         "\(pct(m.routingPrecision))/\(pct(m.routingRecall))", e.description])
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        lines += rows.map { row in row.enumerated().map { $1.padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined()
            .trimmingCharacters(in: .whitespaces) }
        return lines.joined(separator: "\n")
    }
}

/// `groupqwen experts rollback ID`: the expert's previous version goes live again.
struct ExpertsRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Put an expert back to its previous version.")

    @Argument(help: "The expert's id.") var id: String
    @OptionGroup var target: ExpertsTargetOptions

    func run() async throws {
        try await reportingErrors {
            let release = try await target.rollback(id)
            let version = release.expert(id)?.version ?? 0
            printNote("expert '\(id)' is at version \(version) again (deployment \(release.deployment) on \(target.label))")
        }
    }
}
