import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/vision/analyze`: one image and a task — `describe`, `ocr`, `detect` or `vqa` (with `question`) — turned
/// into a chat request for a vision model (routed like any image request, through the chat controller in-process:
/// checks, cache, metrics and escalation included) and answered as a structured result. `detect` asks for JSON
/// objects with boxes under a strict `json_schema` response format, which the backend enforces when it can (vLLM
/// and llama.cpp do), and checks what comes back.
struct VisionController: Sendable {
    let state: ServerState

    /// The tasks and their prompts.
    enum Task: String, CaseIterable {
        case describe, ocr, detect, vqa

        var prompt: String {
            switch self {
            case .describe: return "Describe this image in a few sentences."
            case .ocr: return "Transcribe all text visible in this image exactly, keeping its line breaks. Reply with the text only."
            case .detect:
                return "Find every distinct object in this image. Reply with JSON only: {\"objects\": [{\"label\": string, "
                    + "\"box\": [x_min, y_min, x_max, y_max]}]}, coordinates as fractions (0 to 1) of the image's width and height."
            case .vqa: return ""
            }
        }
    }

    /// The JSON schema a `detect` answer is held to.
    static var detectSchema: [String: Any] { [
        "type": "object", "additionalProperties": false, "required": ["objects"],
        "properties": ["objects": [
            "type": "array",
            "items": ["type": "object", "additionalProperties": false, "required": ["label", "box"],
                      "properties": ["label": ["type": "string"],
                                     "box": ["type": "array", "items": ["type": "number"], "minItems": 4, "maxItems": 4]]],
        ]],
    ] }

    func analyze(_ request: Request, context: some RequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: state.configuration.limits.maxBodyBytes)
        guard let body = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw APIError.invalidParameter("the body must be a JSON object with 'image' and 'task'", param: nil)
        }
        let allowed: Set = ["image", "task", "question", "model", "max_tokens", "detail"]
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalidParameter("unknown field '\(unknown)'; expected \(allowed.sorted().joined(separator: ", "))", param: unknown)
        }
        guard let image = body["image"] as? String, !image.isEmpty else {
            throw APIError.invalidParameter("'image' must be a data: URL (base64) or an http(s) URL", param: "image")
        }
        let taskName = body["task"] as? String ?? "describe"
        guard let task = Task(rawValue: taskName) else {
            throw APIError.invalidParameter("'task' must be one of \(Task.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(taskName)')",
                                            param: "task")
        }
        let question = body["question"] as? String
        if task == .vqa, (question ?? "").isEmpty { throw APIError.invalidParameter("'vqa' needs a 'question'", param: "question") }
        _ = try ChatImage(url: image, param: "image")

        var imagePart: [String: Any] = ["url": image]
        if let detail = body["detail"] as? String { imagePart["detail"] = detail }
        let content: [[String: Any]] = [["type": "text", "text": task == .vqa ? question! : task.prompt],
                                        ["type": "image_url", "image_url": imagePart]]
        var chat: [String: Any] = ["model": body["model"] as? String ?? "auto", "temperature": 0,
                                   "max_tokens": body["max_tokens"] as? Int ?? 512,
                                   "messages": [["role": "user", "content": content]]]
        if task == .detect {
            chat["response_format"] = ["type": "json_schema", "json_schema": ["name": "detections", "strict": true, "schema": Self.detectSchema]]
        }
        let input = try ChatInput(json: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: chat)))
        let response = try await ChatCompletionsController(state: state).respond(input, headers: request.headers, logger: context.logger)
        let completion = try? JSONSerialization.jsonObject(with: try await CollectedBody.collect(response)) as? [String: Any]
        guard let completion, let choice = (completion["choices"] as? [[String: Any]])?.first,
              let message = choice["message"] as? [String: Any] else {
            throw APIError(status: .badGateway, message: "the vision model's answer could not be read", type: "server_error",
                           code: "invalid_model_output")
        }
        let text = (message["content"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var result: [String: Any] = ["object": "vision.analysis", "task": task.rawValue,
                                     "model": completion["model"] ?? NSNull(), "usage": completion["usage"] ?? NSNull()]
        if let routing = completion["groupqwen"] { result["groupqwen"] = routing }
        if task == .detect {
            result["objects"] = try Self.objects(in: text)
        } else {
            result["text"] = text
        }
        var headers = response.headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = nil
        return Response(status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]))))
    }

    /// The detections of a `detect` answer: `{label, box}` with four numbers each, clamped to 0…1 and ordered
    /// (x_min ≤ x_max, y_min ≤ y_max). An answer that is not that JSON is a 502 quoting its start.
    static func objects(in text: String) throws -> [[String: Any]] {
        var json = text
        if json.hasPrefix("```") {
            json = json.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("```") }.joined(separator: "\n")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let items = object["objects"] as? [Any] else {
            throw APIError(status: .badGateway, message: "the vision model did not answer with the detection JSON: \(text.prefix(120))",
                           type: "server_error", code: "invalid_model_output")
        }
        return items.compactMap { item -> [String: Any]? in
            guard let item = item as? [String: Any], let label = item["label"] as? String,
                  let box = item["box"] as? [NSNumber], box.count == 4 else { return nil }
            let v = box.map { min(1, max(0, $0.doubleValue)) }
            return ["label": label, "box": [min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])]]
        }
    }
}
