import Foundation
import FineTuning
import FuzzSupport

// The fine-tuning data importers on arbitrary bytes. The first byte picks what reads the rest: each export
// format's reader (ChatGPT, Claude, Gemini Takeout, ShareGPT, Alpaca, OpenAI JSONL, plain-text Q/A), or the
// streaming readers themselves (JSONRecordReader, JSONArrayStreamReader with and without a key), which split the
// input into records with a byte scanner before JSONSerialization sees them.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImporters(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let body = Data(bytes: data + 1, count: size - 1)
    switch data[0] % 9 {
    case 0: _ = try? ChatGPTImporter.conversations(from: body)
    case 1: _ = try? ClaudeImporter.conversations(from: body)
    case 2: _ = try? GeminiTakeoutImporter.conversations(from: body)
    case 3: _ = try? ShareGPTImporter.conversations(from: body)
    case 4: _ = try? AlpacaImporter.conversations(from: body)
    case 5: _ = try? OpenAIChatJSONL.conversations(from: body)
    case 6: _ = try? PlainTextQAImporter.conversations(from: body)
    case 7:
        var reader = JSONRecordReader(data: body, name: "fuzz.jsonl")
        while let record = try? reader.next() {
            precondition(reader.offset <= reader.byteCount)
            _ = try? record.object(in: "fuzz.jsonl")
        }
    default:
        for key in [nil, "conversations"] {
            var reader = JSONArrayStreamReader(data: body, name: "fuzz.json", key: key)
            while let element = try? reader.next(), element != nil {
                precondition(reader.offset <= reader.byteCount)
            }
        }
    }
    return 0
}

runFuzzer(fuzzImporters)
