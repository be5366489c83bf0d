// swift-tools-version: 6.2
// comfysh: a Swift client core and command-line shell for ComfyUI's real-time API.
//
// The targets are the layers (see docs/architecture.md):
//   Store   — pure: state, actions, reducers, the protocol decoder. No I/O, no clock.
//   Effects — everything with I/O (transcripts today; socket and HTTP next).
//   Shell   — the command-line front end, as a library so it is testable.
//   comfysh — the executable: main.swift only.
//   Bench   — the `comfysh-bench` executable: measured figures, never test assertions.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "comfysh",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Effects", targets: ["Effects"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .executable(name: "comfysh", targets: ["comfysh"]),
        .executable(name: "comfysh-bench", targets: ["Bench"]),
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
    ],
    targets: [
        .target(
            name: "Store",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strict
        ),
        .target(
            name: "Effects",
            dependencies: [
                "Store",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        // A ComfyUI server on loopback that speaks the protocol as the recordings show:
        // used by the tests, the benchmarks and `comfysh --demo`.
        .target(
            name: "Simulator",
            dependencies: [
                "Store",
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
            swiftSettings: strict
        ),
        // The chaos run (issue 6): the real client against the simulator under random
        // faults, judged against the simulator's record. Used by a test and the benchmark.
        .target(
            name: "Chaos",
            dependencies: ["Store", "Effects", "Simulator"],
            swiftSettings: strict
        ),
        .target(
            name: "Shell",
            dependencies: [
                "Store", "Effects", "Simulator", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // libedit, through its readline-compatible API (Debian: libedit-dev).
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(
            name: "comfysh",
            dependencies: ["Shell", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Store", "Effects", "Simulator", "Chaos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The flood server: a bare NIO WebSocket server that writes prepared frames
                // as fast as the socket takes them (Hummingbird flushes every frame).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "Effects",
                .product(name: "CustomDump", package: "swift-custom-dump"),
                .product(name: "IssueReportingTestSupport", package: "xctest-dynamic-overlay"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EffectsTests",
            dependencies: [
                "Store", "Effects", "Simulator", "Chaos",
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
                "Store", "Effects", "Simulator",
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
            dependencies: ["Shell", "Store", "Effects", "Simulator", "comfysh"],
            exclude: ["PTY/pty_driver.py"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
