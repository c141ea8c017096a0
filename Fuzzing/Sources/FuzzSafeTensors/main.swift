import FuzzSupport
import GGUF

// The safetensors reader on arbitrary bytes: the 8-byte header length, the JSON header (`__metadata__`, each
// tensor's dtype, shape and data_offsets checked against the file), then every tensor's first and last byte.

let scratch = ScratchFile("safetensors")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    scratch.replaceContents(data, size)
    guard let file = try? SafeTensorsFile(path: scratch.path) else { return 0 }
    var checksum = file.metadata.count
    for (name, tensor) in file.tensors {
        precondition(tensor.name == name && tensor.offset >= 8 && tensor.byteCount >= 0 && tensor.offset + tensor.byteCount <= size)
        let p = file.data(of: tensor).assumingMemoryBound(to: UInt8.self)
        if tensor.byteCount > 0 { checksum &+= Int(p[0]) &+ Int(p[tensor.byteCount - 1]) }
        _ = tensor.elementCount
        if tensor.dtype == "F32" { _ = try? file.floats(name, shape: tensor.shape) }
    }
    withExtendedLifetime(checksum) {}
    return 0
}

runFuzzer(fuzzSafeTensors)
