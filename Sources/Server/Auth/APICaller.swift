/// Who is calling: the key the request presented (set by ``AuthMiddleware`` for the request's task and its
/// children). Nil when the server has no `api_keys`: then everyone sees everything, as one tenant.
struct APICaller: Sendable {
    let key: APIKeyEntry
    let quota: KeyQuota?

    @TaskLocal static var current: APICaller?

    var isAdmin: Bool { key.scope == .admin }

    /// The owner recorded on files and jobs the current caller creates.
    static var owner: String? { current?.key.sha256 }

    /// The owner the current caller is limited to: nil for admins and servers without keys (they see all).
    static var visibleOwner: String? {
        guard let current, !current.isAdmin else { return nil }
        return current.key.sha256
    }

    /// Whether the current caller may see a record owned by `owner`.
    static func canSee(owner: String?) -> Bool {
        guard let visible = visibleOwner else { return true }
        return owner == visible
    }

    /// Charges a finished completion's tokens to the current caller's quota.
    static func charge(tokens: Int) {
        current?.quota?.charge(tokens: tokens)
    }
}
