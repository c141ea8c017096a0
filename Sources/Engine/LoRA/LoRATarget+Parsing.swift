extension LoRATarget: CustomStringConvertible {
    /// The short name (`q`, …, `down`).
    public var description: String { shortName }

    /// Parses a list such as `q,k,v,o`, `q_proj v_proj` or `all` (commas and/or spaces); duplicates are
    /// dropped and the result is in canonical order. Returns the first unknown name on failure.
    public static func parseList(_ text: String) -> Result<[LoRATarget], UnknownTarget> {
        let names = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        var chosen = Set<LoRATarget>()
        for name in names {
            if name.lowercased() == "all" {
                chosen.formUnion(allCases)
            } else if let target = LoRATarget(name: name) {
                chosen.insert(target)
            } else {
                return .failure(UnknownTarget(name: name))
            }
        }
        return .success(allCases.filter(chosen.contains))
    }

    /// A target name that `parseList(_:)` does not know.
    public struct UnknownTarget: Error, Sendable, Equatable {
        /// The name as written.
        public var name: String
    }
}

extension LoRATarget {
    /// Encoded by its short name; decoded from any name `init(name:)` accepts.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let target = LoRATarget(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown LoRA target '\(name)'"))
        }
        self = target
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(shortName)
    }
}
