import ArgumentParser

/// `groupqwen lora …`: inspect, create and merge LoRA adapters.
struct LoRACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora", abstract: "Inspect, create and merge LoRA adapters.",
        subcommands: [LoRAInspectCommand.self, LoRAMergeCommand.self, LoRARandomCommand.self])
}
