// swift-tools-version: 6.1
import PackageDescription

// The numeric targets are always compiled with full optimisation (unoptimised Swift is 10–50× slower
// for kernels, and the tests run real models) and, on x86-64, for AVX2 + FMA (x86-64-v3: Haswell and
// later, every AMD Zen): without it `SIMD8<Float>.addProduct` becomes a libm `fmaf` call per lane.
#if arch(x86_64)
let cpuFlags = ["-target-cpu", "haswell"]
#else
let cpuFlags: [String] = []
#endif
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"] + cpuFlags)]
let kernelOptimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"] + cpuFlags)]

let package = Package(
    name: "GroupQwen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "groupqwen", targets: ["GroupQwenCLI"]),
        .library(name: "Engine", targets: ["Engine"]),
        // Used by the fuzz targets (Fuzzing/Package.swift), which depend on this package by path.
        .library(name: "GGUF", targets: ["GGUF"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "FineTuning", targets: ["FineTuning"]),
        .library(name: "Server", targets: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
    ],
    targets: [
        .target(name: "GGUF", swiftSettings: optimized),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma", "-mf16c"])]
        ),
        .target(name: "Kernels", dependencies: ["GGUF", "CKernels"], swiftSettings: kernelOptimized),
        .executableTarget(name: "KernelBench", dependencies: ["Kernels", "GGUF"], path: "Benchmarks/KernelBench", swiftSettings: kernelOptimized),
        .target(name: "Tokenizers", dependencies: ["GGUF"], swiftSettings: optimized),
        .target(name: "Engine", dependencies: ["GGUF", "Kernels", "Tokenizers"], swiftSettings: optimized),
        .target(name: "Embeddings", dependencies: ["GGUF", "Kernels", "Tokenizers"], swiftSettings: optimized),
        .target(name: "ModelStore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "LanguageID", swiftSettings: optimized),
        .target(
            name: "FineTuning",
            dependencies: [
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimized
        ),
        .target(
            name: "Training",
            dependencies: [
                "Engine", "Tokenizers", "GGUF", "FineTuning",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimized
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Engine", "Tokenizers", "ModelStore", "Embeddings", "LanguageID",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: optimized
        ),
        .target(
            name: "ExpertBuild",
            dependencies: [
                "Gateway", "Training", "FineTuning", "Engine", "Tokenizers", "ModelStore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimized
        ),
        .target(
            name: "RoutingEvaluation",
            dependencies: ["Gateway", "Engine", "Tokenizers", "ModelStore", "GGUF"],
            swiftSettings: optimized
        ),
        .executableTarget(
            name: "ExpertRouterBench", dependencies: ["Gateway", "FineTuning", "ModelStore", "ExpertBuild"],
            path: "Benchmarks/ExpertRouterBench", swiftSettings: optimized
        ),
        // The web console's files, embedded into the server at build time (see Plugins/ConsoleAssetsPlugin).
        .executableTarget(name: "ConsoleAssetsGenerator"),
        .plugin(name: "ConsoleAssetsPlugin", capability: .buildTool(), dependencies: ["ConsoleAssetsGenerator"]),
        .target(
            name: "Server",
            dependencies: [
                "Gateway", "Engine", "Tokenizers", "ModelStore", "Embeddings", "Training", "FineTuning", "LanguageID",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            exclude: ["Console"],
            swiftSettings: optimized,
            plugins: ["ConsoleAssetsPlugin"]
        ),
        .executableTarget(
            name: "GroupQwenCLI",
            dependencies: [
                "Engine", "Kernels", "GGUF", "ModelStore", "Gateway", "Server", "Embeddings", "FineTuning", "Training", "ExpertBuild",
                "RoutingEvaluation", "LanguageID",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimized
        ),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"], exclude: ["Fixtures"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF"], exclude: ["Fixtures"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "GGUF", "ModelStore"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "GGUF", "ModelStore"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore"]),
        .testTarget(name: "LanguageIDTests", dependencies: ["LanguageID", "ModelStore"], exclude: ["Fixtures"]),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings", "GGUF", "Tokenizers", "ModelStore"]),
        .testTarget(
            name: "FineTuningTests",
            dependencies: ["FineTuning", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "Engine", "GGUF", "Tokenizers", "FineTuning", "ModelStore"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Engine", "ModelStore", "FineTuning", "ExpertBuild"]),
        .testTarget(name: "ExpertBuildTests", dependencies: ["ExpertBuild", "Gateway", "FineTuning"]),
        .testTarget(name: "RoutingEvaluationTests", dependencies: ["RoutingEvaluation", "Gateway"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Gateway", "ModelStore", "Engine", "Training",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["GroupQwenCLI", "GGUF", "ModelStore"]),
    ]
)
