import Foundation

/// Wall-clock time per named phase of the training passes, collected only when the environment variable
/// `GROUPQWEN_TRAIN_PROFILE` is set (`train --bench` prints it then); otherwise `measure` just runs its body.
final class PhaseTimer: @unchecked Sendable {
    static let enabled = ProcessInfo.processInfo.environment["GROUPQWEN_TRAIN_PROFILE"] != nil
    private(set) var totals: [String: Double] = [:]
    private var order: [String] = []

    @inline(__always) func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard Self.enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if totals[name] == nil { order.append(name) }
            totals[name, default: 0] += seconds
        }
        return try body()
    }

    /// One line per phase, largest first, then resets.
    func report() -> String {
        let total = totals.values.reduce(0, +)
        let lines = order.sorted { totals[$0]! > totals[$1]! }.map { String(format: "  %-28@ %7.3f s  %5.1f %%", $0, totals[$0]!, 100 * totals[$0]! / max(total, 1e-9)) }
        totals.removeAll()
        order.removeAll()
        return lines.joined(separator: "\n")
    }
}
