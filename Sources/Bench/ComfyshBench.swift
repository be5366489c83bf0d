import ArgumentParser

/// `comfysh-bench`: measured figures, never test assertions.
///
/// Each benchmark is a subcommand so later ones (`chaos`, …) slot in beside `decode`
/// without changing how the existing ones are invoked; `decode` is the default so a bare
/// `comfysh-bench` still does the useful thing.
@main
struct ComfyshBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comfysh-bench",
        abstract: "Benchmarks for comfysh's protocol decoder, reducers and connection.",
        discussion: """
            Figures are throughput on one core, single-threaded, over the recorded \
            ComfyUI transcripts. Run from the package root so the default fixture and \
            script paths resolve, and build in release mode:
              swift build -c release --scratch-path .build-bench --product comfysh-bench
              .build-bench/release/comfysh-bench decode --json
            """,
        subcommands: [DecodeCommand.self, ConnectionCommand.self, DrillCommand.self, ChaosCommand.self],
        defaultSubcommand: DecodeCommand.self
    )
}
