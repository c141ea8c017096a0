/// The lifetime of a memory at each preservation level, in seconds; `nil` keeps it until it is deleted.
public struct MemoryRetention: Sendable, Equatable {
    public var ephemeralSeconds: Double?
    public var sessionSeconds: Double?
    public var permanentSeconds: Double?

    /// One hour, one day, forever.
    public init(ephemeralSeconds: Double? = 3_600, sessionSeconds: Double? = 86_400, permanentSeconds: Double? = nil) {
        self.ephemeralSeconds = ephemeralSeconds
        self.sessionSeconds = sessionSeconds
        self.permanentSeconds = permanentSeconds
    }

    /// The lifetime of `level`; `nil`: no expiry.
    public func seconds(for level: MemoryPreservation) -> Double? {
        switch level {
        case .ephemeral: return ephemeralSeconds
        case .session: return sessionSeconds
        case .permanent: return permanentSeconds
        }
    }
}
