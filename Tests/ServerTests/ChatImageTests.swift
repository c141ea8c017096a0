import Foundation
@testable import Server
import Testing

/// Image content parts: format and dimensions read from the header of each accepted format, damaged and foreign files
/// refused, links kept without being fetched.
struct ChatImageTests {
    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    private func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    @Test func headersOfEachFormatGiveTheirDimensions() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 1, 0x2C, 0, 0, 0, 0xC8] + [8, 2, 0, 0, 0]
        #expect(ChatImage.inspect(png)! == ("png", 300, 200))
        let gif = Array("GIF89a".utf8) + le16(640) + le16(480) + [0, 0, 0]
        #expect(ChatImage.inspect(gif)! == ("gif", 640, 480))
        // JPEG: SOI, an APP0 segment to skip, then SOF2 (progressive) with height 600, width 800.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + be16(16) + [UInt8](repeating: 0, count: 14)
            + [0xFF, 0xC2] + be16(17) + [8] + be16(600) + be16(800) + [3] + [UInt8](repeating: 0, count: 9)
        #expect(ChatImage.inspect(jpeg)! == ("jpeg", 800, 600))
        // A DHT segment (C4) is not a frame header.
        let dhtFirst: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC4] + be16(4) + [0, 0] + [0xFF, 0xC0] + be16(17) + [8] + be16(10) + be16(20)
            + [UInt8](repeating: 0, count: 10)
        #expect(ChatImage.inspect(dhtFirst)! == ("jpeg", 20, 10))
        let riff = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)
        let vp8 = riff + Array("VP8 ".utf8) + [UInt8](repeating: 0, count: 10) + le16(320) + le16(240) + [0, 0]
        #expect(ChatImage.inspect(vp8)! == ("webp", 320, 240))
        // VP8L: 14-bit width − 1 = 99 and height − 1 = 49 packed little-endian from byte 21.
        let bits = 99 | 49 << 14
        let vp8l = riff + Array("VP8L".utf8) + [0, 0, 0, 0, 0x2F] + [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF),
                                                                     UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF)] + [0, 0, 0, 0, 0]
        #expect(ChatImage.inspect(vp8l)! == ("webp", 100, 50))
        let vp8x = riff + Array("VP8X".utf8) + [UInt8](repeating: 0, count: 8) + [0xFF, 0x0F, 0] + [0x7F, 0, 0]
        #expect(ChatImage.inspect(vp8x)! == ("webp", 4096, 128))
    }

    @Test func foreignOrTruncatedFilesAreRefused() {
        #expect(ChatImage.inspect(Array("%PDF-1.7 hello".utf8)) == nil)
        #expect(ChatImage.inspect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == nil)
        #expect(ChatImage.inspect([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]) == nil)
        #expect(ChatImage.inspect([]) == nil)
    }

    @Test func urlsAreCheckedAndLinksKeptAsTheyAre() throws {
        let link = try ChatImage(url: "https://example.invalid/a.png", param: "p")
        #expect(link.source == .link && link.digest.count == 64)
        let gif = Data(Array("GIF87a".utf8) + le16(3) + le16(2) + [0, 0, 0]).base64EncodedString()
        let inline = try ChatImage(url: "data:image/gif;base64," + gif, param: "p")
        #expect(inline.source == .inline(format: "gif", width: 3, height: 2, bytes: 13))
        for bad in ["file:///etc/passwd", "data:image/png,plain", "data:image/png;base64,", "data:image/png;base64,@@@@"] {
            #expect(throws: APIError.self) { _ = try ChatImage(url: bad, param: "p") }
        }
    }
}
