import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming SHA-256 hasher (FIPS 180-4), implemented in pure Swift.
///
/// Feed bytes with ``update(_:)`` (any number of times, any chunk sizes) and obtain the 32-byte digest with
/// ``finalize()``. Full 64-byte blocks are compressed directly from the caller's buffer; only a trailing partial
/// block is copied into internal storage, so hashing performs no per-block allocation.
///
/// ```swift
/// var h = SHA256()
/// h.update(Array("abc".utf8))
/// print(SHA256.hex(h.finalize()))  // ba7816bf…
/// ```
public struct SHA256: Sendable {
    /// The eight 32-bit chaining words.
    private var h0: UInt32 = 0x6a09e667, h1: UInt32 = 0xbb67ae85, h2: UInt32 = 0x3c6ef372, h3: UInt32 = 0xa54ff53a
    private var h4: UInt32 = 0x510e527f, h5: UInt32 = 0x9b05688c, h6: UInt32 = 0x1f83d9ab, h7: UInt32 = 0x5be0cd19
    /// Pending bytes of an incomplete block (always fewer than 64).
    private var pending: [UInt8] = []
    /// Total number of message bytes fed so far.
    private var totalBytes: UInt64 = 0

    /// The digest length in bytes (32).
    public static let digestByteCount = 32

    /// Creates a hasher in the initial state.
    public init() {
        pending.reserveCapacity(64)
    }

