// swift-tools-version: 6.2
// libFuzzer targets for comfysh's decoders and transcript reader (docs/reliability.md,
// "Fuzzing"). A package of its own, so the main package's `swift build` / `swift test`
// never see it.
//
// The code under test is the main package's, not a copy: `Sources/Store` and
// `Sources/Effects/Transcript` here are symlinks to `../Sources/Store` and
// `../Sources/Effects/Transcript`. Depending on the root package instead
// (`.package(path: "..")`) would build all of `Effects` — NIO, NIOSSL's BoringSSL,
// AsyncHTTPClient — under the fuzzer and address sanitizers, for code the fuzzers never
// reach; the symlinks build only the pure core and the transcript reader.
//
// Build and run: `Fuzz/run.sh decoder 600` (see run.sh for the flags).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "comfysh-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
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
        // Only the transcript reader of ../Sources/Effects (Effects/Transcript is a
        // symlink): the same module name, so the code and the fuzzers read as in the
        // main package (`import ComfyLive`).
        .target(name: "ComfyLive", dependencies: ["ComfyCore"], path: "Sources/Effects", swiftSettings: strict),
        // What both fuzzers do with an action: what a front end does with it.
        .target(name: "FuzzSupport", dependencies: ["ComfyCore", "ComfyLive"], swiftSettings: strict),
        // libFuzzer's driver entry point, declared for Swift (see its header for why).
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "DecoderFuzzer", dependencies: ["ComfyCore", "FuzzSupport", "CLibFuzzer"], swiftSettings: strict),
        .executableTarget(
            name: "TranscriptFuzzer", dependencies: ["ComfyCore", "ComfyLive", "FuzzSupport", "CLibFuzzer"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
