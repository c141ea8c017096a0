import Foundation
import Testing
@testable import GGUF

/// Malformed and hostile files must throw `GGUFError`, never crash or read outside the mapping.
@Suite("GGUFFile hostile input")
struct GGUFHostileFileTests {
    /// A small valid file with a bit of everything: scalar, string and nested-array metadata, and
    /// three tensors. Returns the bytes and the length up to the end of the last tensor's data.
    static func smallValidFile() throws -> (bytes: [UInt8], essential: Int) {
        var w = GGUFWriter()
        try w.set("general.architecture", .string("llama"))
        try w.set("llama.block_count", .uint32(2))
        try w.set("ok", .bool(true))
        try w.set("tokens", .array([.string("a"), .string("bc")]))
        try w.set("nested", .array([.array([.int16(-1)]), .array([])]))
        try w.set("pi", .float64(3.25))
        try w.addTensor(name: "a", shape: [3, 2], type: .f32, bytes: patternBytes(24, seed: 11))
        try w.addTensor(name: "q", shape: [32], type: .q8_0, bytes: patternBytes(34, seed: 12))
        try w.addTensor(name: "h", shape: [5], type: .f16, bytes: patternBytes(10, seed: 13))
        let header = w.headerBytes().count
        let last = w.tensorDataOffsets.last! + 10
        return (w.serialized(), header + last)
    }

