import FuzzSupport
import GGUF
import Tokenizers

// The GGUF reader on arbitrary bytes: header, metadata (nested arrays, strings), tensor index (shapes, types,
// offsets against the file size), every accessor, and every tensor's first and last byte (a wrong size or offset
// reads outside the mapping). A file that parses is also handed to the tokenizer loader and, when it has one, its
// chat template is compiled (both read only metadata, as for a model someone published).

let scratch = ScratchFile("gguf")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    scratch.replaceContents(data, size)
    guard let file = try? GGUFFile(path: scratch.path) else { return 0 }
    var checksum = 0
    for key in file.metadataKeys {
        _ = file.int(key)
        _ = file.float(key)
        _ = file.bool(key)
        _ = file.string(key)
        _ = try? file.strings(key)
        _ = try? file.floats(key)
        _ = try? file.ints(key)
        _ = file.emptyArrayItemTypes[key]
    }
    _ = file.architecture
    for tensor in file.tensors {
        precondition(file.tensor(tensor.name) != nil)
        precondition(tensor.fileOffset >= file.dataOffset && tensor.fileOffset + tensor.byteCount <= file.mapping.size)
        let p = file.data(of: tensor).assumingMemoryBound(to: UInt8.self)
        if tensor.byteCount > 0 { checksum &+= Int(p[0]) &+ Int(p[tensor.byteCount - 1]) }
    }
    if let tokenizer = try? Tokenizer(gguf: file) {
        let ids = tokenizer.encode("Hello, world! <|im_start|>user\n1234 héllo 😀", parseSpecial: true)
        _ = tokenizer.decode(ids, special: true)
    }
    if let source = file.string("tokenizer.chat_template"), let template = try? ChatTemplate(source: source) {
        _ = try? template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: true,
                                 bosToken: "<s>", eosToken: "</s>")
    }
    withExtendedLifetime(checksum) {}
    return 0
}

runFuzzer(fuzzGGUF)
