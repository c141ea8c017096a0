/// One expert's training prompts: the user turns of its dataset, labelled with the expert's id.
public struct ExpertTrainingSet: Sendable, Equatable, Codable {
    /// The expert's id (the adapter id the server will load), e.g. `sql`. Must not be empty.
    public var id: String
    /// The user turns of the expert's training conversations (system prompts and answers are not used).
    public var prompts: [String]

    public init(id: String, prompts: [String]) {
        self.id = id
        self.prompts = prompts
    }
}
