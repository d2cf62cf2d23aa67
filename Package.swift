// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Settings shared by every Lore target.
let lore: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// The vector kernels (distance loops, quantised scans) are compiled for the build
/// machine's vector unit, as hnswlib's `-march=native` is: AVX-512 or AVX2 + FMA when
/// /proc/cpuinfo has them, and `LORE_FMA` lets the code use fused multiply-adds. Set
/// `LORE_PORTABLE=1` to build for any x86-64 (SSE2) instead.
let vectorKernels: [SwiftSetting] = {
    #if os(Linux) && arch(x86_64)
        if ProcessInfo.processInfo.environment["LORE_PORTABLE"] == "1" { return lore }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return lore }
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"]) {
            return lore + [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .define("LORE_FMA")]
        }
        if flags.isSuperset(of: ["avx2", "fma"]) {
            return lore + [.unsafeFlags(["-target-cpu", "haswell"]), .define("LORE_FMA")]
        }
    #endif
    return lore
}()

let package = Package(
    name: "Lore",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lore", targets: ["lore"]),
        .library(name: "LoreCore", targets: ["LoreCore"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // The HTTP server; its default traits (swift-configuration, full Foundation) are not used.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // multipart/form-data uploads (`POST /v1/documents`): its MultipartParser splits the parts.
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // SHA-256 (LoreCore). 3.12.3 or later, 4.x included: swift-certificates and
        // swift-nio-extras (through async-http-client) already bring it in at 4.x, and a
        // `from: "3.12.3"` (below 4) would hold the whole graph at 3.x.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The environment and the flags are read through its providers (LoreApp's Setting);
        // no trait: the YAML file is decoded by Lore's Codable types, because its
        // YAMLSnapshot holds scalars and lists of scalars only (not generation.backends).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        // The ZIP packages of Office Open XML, OpenDocument and EPUB files (LoreIngest's loaders).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20")
    ],
    targets: [
        // System libraries: with CMatrixTiles below, the only places C enters.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CVectorHints", path: "Sources/CVectorHints"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),

        // Domain types, protocols and small shared utilities. Only swift-crypto (SHA-256).
        .target(name: "LoreCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: lore),
        // The SQLite system of record: schema, migrations, documents, chunks, vectors, FTS5.
        .target(
            name: "LoreStore", dependencies: ["LoreCore", "CSQLite", .product(name: "Logging", package: "swift-log")], swiftSettings: lore),
        // The BLAS, opened at run time with the right OpenBLAS kernel for this CPU.
        .target(name: "LoreBLAS", dependencies: ["CBLAS"], swiftSettings: lore),
        // The encoder's linear layers in bf16 on Intel AMX tiles: the one C kernel (Swift has no
        // AMX intrinsics), used only where the CPU has the tiles (docs/ARCHITECTURE.md).
        .target(name: "CMatrixTiles"),
        // Embeddings: the WordPiece tokenizer (the chunker counts tokens with it) and MiniLM on BLAS.
        .target(name: "LoreEmbed", dependencies: ["LoreCore", "LoreBLAS", "CMatrixTiles"], swiftSettings: vectorKernels),
        // Vector search: exact (flat) and HNSW indexes, their snapshots in the store, the index manager.
        .target(
            name: "LoreIndex",
            dependencies: [
                "LoreCore", "LoreStore", "LoreBLAS", "CVectorHints", .product(name: "Logging", package: "swift-log")
            ], swiftSettings: vectorKernels),
        // The OpenAI-compatible embeddings client (vLLM, TEI, Ollama, OpenAI, infinity).
        .target(
            name: "LoreEmbedHTTP",
            dependencies: [
                "LoreCore", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log")
            ], swiftSettings: lore),
        // Loaders, chunking, validation, the file walker and the incremental Ingestor.
        .target(
            name: "LoreIngest",
            dependencies: [
                "LoreCore", "LoreStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation")
            ],
            swiftSettings: lore),
        // Retrieval: dense, lexical (BM25) and hybrid (RRF) candidates, filters, MMR, merging.
        .target(
            name: "LoreRetrieval",
            dependencies: [
                "LoreCore", "LoreStore", "LoreIndex", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ], resources: [.embedInCode("Resources/person-names.txt"), .embedInCode("Resources/name-context.json")], swiftSettings: lore),
        // Versioned prompt templates from prompts/: parsing, validation, A/B selection, context assembly.
        .target(
            name: "LorePrompts",
            dependencies: [
                "LoreCore", .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log")
            ], swiftSettings: lore),
        // Generation backends: the OpenAI-compatible chat-completions client and the backend pool.
        .target(
            name: "LoreGenerate",
            dependencies: [
                "LoreCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Metrics", package: "swift-metrics")
            ], swiftSettings: lore),
        // The query service: question in, cited answer out (condense, retrieve, prompt, generate),
        // the extractive answerer and the guardrail hook points.
        .target(
            name: "LoreQuery",
            dependencies: [
                "LoreCore", "LoreRetrieval", "LorePrompts", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ], swiftSettings: lore),
        // Guardrails: PII and secrets, prompt injection (questions and documents), citation
        // checks, the policy, the audit trail and the ingest-time scan.
        .target(
            name: "LoreGuardrails",
            dependencies: [
                "LoreCore", "LoreStore", "LoreRetrieval", "LoreQuery", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ], resources: [.embedInCode("Resources/injection-classifier.json"), .embedInCode("Resources/injection-structure.json")],
            swiftSettings: lore),
        // Evaluation: golden sets, retrieval and answer metrics, gates against a baseline.
        .target(name: "LoreEval", dependencies: ["LoreCore", "LoreRetrieval", "LoreQuery", "LoreGuardrails"], swiftSettings: lore),
        // Operations over live traffic: the request log (redacted, with retention) and users'
        // feedback on answers.
        .target(
            name: "LoreOps",
            dependencies: [
                "LoreCore", "LoreStore", "LorePrompts", "LoreQuery", "LoreGuardrails", "LoreEval",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ], swiftSettings: lore),
        // The HTTP API (`lore serve`): routes, request and response types, server-sent events,
        // request ids, errors and request metrics. The only module that imports Hummingbird.
        .target(
            name: "LoreServer",
            dependencies: [
                "LoreCore", "LoreStore", "LoreRetrieval", "LorePrompts", "LoreQuery",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "MultipartKit", package: "multipart-kit")
            ], resources: [.embedInCode("openapi.yaml")], swiftSettings: lore),
        // The terminal chat (`lore chat`): the session, slash commands, the renderer, the line
        // editor and the two answer sources (the pipeline in process, `/v1/query` over HTTP).
        .target(
            name: "LoreChat",
            dependencies: [
                "LoreCore", "LoreStore", "LoreRetrieval", "LorePrompts", "LoreQuery",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log")
            ], swiftSettings: lore),
        // The application and composition root: the configuration (file, environment), the
        // factories that wire the modules together, the document catalog, the replica switcher
        // and the HTTP application `lore serve` runs.
        .target(
            name: "LoreApp",
            dependencies: [
                "LoreCore", "LoreStore", "LoreBLAS", "LoreEmbed", "LoreEmbedHTTP", "LoreIngest", "LoreIndex",
                "LoreRetrieval", "LorePrompts", "LoreGenerate", "LoreQuery", "LoreGuardrails", "LoreEval", "LoreOps", "LoreServer",
                "LoreChat", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Configuration", package: "swift-configuration")
            ], swiftSettings: lore),
        // The executable: argument parsing and printing.
        .executableTarget(
            name: "lore",
            dependencies: [
                // The application, TerminalIO (the chat's terminal check) and indexThreads (a default).
                "LoreApp", "LoreChat", "LoreIndex",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ], swiftSettings: lore),

        // Shared test helpers (temporary directories, the built binary, fixtures, the vocabulary).
        .target(name: "LoreTestSupport", dependencies: ["LoreCore", "LoreEmbed"], path: "Tests/LoreTestSupport", swiftSettings: lore),
        .testTarget(name: "LoreCoreTests", dependencies: ["LoreCore", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(name: "LoreStoreTests", dependencies: ["LoreStore", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(name: "LoreEmbedTests", dependencies: ["LoreEmbed", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(
            name: "LoreIngestTests",
            dependencies: [
                "LoreIngest", "LoreEmbed", "LoreStore", "LoreTestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")
            ], swiftSettings: lore),
        .testTarget(name: "LoreCLITests", dependencies: ["LoreStore", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(
            name: "LoreIndexTests",
            dependencies: [
                "LoreIndex", "LoreStore", "LoreTestSupport", .product(name: "Logging", package: "swift-log")
            ], swiftSettings: lore),
        .testTarget(name: "LoreEmbedHTTPTests", dependencies: ["LoreEmbedHTTP", "LoreEmbed", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(name: "LorePromptsTests", dependencies: ["LorePrompts", "LoreEmbed", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(
            name: "LoreGenerateTests",
            dependencies: [
                "LoreGenerate", "LoreTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ], swiftSettings: lore),
        .testTarget(
            name: "LoreRetrievalTests",
            dependencies: [
                "LoreRetrieval", "LoreQuery", "LorePrompts", "LoreGenerate", "LoreIndex", "LoreStore", "LoreIngest", "LoreEmbed",
                "LoreTestSupport"
            ], swiftSettings: lore),
        // The HTTP API over loopback: servers in process (LoreApp's composition, each with its
        // own metrics registry and log), `lore serve` processes where the process is the point,
        // and the request parsers (`@testable import LoreServer`).
        .testTarget(
            name: "LoreServerTests",
            dependencies: [
                "LoreApp", "LoreServer", "LoreOps", "LoreStore", "LoreTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus")
            ], swiftSettings: lore),
        // The application in process: the router ServerComposition builds, driven by
        // Hummingbird's test client (no process, no socket).
        .testTarget(
            name: "LoreAppTests",
            dependencies: [
                "LoreApp", "LoreServer", "LoreTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Yams", package: "Yams")
            ], swiftSettings: lore),
        .testTarget(
            name: "LoreChatTests", dependencies: ["LoreChat", "LoreQuery", "LoreRetrieval", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(name: "LoreEvalTests", dependencies: ["LoreEval", "LoreTestSupport"], swiftSettings: lore),
        .testTarget(
            name: "LoreGuardrailsTests",
            dependencies: [
                "LoreGuardrails", "LoreEval", "LoreQuery", "LoreRetrieval", "LorePrompts", "LoreGenerate", "LoreIndex", "LoreStore",
                "LoreIngest",
                "LoreEmbed", "LoreTestSupport", .product(name: "Yams", package: "Yams")
            ], swiftSettings: lore)
    ]
)
