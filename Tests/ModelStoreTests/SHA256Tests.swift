import Foundation
import Testing
@testable import ModelStore

@Suite("SHA-256")
struct SHA256Tests {
    @Test func emptyString() {
        #expect(SHA256.hexDigest(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abc() {
        #expect(SHA256.hexDigest(of: Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockMessage() {
        // FIPS 180-2 example: 448-bit message, padding spills into a second block.
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hexDigest(of: Array(message.utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func millionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == expected)
        // Same message fed in awkward chunk sizes must give the same digest.
        var h = SHA256()
        var remaining = 1_000_000
        var chunk = 1
        while remaining > 0 {
            let n = min(chunk, remaining)
            h.update([UInt8](repeating: UInt8(ascii: "a"), count: n))
            remaining -= n
            chunk = chunk % 131 + 7
        }
        #expect(SHA256.hex(h.finalize()) == expected)
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding boundaries, checked against the one-shot path with chunking.
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var h = SHA256()
            h.update(bytes[..<(length / 3)])
            h.update(bytes[(length / 3)...])
            #expect(SHA256.hex(h.finalize()) == SHA256.hexDigest(of: bytes), "length \(length)")
        }
        // Known vector: 64 × 'a'.
        #expect(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 64))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test func fileDigestMatchesInMemory() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0..<(5 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try Data(bytes).write(to: url)
        var reported: Int64 = 0
        let digest = try SHA256.hexDigest(ofFileAt: url) { reported = $0 }
        #expect(digest == SHA256.hexDigest(of: bytes))
        #expect(reported == Int64(bytes.count))
    }

    @Test func throughput() {
        #if DEBUG
        let size = 16 << 20  // unoptimised test builds are ~10× slower; keep the test quick
        #else
        let size = 64 << 20
        #endif
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        for i in 0..<size { buffer[i] = UInt8(truncatingIfNeeded: i) }
        var h = SHA256()
        let start = DispatchTime.now().uptimeNanoseconds
        h.update(UnsafeRawBufferPointer(buffer))
        _ = h.finalize()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let mbps = Double(size) / 1_000_000 / seconds
        print("SHA-256 throughput: \(String(format: "%.0f", mbps)) MB/s over \(size >> 20) MiB")
        #expect(mbps > 5)
    }
}
