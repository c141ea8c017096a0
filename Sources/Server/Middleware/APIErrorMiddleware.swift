import Hummingbird
import Logging
import NIOHTTP1

/// Outermost middleware: turns every thrown error, unknown route and wrong method into an
/// OpenAI-shaped JSON error response via `APIError.from`.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPParserError {
            // A broken or truncated request (the client hung up mid-body): Hummingbird closes the
            // connection; there is nobody to answer.
            throw error
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            let path = request.uri.path
            if let allowed = APIRoutes.allowedMethods(for: path), !allowed.contains(request.method) {
                return APIError.methodNotAllowed(request.method, path: path, allowed: allowed).response()
            }
            return APIError.notFound(path: path).response()
        } catch {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(apiError.message)")
            } else {
                context.logger.debug("\(request.method) \(request.uri.path): \(apiError)")
            }
            return apiError.response()
        }
    }
}

/// The routes the server answers, for telling 404 from 405.
enum APIRoutes {
    static func allowedMethods(for path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch parts.count {
        case 1 where parts[0] == "health" || parts[0] == "metrics": return [.get]
        case 2 where parts[0] == "v1" && parts[1] == "models": return [.get]
        case 3 where parts[0] == "v1" && parts[1] == "models": return [.get]
        case 3 where parts[0] == "v1" && parts[1] == "cache" && parts[2] == "stats": return [.get]
        case 2 where parts[0] == "v1" && parts[1] == "cache": return [.delete]
        case 3 where parts[0] == "v1" && parts[1] == "chat" && parts[2] == "completions": return [.post]
        case 2 where parts[0] == "v1" && (parts[1] == "completions" || parts[1] == "embeddings"): return [.post]
        default: return nil
        }
    }
}
