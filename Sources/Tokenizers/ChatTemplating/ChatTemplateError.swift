/// Why a chat template could not be parsed or rendered.
public enum ChatTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template source is malformed at `line`:`column` (both 1-based).
    case syntax(message: String, line: Int, column: Int)
    /// The template called `raise_exception(message)`.
    case raised(String)
    /// An operation was applied to values of the wrong type (e.g. `1 + 'a'`).
    case type(String)
    /// A filter, test, function or method the interpreter does not know.
    case unknown(String)
    /// A step, recursion or size limit was hit (hostile or runaway template).
    case limitExceeded(String)
    /// JSON text given to the template (tool definitions, tool-call arguments) is malformed.
    case invalidJSON(String)

    /// One-line human-readable description.
    public var description: String {
        switch self {
        case let .syntax(message, line, column): "template syntax error at \(line):\(column): \(message)"
        case let .raised(message): "template raised an exception: \(message)"
        case let .type(message): "template type error: \(message)"
        case let .unknown(message): "template uses an unsupported feature: \(message)"
        case let .limitExceeded(message): "template limit exceeded: \(message)"
        case let .invalidJSON(message): "invalid JSON: \(message)"
        }
    }
}

/// Resource limits that keep a hostile template from hanging or exhausting memory.
public struct ChatTemplateLimits: Sendable, Equatable {
    /// Maximum number of evaluation steps (statements, expressions and loop iterations).
    public var maxSteps: Int
    /// Maximum macro call depth.
    public var maxCallDepth: Int
    /// Maximum nesting of blocks and expressions accepted by the parser.
    public var maxNesting: Int
    /// Maximum number of UTF-8 bytes written to the output (including macro output), and the
    /// maximum length of any single string or list the template builds.
    public var maxOutputBytes: Int
    /// Maximum number of bytes of all the strings and lists the template builds while rendering, intermediate
    /// values included (each `~`, `+`, `*`, filter, method, slice and macro call adds the size of its result): what
    /// bounds memory and time when a loop keeps building large values that never reach the output.
    public var maxBuiltBytes: Int

    /// Creates limits; the defaults are generous for real chat templates. Besides one step per statement,
    /// expression and loop iteration, an operation on strings costs one step per 256 bytes of the strings it reads.
    public init(maxSteps: Int = 2_000_000, maxCallDepth: Int = 32, maxNesting: Int = 64, maxOutputBytes: Int = 16 << 20,
                maxBuiltBytes: Int = 256 << 20) {
        self.maxSteps = maxSteps
        self.maxCallDepth = maxCallDepth
        self.maxNesting = maxNesting
        self.maxOutputBytes = maxOutputBytes
        self.maxBuiltBytes = maxBuiltBytes
    }
}
