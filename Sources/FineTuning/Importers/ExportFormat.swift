import Foundation

/// The formats `groupqwen data import --from …` reads.
public enum ExportFormat: String, CaseIterable, Sendable {
    case chatgpt, claude, gemini, sharegpt, alpaca, openai, text

    /// The file to look for inside a ZIP export, for the formats that come as ZIPs.
    public var archiveEntry: (fileName: String, preferring: String?)? {
        switch self {
        case .chatgpt, .claude: return ("conversations.json", nil)
        case .gemini: return ("My Activity.json", "gemini")
        case .sharegpt, .alpaca, .openai, .text: return nil
        }
    }

    /// The names accepted on the command line, comma-separated.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
