import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` upload read as it arrives: the `file` part is written straight to a temporary file
/// (never held in memory), the other fields (`purpose`) are kept as short strings.
struct MultipartUpload: Sendable {
    /// Where the `file` part's bytes are (the caller moves or deletes it).
    var temporary: URL
    /// The `filename` of the `file` part.
    var filename: String
    /// The bytes of the `file` part.
    var bytes: Int
    /// The other fields, by name.
    var fields: [String: String]

    /// Largest non-file field kept.
    static let maxFieldBytes = 4096

    /// The `boundary` of a `multipart/form-data` content type, or nil.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// `name` and `filename` of a `Content-Disposition: form-data; name="…"; filename="…"` header.
    static func disposition(_ value: String) -> (name: String?, filename: String?) {
        var name: String?, filename: String?
        for part in value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            var v = pair[1]
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            switch pair[0].lowercased() {
            case "name": name = v
            case "filename": filename = v
            default: break
            }
        }
        return (name, filename)
    }

    /// Reads `body` into `directory` (a fresh temporary file). 400 for a body that is not multipart form data or
    /// has no `file` part, 413 when it grows past `limit` bytes; the temporary file is removed on any error.
    static func read(_ body: RequestBody, contentType: String?, limit: Int, into directory: URL) async throws -> MultipartUpload {
        guard let boundary = boundary(of: contentType) else {
            throw APIError.invalidParameter("the body must be multipart/form-data with a 'file' part and a 'purpose' field",
                                            param: nil, code: "invalid_content_type")
        }
        let temporary = directory.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw APIError.internalError("cannot create an upload file in \(directory.path)")
        }
        let parser = MultipartParser(boundary: boundary)
        let collector = PartCollector(handle: handle)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { buffer in collector.body(&buffer) }
        parser.onPartComplete = { collector.complete() }
        do {
            defer { try? handle.close() }
            var received = 0
            for try await chunk in body {
                received += chunk.readableBytes
                guard received <= limit else { throw APIError.bodyTooLarge(limit: limit) }
                do { try parser.execute(chunk) } catch {
                    throw APIError.invalidParameter("the multipart/form-data body is malformed", param: nil, code: "invalid_multipart")
                }
                if let error = collector.error { throw error }
            }
            if let error = collector.error { throw error }
            guard let filename = collector.filename else {
                throw APIError.invalidParameter("missing required parameter 'file' (a multipart part named 'file' with a filename)",
                                                param: "file")
            }
            return MultipartUpload(temporary: temporary, filename: filename, bytes: collector.fileBytes, fields: collector.fields)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}

/// The parser's callbacks: routes each part's bytes to the file or to a field.
private final class PartCollector {
    let handle: FileHandle
    var headers: [String: String] = [:]
    var started = false
    var isFile = false
    var fieldName: String?
    var fieldBytes: [UInt8] = []
    var filename: String?
    var fileBytes = 0
    var fields: [String: String] = [:]
    var error: APIError?

    init(handle: FileHandle) { self.handle = handle }

    func header(_ name: String, _ value: String) {
        headers[name.lowercased()] = value
    }

    /// Decides, at a part's first body bytes, whether it is the file or a field.
    private func start() {
        started = true
        let (name, filename) = MultipartUpload.disposition(headers["content-disposition"] ?? "")
        if name == "file" {
            guard self.filename == nil else {
                error = .invalidParameter("only one 'file' part may be uploaded", param: "file")
                return
            }
            isFile = true
            self.filename = (filename?.isEmpty == false ? filename : nil) ?? "upload.jsonl"
        } else {
            fieldName = name
        }
    }

    func body(_ buffer: inout ByteBuffer) {
        guard error == nil else { return }
        if !started { start() }
        if isFile {
            fileBytes += buffer.readableBytes
            if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                do { try handle.write(contentsOf: bytes) } catch {
                    self.error = .internalError("cannot write the upload: \(error)")
                }
            }
        } else if fieldName != nil {
            guard fieldBytes.count + buffer.readableBytes <= MultipartUpload.maxFieldBytes else {
                error = .invalidParameter("the field '\(fieldName ?? "")' is longer than \(MultipartUpload.maxFieldBytes) bytes",
                                          param: fieldName)
                return
            }
            fieldBytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    func complete() {
        if !started { start() }   // an empty part
        if let fieldName, !isFile { fields[fieldName] = String(decoding: fieldBytes, as: UTF8.self) }
        headers = [:]
        started = false
        isFile = false
        fieldName = nil
        fieldBytes = []
    }
}
