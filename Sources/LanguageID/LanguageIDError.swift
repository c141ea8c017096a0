import Foundation

/// Why language identification is unavailable.
public enum LanguageIDError: Error, CustomStringConvertible, Sendable {
    /// The language profiles have not been fetched.
    case profilesMissing(path: String)
    /// A profile file or the compiled table could not be read.
    case corruptProfile(String)
    /// `libbrotlidec` (needed once, to compile the profiles) is not installed.
    case brotliUnavailable

    public var description: String {
        switch self {
        case .profilesMissing(let path):
            return "language profiles not found at \(path); run `groupqwen models fetch \(LanguageIdentifier.profilesModelID)`"
        case .corruptProfile(let detail): return "language profiles unreadable: \(detail)"
        case .brotliUnavailable:
            return "compiling the language profiles needs libbrotlidec (Debian: apt-get install libbrotli1)"
        }
    }
}
