import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming SHA-256 hasher over swift-crypto's, with the hex helpers the model store and its callers use.
///
/// Feed bytes with ``update(_:)`` (any number of times, any chunk sizes) and obtain the 32-byte digest with
/// ``finalize()``.
///
/// ```swift
/// var h = SHA256()
/// h.update(Array("abc".utf8))
/// print(SHA256.hex(h.finalize()))  // ba7816bf…
/// ```
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    /// The digest length in bytes (32).
    public static let digestByteCount = 32

    public init() {}

    /// Feeds raw bytes.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
    }

    /// Feeds a sequence of bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far (the hasher should not be fed afterwards).
    public mutating func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }

    /// Lower-case hexadecimal rendering of `digest`.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digest.count * 2)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One-shot SHA-256 of `bytes`, as lower-case hex.
    public static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var h = SHA256()
        h.update(bytes)
        return hex(h.finalize())
    }

    /// Streams the file at `url` through SHA-256 and returns the lower-case hex digest.
    ///
    /// Reads with POSIX `read(2)` into one reusable 4 MiB buffer. `progress` is called after every chunk
    /// with the number of bytes hashed so far.
    public static func hexDigest(ofFileAt url: URL, progress: (Int64) -> Void = { _ in }) throws -> String {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw ModelStoreError.missingFile(url.path) }
        defer { close(fd) }
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var done: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress!, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw ModelStoreError.io("read \(url.path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n))
            done += Int64(n)
            progress(done)
        }
        return hex(hasher.finalize())
    }
}
