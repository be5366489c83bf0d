import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Durability (issue 11, "Proof"): `comfysh run` with a job store against a fleet of two
/// simulators, killed with SIGKILL mid-run, then `comfysh run --resume` with the same job
/// store and servers: every job ends succeeded, each completed exactly once by the servers
/// (their own ledgers), none lost.
@Suite(.timeLimit(.minutes(2)), .serialized) struct FleetDurabilityTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-fleet-\(UUID().uuidString)")

    func workflowFile(_ index: Int, steps: Int) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = #"""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 0}},
             "2": {"class_type": "TestProgressLoop", "inputs": {"image": ["1", 0], "steps": \#(steps), "delay": 0.01, "preview": false, "preview_size": 16, "progress_text": false, "seed": \#(10_000 + index)}},
             "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "comfy_test/durable"}}}
            """#
        let file = dir.appendingPathComponent("job\(index).json")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    @Test func aRunKilledMidRunAndResumedCompletesEveryJobExactlyOnce() async throws {
        let a = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(30)))
        let b = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(30)))
        try await a.start()
        try await b.start()
        let jobs = dir.appendingPathComponent("jobs.sqlite").path
        // Both processes keep the same client id (the state folder), as two runs on one machine do.
        let environment = ["XDG_STATE_HOME": dir.appendingPathComponent("state").path]
        let servers = ["--server", "A=\(a.baseURL)", "--server", "B=\(b.baseURL)"]
        let files = try (0..<8).map { try workflowFile($0, steps: 10) }

        // The first run: killed once a job has finished, with others running and waiting.
        let first = try Subprocess(["run"] + files + servers + ["--jobs", jobs, "--json"], environment: environment)
        var finishedBeforeKill = 0
        for await line in first.lines {
            if (try? JSONValue.parse(line))?["event"] == "succeeded" {
                finishedBeforeKill += 1
                kill(first.process.processIdentifier, SIGKILL)
                break
            }
        }
        #expect(await first.status() == SIGKILL)  // Foundation reports the signal as the status
        #expect(first.process.terminationReason == .uncaughtSignal)
        #expect(finishedBeforeKill == 1)

        let store = try SQLiteJobStore(path: jobs, writer: false)
        let before = try await store.recent(limit: 100)
        #expect(before.count == 8, "every job is written before it is sent")
        let unfinished = before.filter { !$0.status.isTerminal }
        #expect(!unfinished.isEmpty, "the kill came after the run had ended")

        // The second run takes up the orphans: the ones on a server are followed, the rest sent.
        let second = try Subprocess(["run", "--resume"] + servers + ["--jobs", jobs, "--json"], environment: environment)
        let (lines, status) = await second.finish()
        #expect(status == 0, "\(second.stderr)\n\(lines.suffix(20).joined(separator: "\n"))")
        let summary = try #require(lines.last.flatMap { try? JSONValue.parse($0) })
        let resumed = try #require(summary["prompts"]?.arrayValue)
        #expect(Set(resumed.compactMap { $0["prompt_id"]?.stringValue }) == Set(unfinished.map(\.id)))
        #expect(resumed.allSatisfy { $0["status"] == "succeeded" })

        // Every job: succeeded in the job store, completed exactly once by the servers.
        let after = try await store.recent(limit: 100)
        #expect(after.count == 8)
        let ledgerA = await a.completedRuns
        let ledgerB = await b.completedRuns
        for row in after {
            #expect(row.status == .succeeded, "\(row.id): \(row.status) on \(row.server ?? "-") (sent to \(row.sentTo), owner \(row.owner ?? "-"))")
            let runs = (ledgerA[row.id] ?? []) + (ledgerB[row.id] ?? [])
            #expect(runs.map(\.status) == ["success"], "\(row.id) completed \(runs.count) times")
            let ranOn = ledgerA[row.id] != nil ? "A" : "B"
            #expect(row.server == ranOn)
        }
        await a.stop()
        await b.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}
