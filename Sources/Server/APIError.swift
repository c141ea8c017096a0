import Foundation
import HTTPTypes
import Hummingbird

/// An error as the OpenAI API reports it: an HTTP status plus
/// `{"error": {"message", "type", "param", "code"}}`. Every failure a client can see becomes one
/// of these in `APIError.from(_:)`, the single place typed errors are mapped to HTTP.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// `invalid_request_error`, `authentication_error`, `rate_limit_error`, `server_error`, …
    public var type: String
    /// The request parameter at fault (`temperature`, `messages[0].role`, …).
    public var param: String?
    /// A machine-readable code (`model_not_found`, `context_length_exceeded`, …).
    public var code: String?
    /// Seconds after which retrying may succeed (sent as `Retry-After`).
    public var retryAfter: Int?
    /// The methods a 405 names in `Allow`.
    public var allow: String?
    /// Further response headers (a 429's `x-ratelimit-*`).
    public var headers: [String: String] = [:]

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil,
                code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    /// 400 for a missing or invalid request parameter.
    static func invalidParameter(_ message: String, param: String?, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 400 for a body that is not JSON at all.
    static func malformedJSON(_ detail: String) -> APIError {
        APIError(status: .badRequest, message: "the request body is not valid JSON: \(detail)",
                 type: "invalid_request_error", code: "invalid_json")
    }

    static func modelNotFound(_ id: String, available: [String]) -> APIError {
        APIError(status: .notFound,
                 message: "the model '\(id)' does not exist; available models: \(available.joined(separator: ", "))",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "the request body is larger than the limit of \(limit) bytes",
                 type: "invalid_request_error", code: "request_too_large")
    }

    static func notFound(path: String) -> APIError {
        APIError(status: .notFound, message: "unknown route '\(path)'", type: "invalid_request_error", code: "not_found")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method]) -> APIError {
        var error = APIError(status: .methodNotAllowed,
                             message: "\(method.rawValue) is not allowed on '\(path)'; use \(allowed.map(\.rawValue).joined(separator: " or "))",
                             type: "invalid_request_error", code: "method_not_allowed")
        error.allow = allowed.map(\.rawValue).joined(separator: ", ")
        return error
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, message: message, type: "invalid_request_error", code: "invalid_api_key")
    }

    /// 403: the key's scope does not allow this route.
    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, message: message, type: "permission_error", code: "insufficient_scope")
    }

    static func unavailable(_ message: String, code: String, retryAfter: Int) -> APIError {
        APIError(status: .serviceUnavailable, message: message, type: "server_error", code: code, retryAfter: retryAfter)
    }

    static func timeout(seconds: Double) -> APIError {
        APIError(status: .gatewayTimeout, message: "the generation did not finish within \(seconds) seconds",
                 type: "server_error", code: "timeout")
    }

    static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error", code: "internal_error")
    }

    /// The `{"error": …}` document.
    var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, param: param, code: code)) }

    /// The JSON error response.
    func response() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        if let allow { fields[.allow] = allow }
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: JSONCoding.encode(body)))
    }
}

/// The OpenAI error document; `param` and `code` are always present (possibly `null`).
struct ErrorBody: Encodable, Sendable {
    struct Detail: Encodable, Sendable {
        let message: String
        let type: String
        let param: String?
        let code: String?

        enum CodingKeys: String, CodingKey { case message, type, param, code }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(param, forKey: .param)
            try c.encode(code, forKey: .code)
        }
    }

    let error: Detail
}
