import Foundation
import ModelStore

/// One image of a chat message (an `image_url` or `input_image` content part), checked before anything is routed:
/// a `data:` URL must hold a PNG, JPEG, WebP or GIF (by its magic bytes) within the size and dimension limits; an
/// http(s) URL is only passed on to the vision backend, never fetched by the gateway.
struct ChatImage: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        /// Inline bytes: their format, dimensions and size.
        case inline(format: String, width: Int, height: Int, bytes: Int)
        /// A link the backend fetches.
        case link
    }

    let url: String
    let source: Source
    /// What identifies the image for the semantic cache: the SHA-256 of its bytes (inline) or of its URL (link).
    let digest: String

    /// Largest inline image, in bytes (decoded).
    static let maxBytes = 20 << 20
    /// Largest width or height, in pixels.
    static let maxDimension = 16_384

    /// Checks the image at `url`; `param` names the content part in errors.
    init(url: String, param: String) throws {
        self.url = url
        let lower = url.prefix(11).lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            source = .link
            digest = SHA256.hexDigest(of: Array(url.utf8))
            return
        }
        guard lower.hasPrefix("data:") else {
            throw APIError.invalidParameter("an image URL must be a data: URL (base64) or an http(s) URL", param: param,
                                            code: "invalid_image")
        }
        guard let comma = url.firstIndex(of: ","), url[..<comma].lowercased().hasSuffix(";base64") else {
            throw APIError.invalidParameter("an image data: URL must be base64-encoded (data:image/png;base64,…)", param: param,
                                            code: "invalid_image")
        }
        let payload = url[url.index(after: comma)...]
        guard payload.utf8.count / 4 * 3 <= Self.maxBytes + 3 else {
            throw APIError.invalidParameter("the image is larger than \(Self.maxBytes >> 20) MiB", param: param, code: "image_too_large")
        }
        guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.invalidParameter("the image's base64 data is invalid", param: param, code: "invalid_image")
        }
        let bytes = [UInt8](data)
        guard let (format, width, height) = Self.inspect(bytes) else {
            throw APIError.invalidParameter("the image is not a PNG, JPEG, WebP or GIF file (or it is damaged)", param: param,
                                            code: "invalid_image")
        }
        guard (1...Self.maxDimension).contains(width), (1...Self.maxDimension).contains(height) else {
            throw APIError.invalidParameter("the image is \(width)×\(height) pixels; at most \(Self.maxDimension) on each side",
                                            param: param, code: "image_too_large")
        }
        source = .inline(format: format, width: width, height: height, bytes: bytes.count)
        digest = SHA256.hexDigest(of: bytes)
    }

    /// Format and dimensions from the file's header, or nil when it is none of the four formats or is cut short.
    static func inspect(_ b: [UInt8]) -> (format: String, width: Int, height: Int)? {
        func be16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
        func le16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func be32(_ i: Int) -> Int { be16(i) << 16 | be16(i + 2) }
        func le24(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
        func starts(_ s: [UInt8], at i: Int = 0) -> Bool { b.count >= i + s.count && Array(b[i..<(i + s.count)]) == s }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // PNG: the IHDR chunk comes first; width and height are its first two big-endian words.
            guard b.count >= 24, starts(Array("IHDR".utf8), at: 12) else { return nil }
            return ("png", be32(16), be32(20))
        }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            guard b.count >= 10 else { return nil }
            return ("gif", le16(6), le16(8))   // the logical screen
        }
        if starts([0xFF, 0xD8]) {
            // JPEG: walk the segments to the first start-of-frame marker (C0–CF but not C4, C8, CC).
            var i = 2
            while i + 3 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                if marker == 0xFF { i += 1; continue }
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
                let length = be16(i + 2)
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    guard i + 8 < b.count else { return nil }
                    return ("jpeg", be16(i + 7), be16(i + 5))
                }
                guard length >= 2 else { return nil }
                i += 2 + length
            }
            return nil
        }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8), b.count >= 30 {
            if starts(Array("VP8 ".utf8), at: 12) { return ("webp", le16(26) & 0x3FFF, le16(28) & 0x3FFF) }
            if starts(Array("VP8L".utf8), at: 12) {
                // 14-bit width − 1 and height − 1, packed from byte 21.
                let width = 1 + ((Int(b[22]) & 0x3F) << 8 | Int(b[21]))
                let height = 1 + ((Int(b[24]) & 0x0F) << 10 | Int(b[23]) << 2 | (Int(b[22]) & 0xC0) >> 6)
                return ("webp", width, height)
            }
            if starts(Array("VP8X".utf8), at: 12) { return ("webp", 1 + le24(24), 1 + le24(27)) }
        }
        return nil
    }
}