    @Test("every prefix of a small file throws, unless it still holds all the data")
    func everyTruncation() throws {
        let dir = ScratchDirectory()
        let (bytes, essential) = try Self.smallValidFile()
        #expect(bytes.count > essential)   // the last tensor is followed by padding
        var thrown = 0
        for length in 0...bytes.count {
            switch parse(Array(bytes[0..<length]), in: dir) {
            case let .success(f):
                #expect(length >= essential, "prefix of \(length) bytes parsed")
                #expect(f.tensors.count == 3)
                #expect(Array(UnsafeRawBufferPointer(start: f.data(of: f.tensors[2]), count: 10)) == Array(bytes[essential - 10..<essential]))
            case let .failure(e):
                thrown += 1
                #expect(length < essential, "prefix of \(length) bytes threw \(e)")
                if length < 4 { #expect(e == .notGGUF(path: dir.path("t.gguf"))) }
            }
        }
        #expect(thrown == essential)
    }

    @Test("bad magic and unsupported versions")
    func magicAndVersion() throws {
        let dir = ScratchDirectory()
        var bytes = try Self.smallValidFile().bytes
        bytes[0] = UInt8(ascii: "X")
        #expect(parseError(bytes, in: dir) == .notGGUF(path: dir.path("t.gguf")))
        for version: UInt32 in [0, 1, 4, 99, .max] {
            var r = try Self.smallValidFile().bytes
            withUnsafeBytes(of: version.littleEndian) { r.replaceSubrange(4..<8, with: $0) }
            #expect(parseError(r, in: dir) == .unsupportedVersion(version))
        }
        // Version 2 has the same layout and is accepted.
        var v2 = try Self.smallValidFile().bytes
        v2[4] = 2
        #expect(try parse(v2, in: dir).get().version == 2)
    }

    @Test("absurd counts and lengths are rejected before allocating")
    func absurdCounts() {
        let dir = ScratchDirectory()
        let huge: UInt64 = 1 << 63
        #expect(parseError(RawGGUF.header(tensors: 0, kvs: huge).bytes, in: dir) == .implausibleCount(what: "metadata", count: huge))
        #expect(parseError(RawGGUF.header(tensors: huge, kvs: 0).bytes, in: dir) == .implausibleCount(what: "tensor", count: huge))
        #expect(parseError(RawGGUF.header(tensors: .max, kvs: .max).bytes, in: dir) != nil)

        var key = RawGGUF.header(tensors: 0, kvs: 1)
        key.u64(huge)                    // key length
        key.zeros(16)
        #expect(parseError(key.bytes, in: dir)?.isTruncated == true)

        var value = RawGGUF.header(tensors: 0, kvs: 1)
        value.str("s"); value.u32(8); value.u64(huge); value.zeros(16)
        #expect(parseError(value.bytes, in: dir)?.isTruncated == true)

        var array = RawGGUF.header(tensors: 0, kvs: 1)
        array.str("arr"); array.u32(9); array.u32(0); array.u64(huge); array.zeros(16)
        #expect(parseError(array.bytes, in: dir) == .implausibleCount(what: "'arr' array", count: huge))

        // 8-byte items: a count that fits the remaining bytes as bytes but not as uint64s.
        var wide = RawGGUF.header(tensors: 0, kvs: 1)
        wide.str("w"); wide.u32(9); wide.u32(10); wide.u64(64); wide.zeros(64)
        #expect(parseError(wide.bytes, in: dir) != nil)

        var name = RawGGUF.header(tensors: 1, kvs: 0)
        name.u64(huge); name.zeros(40)
        #expect(parseError(name.bytes, in: dir)?.isTruncated == true)
    }

    @Test("invalid value types and bool bytes")
    func invalidValues() throws {
        let dir = ScratchDirectory()
        for type: UInt32 in [13, 99, .max] {
            var r = RawGGUF.header(tensors: 0, kvs: 1)
            r.str("k"); r.u32(type); r.zeros(16)
            #expect(parseError(r.bytes, in: dir) == .invalidValueType(type, key: "k"))
        }
        // An array item type is checked even when the array is empty.
        var empty = RawGGUF.header(tensors: 0, kvs: 1)
        empty.str("e"); empty.u32(9); empty.u32(13); empty.u64(0)
        #expect(parseError(empty.bytes, in: dir) == .invalidValueType(13, key: "e"))

        for byte: UInt8 in [2, 0x80, 0xFF] {
            var r = RawGGUF.header(tensors: 0, kvs: 1)
            r.str("flag"); r.u32(7); r.u8(byte)
            let e = parseError(r.bytes, in: dir)
            #expect(e == .invalidValue(key: "flag", reason: "bool byte \(byte) is neither 0 nor 1"))
        }
        var inArray = RawGGUF.header(tensors: 0, kvs: 1)
        inArray.str("flags"); inArray.u32(9); inArray.u32(7); inArray.u64(3); inArray.u8(1); inArray.u8(0); inArray.u8(3)
        #expect(parseError(inArray.bytes, in: dir) != nil)
    }

    @Test("deeply nested arrays are refused without exhausting the stack")
    func depthBomb() throws {
        let dir = ScratchDirectory()
        for depth in [9, 100, 100_000] {
            var r = RawGGUF.header(tensors: 0, kvs: 1)
            r.str("bomb"); r.u32(9)
            for _ in 0..<depth { r.u32(9); r.u64(1) }
            r.u32(0); r.u64(0)
            let e = parseError(r.bytes, in: dir)
            #expect(e == .invalidValue(key: "bomb", reason: "arrays nested more than 8 deep"), "depth \(depth)")
        }
        // Eight levels are fine.
        var ok = RawGGUF.header(tensors: 0, kvs: 1)
        ok.str("deep"); ok.u32(9)
        for _ in 0..<7 { ok.u32(9); ok.u64(1) }
        ok.u32(4); ok.u64(1); ok.u32(42)
        var expected = MetadataValue.array([.uint32(42)])
        for _ in 0..<7 { expected = .array([expected]) }
        #expect(try parse(ok.bytes, in: dir).get().metadata["deep"] == expected)
    }

    @Test("duplicate metadata keys are refused")
    func duplicateKeys() {
        let dir = ScratchDirectory()
        var r = RawGGUF.header(tensors: 0, kvs: 2)
        r.str("k"); r.u32(4); r.u32(1)
        r.str("k"); r.u32(8); r.str("two")
        #expect(parseError(r.bytes, in: dir) == .invalidValue(key: "k", reason: "the key appears more than once"))
    }

    @Test("general.alignment must be an integer power of two")
    func badAlignment() throws {
        let dir = ScratchDirectory()
        let cases: [(UInt32, [UInt8])] = [
            (4, [48, 0, 0, 0]), (4, [0, 0, 0, 0]), (5, [0xE0, 0xFF, 0xFF, 0xFF]), (8, [2, 0, 0, 0, 0, 0, 0, 0, 0x33, 0x32]),
            (7, [1]), (10, [0, 0, 0, 0, 0, 0, 0, 0x80]),
        ]
        for (type, payload) in cases {
            var r = RawGGUF.header(tensors: 0, kvs: 1)
            r.str("general.alignment"); r.u32(type); r.bytes += payload
            let e = parseError(r.bytes, in: dir)
            if case .invalidValue(key: "general.alignment", _) = e {} else { Issue.record("type \(type): \(String(describing: e))") }
        }
        // Any integer type holding a power of two is accepted.
        var ok = RawGGUF.header(tensors: 0, kvs: 1)
        ok.str("general.alignment"); ok.u32(10); ok.u64(16)
        #expect((try? parse(ok.bytes, in: dir).get())?.alignment == 16)
    }

    /// A file with one tensor info as given and `dataBytes` of data after the aligned header.
    static func oneTensor(shape: [UInt64], type: UInt32 = 0, offset: UInt64 = 0, dataBytes: Int = 64, name: String = "t") -> [UInt8] {
        var r = RawGGUF.header(tensors: 1, kvs: 0)
        r.tensorInfo(name, shape: shape, type: type, offset: offset)
        r.pad()
        r.zeros(dataBytes)
        return r.bytes
    }

    @Test("tensor infos: dimensions, types, offsets, sizes")
    func badTensorInfos() throws {
        let dir = ScratchDirectory()
        func reason(_ bytes: [UInt8]) -> String? {
            guard case let .invalidTensor(name: "t", reason: r)? = parseError(bytes, in: dir) else { return nil }
            return r
        }
        #expect(try parse(Self.oneTensor(shape: [16]), in: dir).get().tensors.first?.byteCount == 64)
        #expect(reason(Self.oneTensor(shape: [])) == "0 dimensions")
        #expect(reason(Self.oneTensor(shape: [1, 1, 1, 1, 1])) == "5 dimensions")
        #expect(reason(Self.oneTensor(shape: [UInt64](repeating: 1, count: 1000))) == "1000 dimensions")
        #expect(reason(Self.oneTensor(shape: [4, 0])) == "dimension 0")
        #expect(reason(Self.oneTensor(shape: [(1 << 32) + 1])) != nil)
        #expect(reason(Self.oneTensor(shape: [.max])) != nil)
        #expect(reason(Self.oneTensor(shape: [1 << 32, 1 << 32, 1 << 32, 1 << 32])) == "too many elements")
        #expect(reason(Self.oneTensor(shape: [1 << 21, 1 << 21])) == "too many elements")
        #expect(parseError(Self.oneTensor(shape: [16], type: 99), in: dir) == .unknownTensorType(99, tensor: "t"))
        #expect(parseError(Self.oneTensor(shape: [16], type: 4), in: dir) == .unknownTensorType(4, tensor: "t"))
        #expect(reason(Self.oneTensor(shape: [256], type: TensorType.iq2_xxs.rawValue, dataBytes: 1024)) == "unsupported layout IQ2_XXS")
        #expect(reason(Self.oneTensor(shape: [16], offset: 4, dataBytes: 128)) == "data offset 4 is not aligned to 32")
        #expect(reason(Self.oneTensor(shape: [33], type: TensorType.q8_0.rawValue)) == "row length 33 is not a multiple of the Q8_0 block size 32")
        #expect(reason(Self.oneTensor(shape: [100], type: TensorType.q4_K.rawValue, dataBytes: 1024)) == "row length 100 is not a multiple of the Q4_K block size 256")

        // Data past the end of the file.
        for (shape, offset, data): ([UInt64], UInt64, Int) in [([17], 0, 64), ([16], 32, 64), ([16], 1 << 62, 64), ([16], .max - 31, 64), ([16], 0, 0), ([1 << 20, 1 << 10], 0, 64)] {
            let e = parseError(Self.oneTensor(shape: shape, offset: offset, dataBytes: data), in: dir)
            #expect(e?.isTruncated == true, "\(shape) at \(offset): \(String(describing: e))")
        }

        // Duplicate names.
        var dup = RawGGUF.header(tensors: 2, kvs: 0)
        dup.tensorInfo("t", shape: [8], type: 0, offset: 0)
        dup.tensorInfo("t", shape: [8], type: 0, offset: 32)
        dup.pad(); dup.zeros(64)
        #expect(reason(dup.bytes) == "duplicate name")
    }

    @Test("flipping any bit of the header either parses or throws")
    func bitFlipFuzz() throws {
        let dir = ScratchDirectory()
        let (bytes, _) = try Self.smallValidFile()
        let headerLength = try parse(bytes, in: dir).get().dataOffset
        var outcomes = (parsed: 0, thrown: 0)
        for bit in 0..<(headerLength * 8) {
            var m = bytes
            m[bit / 8] ^= 1 << (bit % 8)
            switch parse(m, in: dir) {
            case let .success(f): outcomes.parsed += 1; _ = touchAllTensors(f)
            case let .failure(e):
                outcomes.thrown += 1
                #expect(!e.description.contains("\n") && e.description.count < 400, "\(e)")
            }
        }
        #expect(outcomes.parsed + outcomes.thrown == headerLength * 8)
        #expect(outcomes.thrown > 0 && outcomes.parsed > 0)
    }

    @Test("random multi-byte corruption (fixed seed) either parses or throws")
    func randomCorruptionFuzz() throws {
        let dir = ScratchDirectory()
        let (bytes, _) = try Self.smallValidFile()
        var g = SplitMix64(seed: 0x6767_7566)
        let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 9, 13]
        for _ in 0..<2000 {
            var m = bytes
            for _ in 0..<Int.random(in: 1...6, using: &g) {
                let i = Int.random(in: 0..<m.count, using: &g)
                m[i] = Bool.random(using: &g) ? interesting.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
            }
            if Int.random(in: 0..<8, using: &g) == 0 { m.removeLast(Int.random(in: 0..<m.count, using: &g)) }
            switch parse(m, in: dir) {
            case let .success(f): _ = touchAllTensors(f)
            case let .failure(e): #expect(!e.description.contains("\n") && e.description.count < 400, "\(e)")
            }
        }
    }

