// swift-tools-version: 6.2
// Micro benchmarks of comfysh's pure core on ordo-one/package-benchmark (published as
// ordo-one/benchmark): decode, decode+reduce, a 500-node progress_state, dispatch+diff and
// streaming replay, with thresholds checked in (`Thresholds/`), so that a regression fails
//
//     cd Benchmarks && swift package benchmark thresholds check
//     (the same: swift package benchmark baseline check --check-absolute-path Thresholds)
//
// A package of its own, so the main package's `swift build` / `swift test` never build the
// harness. Like Fuzz/, the code under test is the main package's, not a copy:
// `Sources/Store` and `Sources/Effects/Transcript` are symlinks to `../Sources/Store` and
// `../Sources/Effects/Transcript`, so only the pure core and the transcript reader are
// built (depending on the root by path would build NIO, NIOSSL's BoringSSL and
// AsyncHTTPClient for code these benchmarks never reach).
//
// Malloc statistics: on Swift 6.3+ package-benchmark counts allocations with its own
// malloc interposer (the `MallocInterposer` trait, named below; it needs no system
// package). jemalloc (Debian: libjemalloc-dev) is its backend only on Swift 6.2 and
// earlier. The trait list is given in full so that the Linux 6.3-only
// `RuntimeInterposer` trait (ARC counters, a package not available here) stays off.
// `comfysh-bench` (the main package) keeps the side-by-side figures against Python and the
// raw transport; docs/performance.md has both.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "comfysh-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // ../Sources/Store, whole (symlink).
        .target(
            name: "ComfyCore",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Store",
            swiftSettings: strict
        ),
        // Only the transcript reader of ../Sources/Effects (Effects/Transcript is a symlink),
        // under the main package's module name.
        .target(name: "ComfyLive", dependencies: ["ComfyCore"], path: "Sources/Effects", swiftSettings: strict),
        .executableTarget(
            name: "ComfyBenchmarks",
            dependencies: [
                "ComfyCore", "ComfyLive",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ComfyBenchmarks",
            swiftSettings: strict,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
