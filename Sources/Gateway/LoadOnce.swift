/// A value loaded on first use and kept: concurrent first callers share one load; a failed load is not kept, so the
/// next caller tries again.
actor LoadOnce<Value: Sendable> {
    private var loaded: Value?
    private var loading: Task<Value, Error>?

    /// The value if it is loaded; never waits.
    var current: Value? { loaded }

    /// The value, running `load` first if it is neither loaded nor being loaded.
    func value(_ load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let loaded { return loaded }
        if let loading { return try await loading.value }
        let task = Task(operation: load)
        loading = task
        defer { loading = nil }
        let value = try await task.value
        loaded = value
        return value
    }
}
