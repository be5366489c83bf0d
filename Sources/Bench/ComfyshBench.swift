import ArgumentParser

/// `comfysh-bench`: measured figures, never test assertions.
///
/// Each benchmark is a subcommand, so each can be run (and tuned) alone; `all`, the
/// default, runs every figure of the benchmark issue in one go, so a bare
/// `comfysh-bench --json` prints them all.
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
              .build-bench/release/comfysh-bench --json      # everything (all)
              .build-bench/release/comfysh-bench decode --json
            """,
        subcommands: [
            AllCommand.self, DecodeCommand.self, DispatchCommand.self, StreamCommand.self, ReplayBenchCommand.self,
            MemoryCommand.self, ConnectionCommand.self, DrillCommand.self, ChaosCommand.self, ConvertAllCommand.self, FleetCommand.self,
            DashboardBenchCommand.self, EtaCommand.self, PagesCommand.self,
        ],
        defaultSubcommand: AllCommand.self
    )
}
