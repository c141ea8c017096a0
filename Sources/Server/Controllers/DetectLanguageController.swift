import Foundation
import Gateway
import Hummingbird
import LanguageID
import NIOCore

/// `POST /v1/detect-language`: `{"text": "…"}` → `{"language", "confidence", "script", "candidates": [{"language",
/// "confidence"}]}`, or `{"texts": ["…", …]}` → `{"object": "list", "data": [one such object per text]}`. Codes are
/// ISO 639-1 (639-3 where a language has no 639-1 code), `und` when a text has no letters; scripts are ISO 15924.
struct DetectLanguageController: Sendable {
    let state: ServerState

    /// At most this many texts per request, and this many candidates per text.
    static let maxTexts = 1024
    static let maxCandidates = 10

    struct Body: Decodable {
        let text: String?
        let texts: [String]?
        let candidates: Int?
    }

    func detect(_ request: Request, context: some RequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: state.configuration.limits.maxBodyBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw APIError.invalidParameter("the body must be a JSON object with 'text' or 'texts'", param: nil)
        }
        let allowed: Set = ["text", "texts", "candidates"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalidParameter("unknown field '\(unknown)'; expected text, texts or candidates", param: unknown)
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView)) else {
            throw APIError.invalidParameter("'text' must be a string, 'texts' an array of strings, 'candidates' an integer", param: nil)
        }
        guard (body.text == nil) != (body.texts == nil) else {
            throw APIError.invalidParameter("give exactly one of 'text' (a string) or 'texts' (an array of strings)", param: "text")
        }
        if let texts = body.texts, texts.isEmpty || texts.count > Self.maxTexts {
            throw APIError.invalidParameter("'texts' must hold 1 to \(Self.maxTexts) strings", param: "texts")
        }
        let limit = body.candidates ?? 3
        guard (1...Self.maxCandidates).contains(limit) else {
            throw APIError.invalidParameter("'candidates' must be 1 to \(Self.maxCandidates)", param: "candidates")
        }
        let identifier: LanguageIdentifier
        do {
            identifier = try await state.languages.identifier()
        } catch {
            throw APIError(status: .serviceUnavailable, message: "language identification is unavailable: \(error)",
                           type: "server_error", code: "model_not_available")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        if let text = body.text {
            data = try encoder.encode(identifier.detect(text, candidates: limit))
        } else {
            data = try encoder.encode(DetectionList(data: identifier.detect(body.texts!, candidates: limit)))
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct DetectionList: Encodable {
        let object = "list"
        let data: [LanguageDetection]
    }
}
