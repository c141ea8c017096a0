import ArgumentParser

/// `groupqwen experts …`: build, list and roll back the mixture of LoRA experts.
struct ExpertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experts", abstract: "Build, deploy, list and roll back LoRA experts (the server routes each request to one).",
        subcommands: [ExpertsBuildCommand.self, ExpertsListCommand.self, ExpertsRollbackCommand.self])
}
