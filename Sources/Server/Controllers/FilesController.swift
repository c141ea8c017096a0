import Foundation
import Hummingbird

/// `POST /v1/files`, `GET /v1/files`, `GET /v1/files/{id}`, `GET /v1/files/{id}/content` and
/// `DELETE /v1/files/{id}`: OpenAI's Files API for fine-tuning data.
struct FilesController: Sendable {
    let state: ServerState

    /// Streams the multipart `file` to disk (at most `training.max_upload_bytes`, else 413), checks `purpose`
    /// (only `fine-tune`) and validates the file as OpenAI chat JSONL: a bad file is a 400 naming its first bad
    /// lines, and nothing is stored.
    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let upload = try await MultipartUpload.read(request.body, contentType: request.headers[.contentType],
                                                    limit: jobs.configuration.maxUploadBytes, into: jobs.configuration.filesDirectory)
        var stored = false
        defer { if !stored { try? FileManager.default.removeItem(at: upload.temporary) } }
        guard let purpose = upload.fields["purpose"] else {
            throw APIError.invalidParameter("missing required parameter 'purpose' (use \"fine-tune\")", param: "purpose")
        }
        guard purpose == "fine-tune" else {
            throw APIError.invalidParameter("'purpose' must be \"fine-tune\": this server stores files for fine-tuning only (got \"\(purpose)\")",
                                            param: "purpose")
        }
        let record = try await jobs.storeUpload(temporary: upload.temporary, filename: upload.filename, purpose: purpose)
        stored = true
        context.logger.info("file uploaded", metadata: ["file": .string(record.id), "bytes": .stringConvertible(record.bytes)])
        return ModelsController.json(FileObject(record))
    }

    /// `after` (a file id), `limit` (1…10000, default 10000), `order` (`desc` or `asc`), `purpose`.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let query = request.uri.queryParameters
        let limit = try Pagination.limit(query, default: 10000, maximum: 10000)
        let order = query.get("order") ?? "desc"
        guard order == "desc" || order == "asc" else {
            throw APIError.invalidParameter("'order' must be \"asc\" or \"desc\" (got \"\(order)\")", param: "order")
        }
        let page = try jobs.files(after: query.get("after"), limit: limit, purpose: query.get("purpose"), ascending: order == "asc")
        return ModelsController.json(ListPage(data: page.rows.map(FileObject.init), hasMore: page.hasMore, id: \.id))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        return ModelsController.json(FileObject(try jobs.file(context.parameters.get("id") ?? "")))
    }

    /// The stored bytes, streamed from disk.
    func content(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let file = try jobs.file(context.parameters.get("id") ?? "")
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw APIError.internalError("the content of file '\(file.id)' is missing on disk")
        }
        var headers = HTTPFields()
        headers[.contentType] = file.path.hasSuffix(".csv") ? "text/csv" : "application/jsonl"
        let body = ResponseBody(contentLength: file.bytes) { writer in
            defer { try? handle.close() }
            while true {
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    func delete(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let file = try jobs.deleteFile(context.parameters.get("id") ?? "")
        context.logger.info("file deleted", metadata: ["file": .string(file.id)])
        return ModelsController.json(DeletedFile(id: file.id))
    }
}
