import ArgumentParser

@main
struct GroupQwen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groupqwen", abstract: "Local AI orchestration server.", subcommands: [ModelsCommand.self])
}
