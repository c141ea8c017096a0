import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The character n-gram profiles of every language (1- to 5-grams with their log-probabilities), compiled into one
/// memory-mapped hash table: looking up an n-gram gives the log-probability it has in each language that has it.
///
/// File layout (little-endian; every section 4-byte aligned):
/// ```
/// "GQLANG01"  UInt32 version, languageCount L, bucketBits B, keyCount K, entryCount E, reserved
/// L × 8 bytes   language codes (ISO 639-1 or 639-3, NUL-padded)
/// L × UInt32    scripts of each language (a ScriptSet)
/// (2^B + 1) × UInt32  first key of each bucket (buckets = the top B bits of the 64-bit FNV-1a hash)
/// K × UInt32    keys: the low 32 bits of the hash (a bucket holds about four; they are scanned)
/// (K + 1) × UInt32    first entry of each key
/// E × UInt16    entries: language index << 8 | q, where the log-probability is -q / 13
/// ```
/// Two different n-grams meet only if 52 bits of their hashes agree (about one pair in the whole table).
final class LanguageProfileTable: @unchecked Sendable {
    static let magic = Array("GQLANG01".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 32
    /// Log-probabilities are stored as `q = round(-logp × quantScale)`, clamped to 255.
    static let quantScale: Float = 13

    /// The language codes, by index.
    let languages: [String]
    /// The scripts each language is written in, by index.
    let scripts: [ScriptSet]
    private let base: UnsafeRawPointer
    private let length: Int
    private let bucketBits: Int
    private let bucketStarts: UnsafePointer<UInt32>
    private let keys: UnsafePointer<UInt32>
    private let entryStarts: UnsafePointer<UInt32>
    private let entries: UnsafePointer<UInt16>

    /// Maps the compiled table at `path`.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LanguageIDError.corruptProfile("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= Self.headerBytes else { throw LanguageIDError.corruptProfile("\(path) is truncated") }
        let length = Int(info.st_size)
        // The whole table is read in at once (MAP_POPULATE): lookups then never fault, and a server's resident memory
        // does not creep up as new n-grams touch new pages.
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let mapped = mmap(nil, length, PROT_READ, flags, fd, 0), mapped != MAP_FAILED else {
            throw LanguageIDError.corruptProfile("cannot map \(path)")
        }
        let base = UnsafeRawPointer(mapped)
        func word(_ index: Int) -> Int { Int(base.loadUnaligned(fromByteOffset: 8 + 4 * index, as: UInt32.self)) }
        let header = (0..<8).map { base.load(fromByteOffset: $0, as: UInt8.self) }
        let languageCount = word(1), bucketBits = word(2), keyCount = word(3), entryCount = word(4)
        let bucketCount = 1 << min(bucketBits, 30)
        var offset = Self.headerBytes
        let languagesOffset = offset
        offset += languageCount * 8
        let scriptsOffset = offset
        offset += languageCount * 4
        let bucketsOffset = offset
        offset += (bucketCount + 1) * 4
        let keysOffset = offset
        offset += keyCount * 4
        let entryStartsOffset = offset
        offset += (keyCount + 1) * 4
        let entriesOffset = offset
        offset += entryCount * 2
        guard header == Self.magic, UInt32(word(0)) == Self.version, (1...255).contains(languageCount),
              (8...30).contains(bucketBits), offset == length else {
            munmap(mapped, length)
            throw LanguageIDError.corruptProfile("\(path) is not a version-\(Self.version) language table")
        }
        self.base = base
        self.length = length
        self.bucketBits = bucketBits
        self.languages = (0..<languageCount).map { i in
            let bytes = (0..<8).map { base.load(fromByteOffset: languagesOffset + 8 * i + $0, as: UInt8.self) }.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        self.scripts = (0..<languageCount).map { ScriptSet(rawValue: base.load(fromByteOffset: scriptsOffset + 4 * $0, as: UInt32.self)) }
        bucketStarts = (base + bucketsOffset).assumingMemoryBound(to: UInt32.self)
        keys = (base + keysOffset).assumingMemoryBound(to: UInt32.self)
        entryStarts = (base + entryStartsOffset).assumingMemoryBound(to: UInt32.self)
        entries = (base + entriesOffset).assumingMemoryBound(to: UInt16.self)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The entries (`language << 8 | q`) of the n-gram with 64-bit hash `hash`; empty when no language has it.
    @inline(__always)
    func entries(hash: UInt64) -> UnsafeBufferPointer<UInt16> {
        let bucket = Int(hash >> UInt64(64 - bucketBits))
        let key = UInt32(truncatingIfNeeded: hash)
        var i = Int(bucketStarts[bucket])
        let end = Int(bucketStarts[bucket + 1])
        while i < end {
            let k = keys[i]
            if k == key {
                let first = Int(entryStarts[i])
                return UnsafeBufferPointer(start: entries + first, count: Int(entryStarts[i + 1]) - first)
            }
            i += 1
        }
        return UnsafeBufferPointer(start: nil, count: 0)
    }
}

/// 64-bit FNV-1a over UTF-8 bytes: cheap, incremental (a prefix's hash is a step on the way to the whole n-gram's).
struct FNV1a {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    var value = offsetBasis

    @inline(__always)
    mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* Self.prime }

    /// Adds the UTF-8 encoding of `scalar`.
    @inline(__always)
    mutating func add(_ scalar: Unicode.Scalar) {
        let v = scalar.value
        switch v {
        case 0..<0x80: add(UInt8(v))
        case 0x80..<0x800: add(UInt8(0xC0 | v >> 6)); add(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000: add(UInt8(0xE0 | v >> 12)); add(UInt8(0x80 | v >> 6 & 0x3F)); add(UInt8(0x80 | v & 0x3F))
        default:
            add(UInt8(0xF0 | v >> 18)); add(UInt8(0x80 | v >> 12 & 0x3F)); add(UInt8(0x80 | v >> 6 & 0x3F)); add(UInt8(0x80 | v & 0x3F))
        }
    }

    static func hash(_ text: Substring) -> UInt64 {
        var h = FNV1a()
        for byte in text.utf8 { h.add(byte) }
        return h.value
    }
}
