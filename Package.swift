// swift-tools-version: 6.2
// comfysh: a Swift client core, shell and dashboard for ComfyUI's real-time API.
//
// The targets are the layers (see docs/architecture.md); a target's folder keeps the
// layer's name, its module says what it is:
//   ComfyCore      (Sources/Store)     — pure: state, actions, reducers, the protocol
//                                        decoder, the state diff, typed client events. No I/O, no clock.
//   ComfyLive      (Sources/Effects)   — all I/O: the live client (socket, HTTP, reconnect,
//                                        resync), opening a connection, transcripts, downloads.
//   ComfySimulator (Sources/Simulator) — a ComfyUI server on loopback, for tests, benchmarks, demos.
//   ComfyDashboard (Sources/Dashboard) — the web front end: one page served from this process,
//                                        fed over a WebSocket, with /metrics.
//   ComfyShell     (Sources/Shell)     — the command-line front end, as a library so it is testable.
//   comfysh                            — the executable: the entry point only.
//   Bench                              — the `comfysh-bench` executable: measured figures.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Release builds of `comfysh` on Linux carry the Swift runtime and Foundation inside the
/// binary (`-static-stdlib`) instead of loading them: the process starts without
/// resolving the symbols of ten shared libraries and without their relocated pages —
/// an empty `comfysh replay` took 12–14 ms of CPU and 26.5 MiB, statically 8 ms and
/// 21.6 MiB (docs/performance.md, "Replay"). The static Foundation needs its own
/// libraries named (objects compiled against the shared Foundation module do not list
/// them), grouped so their order does not matter. Debug builds and tests (which link
/// the `comfysh` module into test binaries with the shared runtime of XCTest and
/// swift-testing) are unaffected.
let staticSwiftRuntime: [String] = ["-static-stdlib", "-Xlinker", "--start-group"]
    + [
        "Foundation", "CoreFoundation", "FoundationEssentials", "FoundationInternationalization", "_FoundationICU",
        "_FoundationCShims", "_FoundationCollections", "swiftDispatch", "dispatch", "BlocksRuntime", "swiftCore",
        "swift_Concurrency", "swiftSynchronization", "swift_StringProcessing", "swift_RegexParser", "swiftGlibc",
    ].flatMap { ["-Xlinker", "-l\($0)"] } + ["-Xlinker", "--end-group"]

let package = Package(
    name: "comfysh",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ComfyCore", targets: ["ComfyCore"]),
        .library(name: "ComfyLive", targets: ["ComfyLive"]),
        .library(name: "ComfySimulator", targets: ["ComfySimulator"]),
        .executable(name: "comfysh", targets: ["comfysh"]),
        .executable(name: "comfysh-bench", targets: ["Bench"]),
        .executable(name: "miniwatch", targets: ["MiniWatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/pointfreeco/swift-custom-dump", from: "1.7.3"),
        .package(url: "https://github.com/pointfreeco/xctest-dynamic-overlay", from: "1.13.1"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // comfysh-bench's latency percentiles (HdrHistogram).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The dashboard's /metrics.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "ComfyCore",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                // The prompt table (`PromptTable`): versions that share storage.
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Store",
            swiftSettings: strict
        ),
        .target(
            name: "ComfyLive",
            dependencies: [
                "ComfyCore",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The job store (SQLite) and the fleet's servers.toml.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            path: "Sources/Effects",
            swiftSettings: strict
        ),
        // A ComfyUI server on loopback that speaks the protocol as the recordings show:
        // used by the tests, the benchmarks and `comfysh --demo`.
        .target(
            name: "ComfySimulator",
            dependencies: [
                "ComfyCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Simulator",
            swiftSettings: strict
        ),
        // The chaos run (issue 6): the real client against the simulator under random
        // faults, judged against the simulator's record. Used by a test and the benchmark.
        .target(
            name: "ComfyChaos",
            dependencies: ["ComfyCore", "ComfyLive", "ComfySimulator"],
            path: "Sources/Chaos",
            swiftSettings: strict
        ),
        // The web dashboard (issue 12): a Hummingbird server in the comfysh process, the page's
        // files embedded in the binary by SwiftPM at build time (`.embedInCode`: no copy in
        // the repository, nothing beside the binary).
        .target(
            name: "ComfyDashboard",
            dependencies: [
                "ComfyCore", "ComfyLive", "ComfySimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Dashboard",
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/dashboard.css"), .embedInCode("Page/dashboard.js")],
            swiftSettings: strict
        ),
        .target(
            name: "ComfyShell",
            dependencies: [
                "ComfyCore", "ComfyLive", "ComfySimulator", "ComfyDashboard", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Shell",
            swiftSettings: strict
        ),
        // libedit, through its readline-compatible API (Debian: libedit-dev).
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(
            name: "comfysh",
            dependencies: ["ComfyShell", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(staticSwiftRuntime, .when(platforms: [.linux], configuration: .release))]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "ComfyCore", "ComfyLive", "ComfySimulator", "ComfyChaos", "ComfyDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "WSClient", package: "swift-websocket"),
                // The flood server: a bare NIO WebSocket server that writes prepared frames
                // as fast as the socket takes them (Hummingbird flushes every frame).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        // "A front end in 50 lines" (the ComfyCore documentation's article): a watcher that
        // uses only the public API. Built with everything else; ShellTests runs it.
        .executableTarget(
            name: "MiniWatch",
            dependencies: ["ComfyCore", "ComfyLive"],
            path: "Examples/MiniWatch",
            swiftSettings: strict
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "ComfyCore", "ComfyLive",
                .product(name: "CustomDump", package: "swift-custom-dump"),
                .product(name: "IssueReportingTestSupport", package: "xctest-dynamic-overlay"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EffectsTests",
            dependencies: [
                "ComfyCore", "ComfyLive", "ComfySimulator", "ComfyChaos",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "ComfyCore", "ComfyLive", "ComfySimulator",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShellTests",
            // The executable is a dependency so that `swift test` builds the binary these
            // end-to-end tests run as a subprocess.
            dependencies: ["ComfyShell", "ComfyCore", "ComfyLive", "ComfySimulator", "ComfyChaos", "comfysh", "MiniWatch"],
            exclude: ["PTY/pty_driver.py"],
            swiftSettings: strict
        ),
        // The dashboard: its feed and security, the page in headless Chromium over the
        // DevTools protocol (skipped, saying so, when no chromium is installed).
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "ComfyDashboard", "ComfyCore", "ComfyLive", "ComfySimulator", "comfysh",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
