import Hummingbird

/// The `limit` query parameter of the list endpoints (`/v1/files`, `/v1/fine_tuning/jobs`, events, checkpoints).
enum Pagination {
    static func limit(_ query: Parameters, default value: Int, maximum: Int) throws -> Int {
        guard let text = query.get("limit") else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIError.invalidParameter("'limit' must be an integer in 1…\(maximum) (got \"\(text)\")", param: "limit")
        }
        return limit
    }
}
