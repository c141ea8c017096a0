@testable import ExpertBuild
import Foundation
import Gateway
import Testing

/// The registry's versions, deployments and rollbacks (real SQLite file), and the build's deploy gate.
@Suite struct ExpertReleaseTests {
    /// A router over `ids` trained on well-separated synthetic vectors (the registry only stores it).
    static func router(_ ids: [String]) throws -> ExpertRouter {
        let sets = ids.enumerated().map { i, id in
            EmbeddedTrainingSet(id: id, embeddings: (0..<6).map { j in (0..<8).map { d in d == i ? 1 : Float(j) * 0.01 } })
        }
        return try ExpertRouterTrainer().train(experts: sets)
    }

    static func release(_ adapters: [(String, String)], accuracy: Double? = nil) throws -> ExpertRelease {
        let experts = adapters.map { ExpertRecord(id: $0.0, baseModel: "m", description: "", adapterPath: "/a/\($0.0)-\($0.1)", adapterFingerprint: $0.1) }
        return ExpertRelease(baseModel: "m", router: try router(adapters.map(\.0)), experts: experts)
    }

    @Test func versionsDeploymentsAndRollbackSurviveReopening() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let registry = try ExpertRegistry(path: path)
        #expect(try registry.current() == nil)
        #expect(throws: ExpertRegistryError.nothingDeployed) { try registry.rollback("a") }
        let first = try registry.deploy(Self.release([("a", "f1"), ("b", "g1")]), now: 100)
        #expect(first.deployment == 1 && first.experts.map(\.version) == [1, 1] && first.deployed == 100)
        #expect(throws: ExpertRegistryError.noPreviousVersion(id: "a", version: 1)) { try registry.rollback("a") }
        // A changed adapter gets the next version; an unchanged one keeps its number.
        let second = try registry.deploy(Self.release([("a", "f2"), ("b", "g1")]), now: 200)
        #expect(second.deployment == 2 && second.experts.map(\.version) == [2, 1])
        #expect(second.expert("b")?.created == 100)

        let reopened = try ExpertRegistry(path: path)
        #expect(try reopened.current() == second)
        let rolled = try reopened.rollback("a", now: 300)
        #expect(rolled.deployment == 3 && rolled.expert("a")?.version == 1 && rolled.expert("a")?.adapterFingerprint == "f1")
        #expect(rolled.router == second.router && rolled.origin.hasPrefix("rollback a"))
        #expect(try reopened.versions(of: "a").map(\.version) == [1, 2])
        #expect(throws: ExpertRegistryError.unknownExpert("c", available: ["a", "b"])) { try reopened.rollback("c") }
    }

    @Test func refusesReleasesThatDoNotHoldTogether() throws {
        let registry = try ExpertRegistry(path: nil)
        var release = try Self.release([("a", "f1"), ("b", "g1")])
        release.experts.removeLast()
        #expect { try registry.deploy(release) } throws: { "\($0)".contains("not an expert of the release") }
        release = try Self.release([("a", "f1"), ("b", "g1")])
        release.experts[1].baseModel = "other"
        #expect { try registry.deploy(release) } throws: { "\($0)".contains("is for model 'other'") }
        #expect(try registry.current() == nil)
    }

    @Test func theGateDeploysChangesButNotRepeatsOrWorseRouters() throws {
        let router = try Self.router(["a", "b"])
        func evaluation(_ hit: Int) -> ExpertRouterEvaluation {
            // Eight labelled one-hot prompts; `hit` of the four in-domain ones point at their own expert.
            let examples = (0..<4).map { i in
                ExpertRouterEvaluation.Example(embedding: (0..<8).map { d in d == (i < hit ? i % 2 : 1 - i % 2) ? 1 : 0 }, expertID: i % 2 == 0 ? "a" : "b")
            }
            return ExpertRouterEvaluation(router: router, examples: examples)
        }
        var live = try Self.release([("a", "f1"), ("b", "g1")])
        live.routerEvaluation = evaluation(4)
        #expect(ExpertBuilder.decide(live, live: nil).deploy)
        #expect(!ExpertBuilder.decide(live, live: live).deploy)
        var changed = live
        changed.experts[0].adapterFingerprint = "f2"
        #expect(ExpertBuilder.decide(changed, live: live).deploy)
        changed.routerEvaluation = evaluation(2)
        let worse = ExpertBuilder.decide(changed, live: live)
        #expect(!worse.deploy && worse.reason.contains("would drop"))
    }
}
