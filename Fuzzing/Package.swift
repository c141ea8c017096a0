// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for GroupQwen's parsers of untrusted input. Not part of the root package: its `swift build`
// never builds these. Build and run one with `scripts/fuzz.sh TARGET SECONDS` (README, "Fuzzing"), which compiles
// every module, the root package's included, with `-sanitize=address -sanitize-coverage=edge,inline-8bit-counters,
// pc-table,trace-cmp` (what `-sanitize=fuzzer` instruments). libFuzzer itself is linked into the fuzz executables
// only (`linkerSettings` below): with `-Xswiftc -sanitize=fuzzer` it would also be linked into the server's
// build-tool plugin executable, which then fails to link (it has no `LLVMFuzzerTestOneInput`).
//
// Each target defines `LLVMFuzzerTestOneInput` and starts libFuzzer itself through `LLVMFuzzerRunDriver`
// (FuzzSupport): SwiftPM links executables with `main` aliased to the module's own entry point, so libFuzzer's
// `main` cannot be used.

// A path dependency's identity is its directory's name (`main`, `groupqwen`, … for a clone; this directory must therefore not share its name), not the manifest's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

func product(_ name: String) -> Target.Dependency { .product(name: name, package: rootIdentity) }

func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies,
                      linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])])
}

let package = Package(
    name: "GroupQwenFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        // Already in the graph through Hummingbird; named here for NIOCore's ByteBuffer (request bodies).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        fuzzTarget("FuzzGGUF", [product("GGUF"), product("Tokenizers")]),
        fuzzTarget("FuzzSafeTensors", [product("GGUF")]),
        fuzzTarget("FuzzChatTemplate", [product("Tokenizers")]),
        fuzzTarget("FuzzImporters", [product("FineTuning")]),
        fuzzTarget("FuzzChatRequest", [product("Server"), .product(name: "NIOCore", package: "swift-nio")]),
    ],
    // Top-level state of the entry points (scratch files, fixed inputs) is used from libFuzzer's callback.
    swiftLanguageModes: [.v5]
)
