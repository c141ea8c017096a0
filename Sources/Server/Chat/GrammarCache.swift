import Engine

/// Compiled response-format schemas by their JSON text, so a client sending the same schema with every request
/// compiles it once. Bounded: when full it starts over.
final class GrammarCache: Sendable {
    static let capacity = 128
    private let grammars = LockedValue<[String: JSONSchemaGrammar]>([:])

    func grammar(_ schema: String, closedObjects: Bool = false) throws(JSONSchemaError) -> JSONSchemaGrammar {
        let key = (closedObjects ? "closed:" : "open:") + schema
        if let known = grammars.value[key] { return known }
        let compiled = try JSONSchemaGrammar(schemaJSON: schema, closedObjects: closedObjects)
        grammars.update { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[key] = compiled
        }
        return compiled
    }
}
