import Synchronization

/// A JSON Schema `format` that constrained decoding enforces: a deterministic automaton over the bytes between a
/// string's quotes (all formats here are printable ASCII without `"` or `\`, so the JSON text is the value).
///
/// Supported: `date`, `time`, `date-time` (RFC 3339, with the offset), `uuid`, `ipv4`, `email` (a practical subset of
/// RFC 5321: `local@domain.tld`), `hostname`, `uri` (a scheme, `:`, then printable characters).
public struct StringFormat: Sendable, Hashable {
    public let name: String
    /// `transitions[state * 128 + byte]`: the next state, -1 when the byte is not allowed.
    let transitions: [Int32]
    let accepting: [Bool]

    /// The regular expression (`FormatRegex` syntax) of each supported format.
    static let patterns: [String: String] = {
        let date = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
        let time = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]{1,9})?([Zz]|[+\\-]([01][0-9]|2[0-3]):[0-5][0-9])"
        let octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        let label = "[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?"
        return [
            "date": date,
            "time": time,
            "date-time": date + "[Tt]" + time,
            "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "ipv4": octet + "(\\." + octet + "){3}",
            // Bounded label counts: a model that loops on a domain must still come to an end.
            "email": "[A-Za-z0-9._%+\\-]{1,64}@" + label + "(\\." + label + "){1,3}",
            "hostname": label + "(\\." + label + "){0,7}",
            // Any printable ASCII but `"` (0x22) and `\` (0x5C) after the scheme.
            "uri": "[A-Za-z][A-Za-z0-9+.\\-]*:[!#-\\[\\]-~]+",
        ]
    }()

    private static let compiled = Mutex<[String: StringFormat]>([:])

    /// The supported format called `name`, or nil (compiled on first use).
    public static func named(_ name: String) -> StringFormat? {
        guard let pattern = patterns[name] else { return nil }
        return compiled.withLock { cache in
            if let known = cache[name] { return known }
            // The patterns are fixed and tested: a failure here is a programming error.
            let automaton = try! FormatRegex.compile(pattern)
            let format = StringFormat(name: name, transitions: automaton.transitions, accepting: automaton.accepting)
            cache[name] = format
            return format
        }
    }

    /// The names of the supported formats.
    public static var supportedNames: [String] { patterns.keys.sorted() }

    /// The state after `byte` in `state` (the start is 0), or -1.
    func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        byte < 128 ? transitions[Int(state) * 128 + Int(byte)] : -1
    }

    /// Whether the string may end (its closing quote) in `state`.
    func accepts(_ state: Int32) -> Bool { accepting[Int(state)] }

    /// Whether the whole of `text` is in the format.
    public func matches(_ text: String) -> Bool {
        var state: Int32 = 0
        for byte in text.utf8 {
            state = next(state, byte)
            if state < 0 { return false }
        }
        return accepts(state)
    }
}
