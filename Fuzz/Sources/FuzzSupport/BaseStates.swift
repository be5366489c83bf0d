import ComfyLive
import Foundation
import ComfyCore

/// States to reduce a fuzzed frame into. An empty state alone would leave most of the
/// reducer unreached (no prompt runs, no node is known), so there is also a state in the
/// middle of a real run: `success_progress` replayed through half of its lines (a prompt
/// of ours running at step 5 of 10, with nodes, progress and previews).
public enum BaseStates {
    /// Tests/Fixtures/comfyui in the checkout these sources were built from.
    public static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/comfyui")

    public static let empty = AppState()

    /// Built once, on first use (before the first input is timed).
    public static let midRun: (state: AppState, lastAt: Timestamp) = {
        let path = fixtures.appendingPathComponent("success_progress.jsonl").path
        let entries: [(line: Int, entry: TranscriptEntry)]
        do { entries = try TranscriptReader.read(path: path) } catch {
            // A missing fixture would make the fuzzer quietly weaker: refuse to run.
            FileHandle.standardError.write(Data("fuzz: cannot read \(path): \(error)\n".utf8))
            exit(2)
        }
        var state = AppState()
        let half = Array(entries.prefix(entries.count / 2))
        TranscriptActions.replay(half, into: &state)
        return (state, Timestamp(seconds: half.map(\.entry.t).max() ?? 0))
    }()
}