    /// Feeds the bytes in `buffer` into the hash.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress, buffer.count > 0 else { return }
        var count = buffer.count
        totalBytes &+= UInt64(count)
        if !pending.isEmpty {
            let take = min(64 - pending.count, count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            count -= take
            if pending.count == 64 {
                pending.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = count / 64
        if blocks > 0 {
            compress(blocks: base, count: blocks)
            base += blocks * 64
            count -= blocks * 64
        }
        if count > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: count))
        }
    }

    /// Feeds a byte sequence (e.g. `[UInt8]`, `Data`, `String.UTF8View`) into the hash.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Finishes the hash (padding + length) and returns the 32-byte digest. The hasher should not be reused.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail: [UInt8] = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: tail.count / 64) }
        pending.removeAll()
        var digest = [UInt8]()
        digest.reserveCapacity(32)
        for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
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

    // MARK: - Compression function

    @_transparent static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }
    @_transparent static func bigSigma0(_ x: UInt32) -> UInt32 { rotr(rotr(rotr(x, 9) ^ x, 11) ^ x, 2) }
    @_transparent static func bigSigma1(_ x: UInt32) -> UInt32 { rotr(rotr(rotr(x, 14) ^ x, 5) ^ x, 6) }
    @_transparent static func smallSigma0(_ x: UInt32) -> UInt32 { rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3) }
    @_transparent static func smallSigma1(_ x: UInt32) -> UInt32 { rotr(x, 17) ^ rotr(x, 19) ^ (x &>> 10) }

    /// Compresses `count` consecutive 64-byte blocks starting at `blocks` into the chaining state.
    /// Fully unrolled (generated) with a rolling 16-word message schedule held in locals.
    /// Tricks: Σ0/Σ1 as nested rotates (fewer register copies), Ch(e,f,g) = g ^ (e & (f ^ g)), and
    /// Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)) where `a ^ b` is reused as the next round's `b ^ c`.
    /// The helpers are `@_transparent` so that even unoptimised (debug/test) builds inline them.
    @_optimize(speed)
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        var p = blocks
        for _ in 0..<count {
            let (sa, sb, sc, sd, se, sf, sg, sh) = (a, b, c, d, e, f, g, h)
            (a, b, c, d, e, f, g, h) = SHA256.block(p, sa, sb, sc, sd, se, sf, sg, sh)
            a = a &+ sa; b = b &+ sb; c = c &+ sc; d = d &+ sd
            e = e &+ se; f = f &+ sf; g = g &+ sg; h = h &+ sh
            p += 64
        }
        h0 = a; h1 = b; h2 = c; h3 = d; h4 = e; h5 = f; h6 = g; h7 = h
    }

    /// The 64 rounds over one block; returns the updated working variables (before feed-forward).
    @_optimize(speed) @inline(__always)
    private static func block(
        _ p: UnsafeRawPointer,
        _ a0: UInt32, _ b0: UInt32, _ c0: UInt32, _ d0: UInt32, _ e0: UInt32, _ f0: UInt32, _ g0: UInt32, _ h0: UInt32
    ) -> (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) {
        var a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, h = h0
        var t1: UInt32
        var w0 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        var w1 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var w2 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var w3 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        var w4 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        var w5 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        var w6 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        var w7 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        var w8 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        var w9 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
        var w10 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        var w11 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
        var w12 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
        var w13 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
        var w14 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
        var w15 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        var bc = b ^ c
        var ab: UInt32
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0x428a2f98 &+ w0
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0x71374491 &+ w1
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0xb5c0fbcf &+ w2
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0xe9b5dba5 &+ w3
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x3956c25b &+ w4
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0x59f111f1 &+ w5
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x923f82a4 &+ w6
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0xab1c5ed5 &+ w7
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0xd807aa98 &+ w8
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0x12835b01 &+ w9
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0x243185be &+ w10
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0x550c7dc3 &+ w11
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x72be5d74 &+ w12
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0x80deb1fe &+ w13
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x9bdc06a7 &+ w14
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0xc19bf174 &+ w15
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w0 = w0 &+ SHA256.smallSigma1(w14) &+ w9 &+ SHA256.smallSigma0(w1)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0xe49b69c1 &+ w0
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w1 = w1 &+ SHA256.smallSigma1(w15) &+ w10 &+ SHA256.smallSigma0(w2)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0xefbe4786 &+ w1
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w2 = w2 &+ SHA256.smallSigma1(w0) &+ w11 &+ SHA256.smallSigma0(w3)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0x0fc19dc6 &+ w2
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w3 = w3 &+ SHA256.smallSigma1(w1) &+ w12 &+ SHA256.smallSigma0(w4)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0x240ca1cc &+ w3
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w4 = w4 &+ SHA256.smallSigma1(w2) &+ w13 &+ SHA256.smallSigma0(w5)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x2de92c6f &+ w4
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w5 = w5 &+ SHA256.smallSigma1(w3) &+ w14 &+ SHA256.smallSigma0(w6)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0x4a7484aa &+ w5
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w6 = w6 &+ SHA256.smallSigma1(w4) &+ w15 &+ SHA256.smallSigma0(w7)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x5cb0a9dc &+ w6
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w7 = w7 &+ SHA256.smallSigma1(w5) &+ w0 &+ SHA256.smallSigma0(w8)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0x76f988da &+ w7
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w8 = w8 &+ SHA256.smallSigma1(w6) &+ w1 &+ SHA256.smallSigma0(w9)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0x983e5152 &+ w8
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w9 = w9 &+ SHA256.smallSigma1(w7) &+ w2 &+ SHA256.smallSigma0(w10)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0xa831c66d &+ w9
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w10 = w10 &+ SHA256.smallSigma1(w8) &+ w3 &+ SHA256.smallSigma0(w11)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0xb00327c8 &+ w10
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w11 = w11 &+ SHA256.smallSigma1(w9) &+ w4 &+ SHA256.smallSigma0(w12)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0xbf597fc7 &+ w11
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w12 = w12 &+ SHA256.smallSigma1(w10) &+ w5 &+ SHA256.smallSigma0(w13)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0xc6e00bf3 &+ w12
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w13 = w13 &+ SHA256.smallSigma1(w11) &+ w6 &+ SHA256.smallSigma0(w14)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0xd5a79147 &+ w13
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w14 = w14 &+ SHA256.smallSigma1(w12) &+ w7 &+ SHA256.smallSigma0(w15)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x06ca6351 &+ w14
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w15 = w15 &+ SHA256.smallSigma1(w13) &+ w8 &+ SHA256.smallSigma0(w0)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0x14292967 &+ w15
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w0 = w0 &+ SHA256.smallSigma1(w14) &+ w9 &+ SHA256.smallSigma0(w1)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0x27b70a85 &+ w0
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w1 = w1 &+ SHA256.smallSigma1(w15) &+ w10 &+ SHA256.smallSigma0(w2)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0x2e1b2138 &+ w1
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w2 = w2 &+ SHA256.smallSigma1(w0) &+ w11 &+ SHA256.smallSigma0(w3)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0x4d2c6dfc &+ w2
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w3 = w3 &+ SHA256.smallSigma1(w1) &+ w12 &+ SHA256.smallSigma0(w4)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0x53380d13 &+ w3
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w4 = w4 &+ SHA256.smallSigma1(w2) &+ w13 &+ SHA256.smallSigma0(w5)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x650a7354 &+ w4
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w5 = w5 &+ SHA256.smallSigma1(w3) &+ w14 &+ SHA256.smallSigma0(w6)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0x766a0abb &+ w5
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w6 = w6 &+ SHA256.smallSigma1(w4) &+ w15 &+ SHA256.smallSigma0(w7)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x81c2c92e &+ w6
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w7 = w7 &+ SHA256.smallSigma1(w5) &+ w0 &+ SHA256.smallSigma0(w8)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0x92722c85 &+ w7
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w8 = w8 &+ SHA256.smallSigma1(w6) &+ w1 &+ SHA256.smallSigma0(w9)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0xa2bfe8a1 &+ w8
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w9 = w9 &+ SHA256.smallSigma1(w7) &+ w2 &+ SHA256.smallSigma0(w10)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0xa81a664b &+ w9
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w10 = w10 &+ SHA256.smallSigma1(w8) &+ w3 &+ SHA256.smallSigma0(w11)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0xc24b8b70 &+ w10
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w11 = w11 &+ SHA256.smallSigma1(w9) &+ w4 &+ SHA256.smallSigma0(w12)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0xc76c51a3 &+ w11
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w12 = w12 &+ SHA256.smallSigma1(w10) &+ w5 &+ SHA256.smallSigma0(w13)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0xd192e819 &+ w12
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w13 = w13 &+ SHA256.smallSigma1(w11) &+ w6 &+ SHA256.smallSigma0(w14)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0xd6990624 &+ w13
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w14 = w14 &+ SHA256.smallSigma1(w12) &+ w7 &+ SHA256.smallSigma0(w15)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0xf40e3585 &+ w14
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w15 = w15 &+ SHA256.smallSigma1(w13) &+ w8 &+ SHA256.smallSigma0(w0)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0x106aa070 &+ w15
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w0 = w0 &+ SHA256.smallSigma1(w14) &+ w9 &+ SHA256.smallSigma0(w1)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0x19a4c116 &+ w0
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w1 = w1 &+ SHA256.smallSigma1(w15) &+ w10 &+ SHA256.smallSigma0(w2)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0x1e376c08 &+ w1
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w2 = w2 &+ SHA256.smallSigma1(w0) &+ w11 &+ SHA256.smallSigma0(w3)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0x2748774c &+ w2
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w3 = w3 &+ SHA256.smallSigma1(w1) &+ w12 &+ SHA256.smallSigma0(w4)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0x34b0bcb5 &+ w3
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w4 = w4 &+ SHA256.smallSigma1(w2) &+ w13 &+ SHA256.smallSigma0(w5)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x391c0cb3 &+ w4
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w5 = w5 &+ SHA256.smallSigma1(w3) &+ w14 &+ SHA256.smallSigma0(w6)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0x4ed8aa4a &+ w5
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w6 = w6 &+ SHA256.smallSigma1(w4) &+ w15 &+ SHA256.smallSigma0(w7)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0x5b9cca4f &+ w6
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w7 = w7 &+ SHA256.smallSigma1(w5) &+ w0 &+ SHA256.smallSigma0(w8)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0x682e6ff3 &+ w7
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        w8 = w8 &+ SHA256.smallSigma1(w6) &+ w1 &+ SHA256.smallSigma0(w9)
        t1 = h &+ SHA256.bigSigma1(e) &+ (g ^ (e & (f ^ g))) &+ 0x748f82ee &+ w8
        ab = a ^ b
        d = d &+ t1
        h = t1 &+ SHA256.bigSigma0(a) &+ (b ^ (ab & bc))
        bc = ab
        w9 = w9 &+ SHA256.smallSigma1(w7) &+ w2 &+ SHA256.smallSigma0(w10)
        t1 = g &+ SHA256.bigSigma1(d) &+ (f ^ (d & (e ^ f))) &+ 0x78a5636f &+ w9
        ab = h ^ a
        c = c &+ t1
        g = t1 &+ SHA256.bigSigma0(h) &+ (a ^ (ab & bc))
        bc = ab
        w10 = w10 &+ SHA256.smallSigma1(w8) &+ w3 &+ SHA256.smallSigma0(w11)
        t1 = f &+ SHA256.bigSigma1(c) &+ (e ^ (c & (d ^ e))) &+ 0x84c87814 &+ w10
        ab = g ^ h
        b = b &+ t1
        f = t1 &+ SHA256.bigSigma0(g) &+ (h ^ (ab & bc))
        bc = ab
        w11 = w11 &+ SHA256.smallSigma1(w9) &+ w4 &+ SHA256.smallSigma0(w12)
        t1 = e &+ SHA256.bigSigma1(b) &+ (d ^ (b & (c ^ d))) &+ 0x8cc70208 &+ w11
        ab = f ^ g
        a = a &+ t1
        e = t1 &+ SHA256.bigSigma0(f) &+ (g ^ (ab & bc))
        bc = ab
        w12 = w12 &+ SHA256.smallSigma1(w10) &+ w5 &+ SHA256.smallSigma0(w13)
        t1 = d &+ SHA256.bigSigma1(a) &+ (c ^ (a & (b ^ c))) &+ 0x90befffa &+ w12
        ab = e ^ f
        h = h &+ t1
        d = t1 &+ SHA256.bigSigma0(e) &+ (f ^ (ab & bc))
        bc = ab
        w13 = w13 &+ SHA256.smallSigma1(w11) &+ w6 &+ SHA256.smallSigma0(w14)
        t1 = c &+ SHA256.bigSigma1(h) &+ (b ^ (h & (a ^ b))) &+ 0xa4506ceb &+ w13
        ab = d ^ e
        g = g &+ t1
        c = t1 &+ SHA256.bigSigma0(d) &+ (e ^ (ab & bc))
        bc = ab
        w14 = w14 &+ SHA256.smallSigma1(w12) &+ w7 &+ SHA256.smallSigma0(w15)
        t1 = b &+ SHA256.bigSigma1(g) &+ (a ^ (g & (h ^ a))) &+ 0xbef9a3f7 &+ w14
        ab = c ^ d
        f = f &+ t1
        b = t1 &+ SHA256.bigSigma0(c) &+ (d ^ (ab & bc))
        bc = ab
        w15 = w15 &+ SHA256.smallSigma1(w13) &+ w8 &+ SHA256.smallSigma0(w0)
        t1 = a &+ SHA256.bigSigma1(f) &+ (h ^ (f & (g ^ h))) &+ 0xc67178f2 &+ w15
        ab = b ^ c
        e = e &+ t1
        a = t1 &+ SHA256.bigSigma0(b) &+ (c ^ (ab & bc))
        bc = ab
        return (a, b, c, d, e, f, g, h)
    }
}
