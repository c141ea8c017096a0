import ArgumentParser

/// `groupqwen route …`: measure and calibrate how `model: "auto"` requests are routed.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "Measure (eval) and fit (calibrate) model routing on a graded prompt set.",
        subcommands: [RouteEvalCommand.self, RouteCalibrateCommand.self])
}
