import Foundation
import ComfySimulator
import ComfyCore
import Testing

/// `comfysh run` end to end: the real binary against the simulator, through the cases the
/// issue names — a normal run, a failing node, a rejected prompt, a broken file, an
/// unreachable server, a connection dropped mid-run and one frozen mid-run.
@Suite(.timeLimit(.minutes(1)), .serialized) struct RunCommandTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-run-\(UUID().uuidString)")

    func workflowFile(_ name: String, middle: String = "TestProgressLoop", steps: Int = 5) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let inputs =
            middle == "TestFail"
            ? #"{"image": ["1", 0], "message": "deliberate failure", "steps_before_fail": 1, "seed": 1}"#
            : #"{"image": ["1", 0], "steps": \#(steps), "delay": 0.01, "preview": true, "preview_size": 16, "progress_text": false, "seed": \#(Int.random(in: 0..<1_000_000_000))}"#
        let text = #"""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 0}, "_meta": {"title": "Empty Image"}},
             "2": {"class_type": "\#(middle)", "inputs": \#(inputs), "_meta": {"title": "Middle"}},
             "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "comfy_test/run"}, "_meta": {"title": "Save Image"}}}
            """#
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func events(_ lines: [String]) -> [JSONValue] { lines.compactMap { try? JSONValue.parse($0) } }

    func simulator(stepDelay: Duration = .milliseconds(5)) async throws -> ComfyUISimulator {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: stepDelay))
        try await simulator.start()
        return simulator
    }

    @Test func aNormalRunSucceedsDownloadsItsOutputsAndExits0() async throws {
        let simulator = try await simulator()
        let out = dir.appendingPathComponent("out")
        let run = try Subprocess(["run", try workflowFile("ok.json"), "--server", simulator.baseURL, "--json", "--out", out.path])
        let (lines, status) = await run.finish()
        await simulator.stop()
        #expect(status == 0, "\(run.stderr)")
        let summary = try #require(events(lines).last)
        #expect(summary["status"] == "succeeded")
        let id = try #require(summary["prompt_id"]?.stringValue)
        #expect(summary["prompts"]?.arrayValue?.first?["status"] == "succeeded")
        #expect(summary["outputs"]?["3"]?["images"]?.arrayValue?.count == 1)
        let kinds = events(lines).compactMap { $0["event"]?.stringValue }
        #expect(kinds.contains("accepted") && kinds.contains("running") && kinds.contains("progress") && kinds.contains("succeeded"), "\(lines)")
        #expect(kinds.contains("downloaded"))
        #expect(await simulator.executionCount(of: id) == 1)
        let saved = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }
        #expect(saved.count == 1)
    }

    @Test func twoWorkflowsBothRunAndTheSummaryListsBoth() async throws {
        let simulator = try await simulator()
        let run = try Subprocess(["run", try workflowFile("a.json"), try workflowFile("b.json"), "--server", simulator.baseURL, "--json"])
        let (lines, status) = await run.finish()
        await simulator.stop()
        #expect(status == 0)
        let summary = try #require(events(lines).last)
        #expect(summary["prompts"]?.arrayValue?.map { $0["status"] } == ["succeeded", "succeeded"])
        #expect(summary["prompt_id"] == nil)
    }

    @Test func aFailingNodeExits1WithTheError() async throws {
        let simulator = try await simulator()
        let run = try Subprocess(["run", try workflowFile("fail.json", middle: "TestFail"), "--server", simulator.baseURL])
        let (lines, status) = await run.finish()
        await simulator.stop()
        #expect(status == 1)
        #expect(lines.contains { $0.contains("failed at node 2 (TestFail): RuntimeError: deliberate failure") })
        #expect(lines.last == "✘ 1 prompt(s): 1 failed")
    }

    @Test func aRejectedPromptExits2AndPrintsItsErrorsPerNode() async throws {
        let simulator = try await simulator()
        let run = try Subprocess(["run", try workflowFile("bad.json", middle: "NoSuchNode"), "--server", simulator.baseURL])
        let (lines, status) = await run.finish()
        await simulator.stop()
        #expect(status == 2)
        #expect(lines.contains { $0.hasSuffix(": no node class NoSuchNode") })
        #expect(lines.contains("  node 2 (NoSuchNode): missing_node_type: no server has this node class"))
        #expect(lines.last == "✘ 1 prompt(s): 1 rejected")
    }

    @Test func aBrokenFileExits2BeforeConnecting() async throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("broken.json")
        try Data("{\"1\": ".utf8).write(to: file)
        let run = try Subprocess(["run", file.path, "--server", "http://127.0.0.1:1"])
        let (_, status) = await run.finish()
        #expect(status == 2)
        #expect(run.stderr.hasPrefix("comfysh run: \(file.path): not JSON"))
    }

    @Test func anUnreachableServerExits3() async throws {
        let run = try Subprocess(["run", try workflowFile("ok.json"), "--server", "http://127.0.0.1:1", "--connect-timeout", "2"])
        let (_, status) = await run.finish()
        #expect(status == 3)
        #expect(run.stderr == "comfysh run: cannot reach http://127.0.0.1:1: connection refused (waited up to 2 s)\n")
    }

    @Test func aConnectionDroppedMidRunStillSucceedsAndRunsOnce() async throws {
        let simulator = try await simulator(stepDelay: .milliseconds(40))
        let run = try Subprocess(["run", try workflowFile("drop.json", steps: 15), "--server", simulator.baseURL, "--json"])
        var lines: [String] = []
        var cut = false
        for await line in run.lines {
            lines.append(line)
            let event = try? JSONValue.parse(line)
            if !cut, event?["event"] == "progress" {
                // Drop the connection, and keep the door shut until the client is retrying.
                await simulator.setRefusing(status: 503)
                await simulator.dropAllConnections()
                cut = true
            } else if cut, event?["event"] == "connection", event?["phase"] == "reconnecting" {
                await simulator.setRefusing(status: nil)
            }
        }
        let status = await run.status()
        #expect(status == 0, "\(run.stderr)")
        let summary = try #require(events(lines).last)
        #expect(summary["status"] == "succeeded")
        #expect(summary["outputs"]?["3"] != nil)
        let id = try #require(summary["prompt_id"]?.stringValue)
        #expect(await simulator.executionCount(of: id) == 1)
        #expect(events(lines).contains { $0["event"] == "resync" })
        await simulator.stop()
    }

    /// A server that restarts mid-run forgets its queue: the prompts it forgot are sent
    /// again under the same ids, and in the end each ran to completion exactly once.
    @Test func aServerRestartMidRunStillRunsEveryWorkflowExactlyOnce() async throws {
        let simulator = try await simulator(stepDelay: .milliseconds(30))
        let files = try (1...3).map { try workflowFile("restart\($0).json", steps: 6) }
        let run = try Subprocess(["run"] + files + ["--server", simulator.baseURL, "--json"])
        var lines: [String] = []
        var restarted = false
        for await line in run.lines {
            lines.append(line)
            if !restarted, (try? JSONValue.parse(line))?["event"] == "progress" {
                await simulator.restart()
                restarted = true
            }
        }
        #expect(await run.status() == 0, "\(run.stderr)")
        let summary = try #require(events(lines).last)
        let prompts = try #require(summary["prompts"]?.arrayValue)
        #expect(prompts.map { $0["status"] } == ["succeeded", "succeeded", "succeeded"])
        #expect(events(lines).contains { $0["event"] == "resubmitted" })
        let ledger = await simulator.completedRuns
        for prompt in prompts {
            let id = try #require(prompt["prompt_id"]?.stringValue)
            #expect(ledger[id]?.count == 1, "\(id) ran to completion \(ledger[id]?.count ?? 0) times")
        }
        await simulator.stop()
    }

    @Test func withoutResubmissionAForgottenPromptIsReportedLost() async throws {
        let simulator = try await simulator(stepDelay: .milliseconds(30))
        let run = try Subprocess(["run", try workflowFile("lost.json", steps: 6), "--server", simulator.baseURL, "--no-resubmit"])
        var lines: [String] = []
        var restarted = false
        for await line in run.lines {
            lines.append(line)
            if !restarted, line.contains("%") {
                await simulator.restart()
                restarted = true
            }
        }
        #expect(await run.status() == 1)
        #expect(lines.contains { $0.hasSuffix(": lost: the server no longer knows it (restarted?)") })
        #expect(lines.last == "✘ 1 prompt(s): 1 lost")
        await simulator.stop()
    }

    @Test func aConnectionFrozenMidRunIsFoundAndStillSucceeds() async throws {
        let simulator = try await simulator(stepDelay: .milliseconds(40))
        let run = try Subprocess(["run", try workflowFile("freeze.json", steps: 15), "--server", simulator.baseURL, "--json",
                                  "--heartbeat", "0.2"])
        var lines: [String] = []
        var frozen = false
        for await line in run.lines {
            lines.append(line)
            let event = try? JSONValue.parse(line)
            if !frozen, event?["event"] == "progress" {
                await simulator.setStalled(true)
                frozen = true
            } else if frozen, event?["event"] == "connection", event?["phase"] == "disconnected" {
                #expect(event?["reason"]?.stringValue?.contains("dead peer") == true)
                await simulator.setStalled(false)
            }
        }
        let status = await run.status()
        #expect(status == 0, "\(run.stderr)")
        let summary = try #require(events(lines).last)
        #expect(summary["status"] == "succeeded")
        let id = try #require(summary["prompt_id"]?.stringValue)
        #expect(await simulator.executionCount(of: id) == 1)
        await simulator.stop()
    }

    @Test func headerValuesNeverReachTheOutput() async throws {
        let simulator = try await simulator()
        let run = try Subprocess(["run", try workflowFile("secret.json"), "--server", simulator.baseURL, "--json",
                                  "--header", "Authorization: Bearer PLANTED-SECRET-42"], environment: ["COMFY_TOKEN": "PLANTED-TOKEN-43"])
        let (lines, status) = await run.finish()
        await simulator.stop()
        #expect(status == 0)
        let everything = lines.joined(separator: "\n") + run.stderr
        #expect(!everything.contains("PLANTED-SECRET-42"))
        #expect(!everything.contains("PLANTED-TOKEN-43"))
    }
}
