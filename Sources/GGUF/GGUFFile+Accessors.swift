extension GGUFFile {
    /// An integer metadata value, or nil when absent.
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }

    /// A required integer metadata value.
    public func requireInt(_ key: String) throws(GGUFError) -> Int {
        guard let v = metadata[key] else { throw .missingKey(key) }
        guard let i = v.intValue else { throw .wrongValueType(key: key, expected: "an integer") }
        return i
    }

    public func float(_ key: String) -> Float? { metadata[key]?.doubleValue.map(Float.init) }
    public func bool(_ key: String) -> Bool? { metadata[key]?.boolValue }
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }

    /// A string-array metadata value (e.g. a vocabulary).
    public func strings(_ key: String) throws(GGUFError) -> [String]? {
        guard let v = metadata[key] else { return nil }
        guard let items = v.arrayValue else { throw .wrongValueType(key: key, expected: "an array") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let s = item.stringValue else { throw .wrongValueType(key: key, expected: "an array of strings") }
            out.append(s)
        }
        return out
    }

    /// A numeric-array metadata value as `Float`s.
    public func floats(_ key: String) throws(GGUFError) -> [Float]? {
        guard let v = metadata[key] else { return nil }
        guard let items = v.arrayValue else { throw .wrongValueType(key: key, expected: "an array") }
        var out: [Float] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let d = item.doubleValue else { throw .wrongValueType(key: key, expected: "an array of numbers") }
            out.append(Float(d))
        }
        return out
    }

    /// A numeric-array metadata value as `Int`s.
    public func ints(_ key: String) throws(GGUFError) -> [Int]? {
        guard let v = metadata[key] else { return nil }
        guard let items = v.arrayValue else { throw .wrongValueType(key: key, expected: "an array") }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let i = item.intValue else { throw .wrongValueType(key: key, expected: "an array of integers") }
            out.append(i)
        }
        return out
    }

    /// The tensor called `name`, or a `missingTensor` error.
    public func requireTensor(_ name: String) throws(GGUFError) -> TensorInfo {
        guard let t = tensor(name) else { throw .missingTensor(name) }
        return t
    }
}
