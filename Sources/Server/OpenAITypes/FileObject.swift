/// A file of `/v1/files`, exactly as OpenAI shapes it.
struct FileObject: Encodable, Sendable {
    let id: String
    let object = "file"
    let bytes: Int
    let createdAt: Int
    let filename: String
    let purpose: String
    /// Always `processed`: a file is validated before it is stored.
    let status = "processed"
    let expiresAt: Int? = nil
    let statusDetails: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, object, bytes, filename, purpose, status
        case createdAt = "created_at", expiresAt = "expires_at", statusDetails = "status_details"
    }

    init(_ record: FileRecord) {
        id = record.id
        bytes = record.bytes
        createdAt = record.createdAt
        filename = record.filename
        purpose = record.purpose
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(filename, forKey: .filename)
        try c.encode(purpose, forKey: .purpose)
        try c.encode(status, forKey: .status)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(statusDetails, forKey: .statusDetails)
    }
}

/// `DELETE /v1/files/{id}`.
struct DeletedFile: Encodable, Sendable {
    let id: String
    let object = "file"
    let deleted = true

    enum CodingKeys: String, CodingKey { case id, object, deleted }
}