    @Test("error descriptions are one line naming the problem")
    func descriptions() {
        let errors: [GGUFError] = [
            .cannotOpen(path: "/x", reason: "No such file or directory"), .notGGUF(path: "/x"), .unsupportedVersion(1),
            .truncated(what: "tensor count", offset: 8), .invalidValueType(13, key: "k"), .invalidString(offset: 3),
            .implausibleCount(what: "metadata", count: 1 << 63), .invalidTensor(name: "t", reason: "5 dimensions"),
            .unknownTensorType(99, tensor: "t"), .missingKey("k"), .wrongValueType(key: "k", expected: "an integer"),
            .missingTensor("t"), .invalidValue(key: "k", reason: "bool byte 2 is neither 0 nor 1"),
        ]
        for e in errors {
            #expect(!e.description.contains("\n"))
            #expect(e.description.count < 200)
            #expect(e.description.contains("GGUF") || e.description.hasPrefix("cannot open"))
        }
        // Hostile keys and names cannot break the message over lines or make it huge.
        let hostile = "evil\n\u{1B}[31mred\r" + String(repeating: "x", count: 100_000)
        var r = RawGGUF.header(tensors: 0, kvs: 1)
        r.str(hostile); r.u32(77)
        let dir = ScratchDirectory()
        let e = parseError(r.bytes, in: dir)
        #expect(e == .invalidValueType(77, key: hostile))
        let text = e?.description ?? ""
        #expect(text.hasPrefix("GGUF metadata 'evil\\n\\u{1B}[31mred\\r"))
        #expect(text.hasSuffix("…' has invalid value type 77"))
        #expect(!text.contains("\n") && !text.contains("\u{1B}") && text.count < 200)
        #expect(GGUFError.unknownTensorType(99, tensor: "blk.0.w").description == "GGUF tensor 'blk.0.w' has unknown tensor type 99")
        #expect(GGUFError.invalidValue(key: "k", reason: "the key appears more than once").description == "GGUF metadata 'k' is invalid: the key appears more than once")
    }
}

extension GGUFError {
    var isTruncated: Bool {
        if case .truncated = self { return true }
        return false
    }
}
