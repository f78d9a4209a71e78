// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "AgingBench",
    products: [
        .executable(name: "agingbench", targets: ["agingbench"]),
        .library(name: "AgingBenchCore", targets: ["Core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // jemalloc allocates the model's table pages and reports their bytes (mallctl).
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // What Swift cannot spell: CPU pause, tick counter, membarrier, thread pinning, and C++
        // allocation forwarded to malloc (so sanitizers and jemalloc never mix).
        .target(name: "CPlatform"),
        // The hardware's limit: the same aging pass as a plain C loop (`agingbench limit`).
        .target(name: "CReference"),
        .target(
            name: "Core",
            dependencies: ["CJemalloc", "CPlatform"]
        ),
        .target(
            name: "Backends",
            dependencies: ["Core"]
        ),
        .target(
            name: "Bench",
            dependencies: [
                "Core", "Backends", "CPlatform", "CReference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "agingbench",
            dependencies: ["Bench"]
        ),
        // Feeds bytes to every results-file reader: under libFuzzer when built with
        // -sanitize=fuzzer -parse-as-library -DFUZZING (see .ci/run), otherwise it replays files.
        .executableTarget(
            name: "ReaderFuzz",
            dependencies: ["Bench"]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "BackendTests", dependencies: ["Core", "Backends"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Core", "Backends", "agingbench"]),
    ],
    swiftLanguageModes: [.v6]
)
