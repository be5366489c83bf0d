import ComfyLive
import ArgumentParser
import Foundation
import ComfyCore

/// `comfysh-bench memory`: resident memory of the client's state over a long session.
///
/// * `preview_*`: 1 MiB binary preview frames at 30 per second, streamed by the flood
///   server to the real client stack (`ComfyClient` into its store) for `--preview-seconds`;
///   resident memory is sampled every 20 ms. The reducer keeps only a preview's size and
///   identity, never its bytes, so RSS should stay flat.
/// * `rss_mb_after_10m`: then `--actions` actions (10 million) through `ComfyStore.dispatch`:
///   the fixture frames decoded and dispatched over and over, with fresh prompt ids each
///   pass for `--prompt-variants` passes (then the ids repeat), so the queue record grows
///   to about 12 per variant and stops; the log is a bounded ring.
///
/// Run it in a process of its own (`comfysh-bench all` does), so what other benchmarks
/// allocated is not counted.
struct MemoryCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Resident memory under a preview stream and after 10 million actions.")

    @Option(help: "Actions dispatched through the store.")
    var actions = 10_000_000

    @Option(help: "Passes with distinct prompt ids before the ids repeat.")
    var promptVariants = 1000

    @Option(help: "Seconds of 1 MiB previews at 30 per second.")
    var previewSeconds = 10.0

    @Option(help: "The folder of *.jsonl transcripts to take frames from.")
    var fixtures = "Tests/Fixtures/comfyui"

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        let set = try FrameSet.load(directory: fixtures)
        var report = Report()
        let start = ResidentMemory.currentMB

        progress("memory: 1 MiB previews at 30/s for \(previewSeconds) s through the client")
        let preview = try await PreviewStream.run(seconds: previewSeconds)
        report.add("preview_rss_start_mb", preview.startMB, .megabytes)
        report.add("preview_rss_1s_mb", preview.warmMB, .megabytes)
        report.add("preview_peak_rss_mb", preview.peakMB, .megabytes)
        report.add("preview_rss_end_mb", preview.endMB, .megabytes)
        report.add("preview_rss_growth_mb", preview.growthMB, .megabytes)
        report.add("preview_rss_growth_after_1s_mb", preview.endMB.flatMap { e in preview.warmMB.map { e - $0 } }, .megabytes)
        report.add("preview_frames", Double(preview.frames), .count)

        progress("memory: \(actions) actions through the store")
        let before = ResidentMemory.currentMB
        let long = LongSession.run(set, actions: actions, variants: promptVariants)
        report.add("rss_mb_after_10m", ResidentMemory.currentMB, .megabytes)
        report.add("rss_mb_before_10m", before, .megabytes)
        report.add("rss_mb_at_half_10m", long.halfwayMB, .megabytes)
        report.add("actions_dispatched", Double(long.actions), .count)
        report.add("actions_per_s_through_store", long.perSecond, .rate)
        report.add("prompt_records_after_10m", Double(long.state.queue.prompts.count), .count)
        report.add("log_entries_after_10m", Double(long.state.log.entries.count), .count)
        report.context = [JSONField("memory_rss_at_start_mb", start.map(JSONValue.number) ?? .null)]
        report.notes.append("")
        report.notes.append(
            "memory: \(long.actions) actions (log total \(long.state.log.total), kept \(long.state.log.entries.count)); "
                + "previews: \(preview.frames) frames of 1 MiB, RSS sampled every 20 ms")
        return report
    }
}
