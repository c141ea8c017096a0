import Foundation
import Testing
@testable import GGUF

/// A scratch directory removed when the value is released.
final class ScratchDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `bytes` to `name` and returns the path.
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path(name)
        precondition(FileManager.default.createFile(atPath: p, contents: Data(bytes)), "cannot create \(p)")
        return p
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Parses `bytes` as a GGUF file (written to a scratch file) and returns the result or the error.
func parse(_ bytes: [UInt8], in dir: ScratchDirectory, name: String = "t.gguf") -> Result<GGUFFile, GGUFError> {
    let p = dir.file(name, bytes)
    do throws(GGUFError) {
        return .success(try GGUFFile(path: p))
    } catch {
        return .failure(error)
    }
}

/// The error parsing `bytes` throws, recording an issue when it parses instead.
func parseError(_ bytes: [UInt8], in dir: ScratchDirectory, sourceLocation: SourceLocation = #_sourceLocation) -> GGUFError? {
    switch parse(bytes, in: dir) {
    case .success: Issue.record("expected a GGUFError, but the file parsed", sourceLocation: sourceLocation); return nil
    case let .failure(e): return e
    }
}

/// Touches the first and last byte of every tensor: a parsed file must only describe mapped bytes.
func touchAllTensors(_ file: GGUFFile) -> UInt8 {
    var x: UInt8 = 0
    for t in file.tensors {
        #expect(t.fileOffset >= file.dataOffset)
        #expect(t.fileOffset + t.byteCount <= file.mapping.size)
        let p = file.data(of: t)
        x ^= p.load(as: UInt8.self) ^ p.load(fromByteOffset: t.byteCount - 1, as: UInt8.self)
    }
    return x
}

/// Hand-assembles GGUF bytes, independently of `GGUFWriter`, so tests can build malformed files.
struct RawGGUF {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func str(_ s: String) { u64(UInt64(s.utf8.count)); bytes += s.utf8 }

    /// Magic, version and the two counts.
    static func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) -> RawGGUF {
        var r = RawGGUF()
        r.bytes = Array("GGUF".utf8)
        r.u32(version)
        r.u64(tensors)
        r.u64(kvs)
        return r
    }

    /// One tensor info.
    mutating func tensorInfo(_ name: String, shape: [UInt64], type: UInt32, offset: UInt64) {
        str(name)
        u32(UInt32(shape.count))
        for d in shape { u64(d) }
        u32(type)
        u64(offset)
    }

    mutating func pad(to alignment: Int = 32) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }
}

/// A deterministic generator (SplitMix64) for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Deterministic pseudo-random bytes.
func patternBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var g = SplitMix64(seed: seed)
    return (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
}

/// Bitwise equality for metadata (so NaN payloads and -0.0 compare exactly).
func bitwiseEqual(_ a: MetadataValue, _ b: MetadataValue) -> Bool {
    switch (a, b) {
    case let (.float32(x), .float32(y)): return x.bitPattern == y.bitPattern
    case let (.float64(x), .float64(y)): return x.bitPattern == y.bitPattern
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(bitwiseEqual)
    default: return a == b
    }
}
