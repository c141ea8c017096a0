import FineTuning
import Foundation

/// 128-bit content hashes (hex) for detecting changed settings, data files and models. Not cryptographic: they
/// guard against mistakes, not adversaries.
enum ContentHash {
    /// The hash of `bytes`.
    static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        StableHash.lanes(bytes.bindMemory(to: UInt8.self), &a, &b)
        let high = StableHash.mix(a)
        let low = StableHash.mix(b ^ a)
        return hex(high) + hex(low)
    }

    /// The hash of a string's UTF-8 bytes.
    static func hex(of text: String) -> String {
        var copy = text
        return copy.withUTF8 { hex(of: UnsafeRawBufferPointer($0)) }
    }

    /// The hash of a file's contents (memory-mapped), or of its first `limit` bytes.
    static func hex(ofFile url: URL, limit: Int = .max) throws(CheckpointError) -> String {
        let file: FineTuning.MappedFile
        do throws(ImportError) { file = try FineTuning.MappedFile(url) } catch { throw .io(path: url.path, reason: error.description) }
        let bytes = file.bytes
        return hex(of: UnsafeRawBufferPointer(rebasing: bytes[..<min(limit, bytes.count)]))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
