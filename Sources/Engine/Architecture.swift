import GGUF

/// What distinguishes one decoder architecture from another: how to read its hyperparameters.
/// The forward pass itself is shared (`LanguageModel+Forward.swift`) and driven by the flags in
/// `ModelConfiguration`.
protocol Architecture: Sendable {
    /// The `general.architecture` value this type handles.
    static var name: String { get }
    static func configuration(from gguf: GGUFFile) throws(GGUFError) -> ModelConfiguration
}
