import ExpertBuild
import Foundation

/// The example experts of docs/examples/experts (sql, support, lore), generated in process from experts.yaml.
typealias ExpertExamples = ExpertRouterData

extension ExpertRouterData {
    static func load() throws -> ExpertRouterData {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try load(ExpertBuildConfiguration.load(path: root.appendingPathComponent("docs/examples/experts/experts.yaml").path))
    }
}
