// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "AgingBench",
    products: [
        .executable(name: "agingbench", targets: ["agingbench"]),
        .library(name: "AgingBenchCore", targets: ["Core"]),
    ],
    // Exact versions: results are compared across commits, so the code they measure must not float
    // with a dependency's release. They are pinned here rather than by a committed Package.resolved,
    // whose revisions name one mirror's commits (this workplace's are not GitHub's), so a pinned
    // resolved file would break resolution elsewhere while a version pin holds everywhere.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
        // `swift package generate-documentation --target Core`: AgingBenchCore's DocC catalog
        // (Sources/Core/AgingBenchCore.docc). A plugin only: nothing the benchmark builds links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
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
        // The results layer: the CSV and JSON formats, their readers, comparison, history and
        // charts. It knows neither the model nor the engines, so tools that only read results
        // (ReaderFuzz) build without them.
        .target(name: "Results"),
        .target(
            name: "Bench",
            dependencies: [
                "Results", "Core", "Backends", "CPlatform", "CReference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // The virtual engine's event loop mutates a class's stored arrays and structs per
            // event; Swift checks each such access for exclusivity at run time, which callgrind
            // measured at 42% of a 16-vCPU cell's instructions. Release builds check them at
            // compile time only (debug builds and the sanitizer runs keep the run-time check).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "agingbench",
            dependencies: ["Bench"]
        ),
        // Feeds bytes to every results-file reader: under libFuzzer when built with
        // -sanitize=fuzzer -parse-as-library -DFUZZING (see .ci/run), otherwise it replays files.
        .executableTarget(
            name: "ReaderFuzz",
            dependencies: ["Results"]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "BackendTests", dependencies: ["Core", "Backends"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Results", "Core", "Backends", "agingbench"]),
        // What the results layer does alone (statistics), built without the model and the engines.
        .testTarget(name: "ResultsTests", dependencies: ["Results"]),
    ],
    swiftLanguageModes: [.v6]
)
