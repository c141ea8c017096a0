import HTTPTypes
import Hummingbird

/// The web console: `GET /` is its page and `GET /ui/<path>` its files. Every answer carries an ETag (a
/// matching `If-None-Match` gets 304), `Cache-Control: no-cache` (so a new build is picked up at once), and a
/// Content Security Policy that allows only the console's own scripts, styles and connections: model output
/// is untrusted, and even a rendering slip cannot run a script or load a remote resource.
struct ConsoleController: Sendable {
    let assets: ConsoleAssets

    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    private static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    func index(_ request: Request, context: some RequestContext) async throws -> Response {
        try serve("index.html", request)
    }

    func file(_ request: Request, context: some RequestContext) async throws -> Response {
        let path = context.parameters.getCatchAll().joined(separator: "/")
        return try serve(path, request)
    }

    private func serve(_ path: String, _ request: Request) throws -> Response {
        guard let asset = assets.asset(path) else { throw APIError.notFound(path: request.uri.path) }
        var headers: HTTPFields = [
            .eTag: asset.etag,
            .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            Self.referrerPolicy: "no-referrer",
        ]
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == asset.etag || tag == "W/" + asset.etag || tag == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
