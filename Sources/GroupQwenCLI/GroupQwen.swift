import ArgumentParser

@main
struct GroupQwen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groupqwen",
        abstract: "GroupQwen: local language models behind one OpenAI-compatible endpoint.",
        subcommands: [ServeCommand.self, MCPCommand.self, GenerateCommand.self, TokenizeCommand.self, EmbedCommand.self, DetectLanguageCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PerplexityCommand.self, ExpertsCommand.self, RouteCommand.self, LoRACommand.self, QuantizeCommand.self, BenchCommand.self, CacheBenchCommand.self, ModelsCommand.self]
    )
}
