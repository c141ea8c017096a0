import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses Brotli streams (RFC 7932) with the system's `libbrotlidec`, opened at run time so that building
/// GroupQwen needs no Brotli headers. Only the compiler of the language profiles uses it, once, when the profiles
/// (shipped Brotli-compressed in their wheel) are first loaded.
struct BrotliDecoder {
    private typealias CreateInstance = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> OpaquePointer?
    private typealias DestroyInstance = @convention(c) (OpaquePointer?) -> Void
    private typealias DecompressStream = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<Int>, UnsafeMutablePointer<UnsafePointer<UInt8>?>,
        UnsafeMutablePointer<Int>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>?
    ) -> Int32

    private let create: CreateInstance
    private let destroy: DestroyInstance
    private let decompressStream: DecompressStream

    /// The library names tried, most specific first.
    static let libraryNames = ["libbrotlidec.so.1", "libbrotlidec.so", "libbrotlidec.1.dylib", "libbrotlidec.dylib"]

    /// Opens `libbrotlidec`; fails with install advice when it is missing.
    init() throws {
        guard let handle = Self.libraryNames.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else {
            throw LanguageIDError.brotliUnavailable
        }
        guard let create = dlsym(handle, "BrotliDecoderCreateInstance"),
              let destroy = dlsym(handle, "BrotliDecoderDestroyInstance"),
              let stream = dlsym(handle, "BrotliDecoderDecompressStream") else {
            throw LanguageIDError.brotliUnavailable
        }
        self.create = unsafeBitCast(create, to: CreateInstance.self)
        self.destroy = unsafeBitCast(destroy, to: DestroyInstance.self)
        self.decompressStream = unsafeBitCast(stream, to: DecompressStream.self)
    }

    /// The decompressed bytes of `data`, a complete Brotli stream.
    func decompress(_ data: Data) throws -> Data {
        guard let state = create(nil, nil, nil) else { throw LanguageIDError.corruptProfile("the Brotli decoder could not start") }
        defer { destroy(state) }
        // BrotliDecoderResult: 0 error, 1 success, 2 needs more input, 3 needs more output.
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Data in
            var availableIn = raw.count
            var nextIn: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress
            while true {
                let (result, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    var availableOut = chunk
                    var nextOut: UnsafeMutablePointer<UInt8>? = out.baseAddress
                    let result = decompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                    return (result, chunk - availableOut)
                }
                output.append(contentsOf: buffer[0..<produced])
                switch result {
                case 1: return output
                case 3: continue
                case 2: throw LanguageIDError.corruptProfile("a Brotli stream ended early")
                default: throw LanguageIDError.corruptProfile("a Brotli stream is corrupt")
                }
            }
        }
    }
}
