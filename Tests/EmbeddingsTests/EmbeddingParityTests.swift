import Embeddings
import Foundation
import GGUF
import ModelStore
import Testing

/// all-MiniLM-L6-v2 against the float64 reference (`Tests/Fixtures/all-MiniLM-L6-v2.json`: ids with
/// [CLS]/[SEP] and the mean-pooled, normalised embedding of 12 texts, accents, CJK and code among them).
@Suite("MiniLM embeddings")
struct EmbeddingParityTests {
    struct Item: Decodable {
        let text: String
        let ids: [Int32]
        let embedding: [Double]
    }

    struct Reference: Decodable { let items: [Item] }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func reference() throws -> [Item] {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("all-MiniLM-L6-v2.json"))).items
    }

    static func embedder(_ precision: EmbeddingPrecision = .f16) throws -> SentenceEmbedder {
        guard let file = ModelStore().localPath(for: "minilm-l6-v2") else {
            Issue.record("model minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2` (the README's test command does)")
            throw CancellationError()
        }
        return try SentenceEmbedder(directory: file.deletingLastPathComponent(), precision: precision)
    }

    static func cosine(_ a: [Float], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices { dot += Double(a[i]) * b[i]; na += Double(a[i] * a[i]); nb += b[i] * b[i] }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func wordPieceIdsMatch() throws {
        let embedder = try Self.embedder()
        for item in try Self.reference() {
            #expect(embedder.tokenize(item.text) == item.ids, "\(item.text)")
        }
    }

    @Test func embeddingsMatchTheReference() throws {
        let embedder = try Self.embedder()
        let items = try Self.reference()
        let vectors = embedder.embed(items.map(\.text))
        #expect(embedder.dimension == 384)
        var worst = 1.0
        for (item, vector) in zip(items, vectors) {
            let c = Self.cosine(vector, item.embedding)
            worst = min(worst, c)
            #expect(c >= 0.9999, "\(item.text): cosine \(c)")
        }
        print("MiniLM parity: min cosine \(worst) over \(items.count) texts")
    }

    /// The 8-bit encoder the semantic cache uses: close to the reference, and it ranks texts as the exact one.
    @Test func eightBitEncoderStaysCloseToTheReference() throws {
        let embedder = try Self.embedder(.q8_0)
        let items = try Self.reference()
        let vectors = embedder.embed(items.map(\.text))
        var worst = 1.0
        for (item, vector) in zip(items, vectors) {
            let c = Self.cosine(vector, item.embedding)
            worst = min(worst, c)
            #expect(c >= 0.997, "\(item.text): cosine \(c)")   // measured: 0.9983 for "", ≥ 0.9996 for the rest
        }
        // Pairwise similarities (what the cache compares) move by less than 0.01.
        for i in items.indices { for j in items.indices where j > i {
            let exact = Self.cosine(items[i].embedding.map(Float.init), items[j].embedding)
            let eight = Self.cosine(vectors[i], vectors[j].map(Double.init))
            #expect(abs(exact - eight) < 0.01, "\(items[i].text) / \(items[j].text): \(exact) vs \(eight)")
        } }
        print("MiniLM Q8_0 parity: min cosine \(worst) over \(items.count) texts")
    }

    @Test func batchEqualsOneByOne() throws {
        let embedder = try Self.embedder()
        let texts = try Self.reference().map(\.text)
        let batch = embedder.embed(texts)
        for (text, vector) in zip(texts, batch) {
            let single = embedder.embed([text])[0]
            #expect(Self.cosine(single, vector.map(Double.init)) > 0.99999, "\(text)")
        }
        #expect(embedder.embed([]).isEmpty)
    }

    @Test func longTextsAreTruncated() throws {
        let embedder = try Self.embedder()
        let long = String(repeating: "lorem ipsum dolor sit amet ", count: 200)
        #expect(embedder.tokenize(long).count == 256)
        #expect(embedder.embed([long])[0].count == 384)
    }

    @Test func corruptFilesGiveTypedErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ bytes: [UInt8]) throws -> String {
            let path = dir.appendingPathComponent("m.safetensors").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        func header(_ json: String, data: Int) -> [UInt8] {
            let h = Array(json.utf8)
            return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + [UInt8](repeating: 0, count: data)
        }
        #expect(throws: SafeTensorsError.truncated("header length")) { _ = try SafeTensorsFile(path: try write([1, 2, 3])) }
        #expect(throws: SafeTensorsError.truncated("header")) { _ = try SafeTensorsFile(path: try write([255, 0, 0, 0, 0, 0, 0, 0, 1])) }
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensorsFile(path: try write(header("[1,2]", data: 0))) }
        let ok = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        #expect(try SafeTensorsFile(path: try write(header(ok, data: 16))).tensors["w"]?.elementCount == 4)
        #expect(throws: SafeTensorsError.truncated("tensor 'w'")) { _ = try SafeTensorsFile(path: try write(header(ok, data: 15))) }
        let mismatch = #"{"w":{"dtype":"F32","shape":[3,2],"data_offsets":[0,16]}}"#
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensorsFile(path: try write(header(mismatch, data: 16))) }
        let huge = #"{"w":{"dtype":"F32","shape":[9223372036854775807,4],"data_offsets":[0,16]}}"#
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensorsFile(path: try write(header(huge, data: 16))) }
        let type = #"{"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}"#
        #expect(throws: SafeTensorsError.unsupportedType("Q9", tensor: "w")) { _ = try SafeTensorsFile(path: try write(header(type, data: 1))) }
    }
}
