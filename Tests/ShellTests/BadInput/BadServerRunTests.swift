import Foundation
import ComfySimulator
import ComfyCore
import ComfyLive
import Testing

@testable import ComfyShell

/// `comfysh run` against a server that rejects, half-accepts, fails, refuses us or is not
/// ComfyUI at all: the exact line the user sees and the exit status scripts rely on.
/// `docs/reliability.md` lists them.
@Suite(.timeLimit(.minutes(1))) struct BadServerRunTests {
    func run(_ arguments: [String], folder: TestFolder) async throws -> (stderr: String, stdout: [String], status: Int32) {
        let process = try Subprocess(["run"] + arguments, environment: folder.environment)
        let (lines, status) = await process.finish()
        return (process.stderr, lines, status)
    }

    /// The human lines without the 8-character prompt id (random per run).
    func withoutIDs(_ lines: [String]) -> [String] {
        lines.map { $0.replacingOccurrences(of: #"^([✘✔▸·]?\s*)[0-9a-f]{8} "#, with: "$1", options: .regularExpression) }
    }

    @Test func anUnknownNodeClassIsRejectedWithTheNodeNamedAndExit2() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        let (_, lines, status) = try await run([try folder.workflow("unknown.json", middle: "NoSuchNode"), "--server", simulator.baseURL], folder: folder)
        await simulator.stop()
        #expect(status == 2)
        // The server's catalogue is known before anything is sent: refused at once, here.
        #expect(withoutIDs(lines) == [
            "✘ unknown.json: no server in the fleet can run it: \(simulator.baseURL.dropFirst("http://".count)): no node class NoSuchNode",
            "  node 2 (NoSuchNode): missing_node_type: no server has this node class",
            "✘ 1 prompt(s): 1 rejected",
        ])
    }

    @Test func a400ShowsEachNodeAndInputAndExits2() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        let (_, lines, status) = try await run([try folder.workflow("invalid.json", steps: -3), "--server", simulator.baseURL], folder: folder)
        await simulator.stop()
        #expect(status == 2)
        #expect(withoutIDs(lines) == [
            "✘ invalid.json: rejected by the server (400 prompt_outputs_failed_validation): Prompt outputs failed validation",
            "  node 2 (TestProgressLoop): steps: value_smaller_than_min: Value -3 smaller than min of 1",
            "✘ 1 prompt(s): 1 rejected",
        ])
        #expect(await simulator.queueRemaining == 0)
    }

    /// A 200 with `node_errors`: the server runs what passed and drops the rest. The run
    /// succeeds (exit 0), the dropped part is shown, and the summary keeps it.
    @Test func a200WithNodeErrorsRunsShowsWhatWasDroppedAndExits0() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        let partial = try folder.workflow("partial.json", extra: #""4": {"class_type": "SaveImage", "inputs": {"filename_prefix": "lost"}}"#)
        let (_, human, humanStatus) = try await run([partial, "--server", simulator.baseURL], folder: folder)
        #expect(humanStatus == 0)
        // Under the `queued` line, or on its own when the prompt's first events came before
        // the POST's answer (the worker can be that quick).
        let dropped = "dropped by the server: node 4 (SaveImage): images: required_input_missing: Required input is missing"
        #expect(withoutIDs(human).contains { $0 == "  ! " + dropped || $0.hasSuffix(" partial.json: " + dropped) }, "\(human)")
        #expect(human.last == "✔ 1 prompt(s): 1 succeeded")

        let (_, json, jsonStatus) = try await run([partial, "--server", simulator.baseURL, "--json"], folder: folder)
        await simulator.stop()
        #expect(jsonStatus == 0)
        let summary = try #require(json.last.flatMap { try? JSONValue.parse($0) })
        let prompt = try #require(summary["prompts"]?.arrayValue?.first)
        #expect(prompt["status"] == "succeeded")
        #expect(prompt["warnings"]?.arrayValue?.map { $0["node_id"] } == ["4"])
        #expect(prompt["warnings"]?.arrayValue?.first?["errors"]?.arrayValue?.first?["input_name"] == "images")
    }

    /// A 500 on `POST /prompt`: the server failed, and (asked by our prompt id) does not
    /// hold the prompt. Not the user's input: exit 1.
    @Test func a500OnSubmitIsAServerErrorAndExits1() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        await simulator.setAnswer(.serverError, for: "POST", "/prompt")
        let (_, lines, status) = try await run([try folder.workflow("ok.json"), "--server", simulator.baseURL], folder: folder)
        let (_, json, _) = try await run([try folder.workflow("ok2.json"), "--server", simulator.baseURL, "--json"], folder: folder)
        await simulator.stop()
        #expect(status == 1)
        #expect(withoutIDs(lines) == [
            "✘ ok.json: the server failed on the submission (HTTP 500: 500 Internal Server Error — Server got itself in trouble); it does not hold the prompt",
            "✘ 1 prompt(s): 1 server_error",
        ])
        let summary = try #require(json.last.flatMap { try? JSONValue.parse($0) })
        #expect(summary["status"] == "server_error")
        #expect(summary["prompts"]?.arrayValue?.first?["rejection"]?["status"] == 500)
    }

    /// The prompt finishes while we are away, and the history entry that should tell how
    /// has no `status`: it ends `ended` (not `lost`, not guessed), its outputs kept, exit 1.
    @Test func aHistoryEntryWithoutStatusEndsThePromptUnsettledAndExits1() async throws {
        let folder = try TestFolder()
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(30)))
        try await simulator.start()
        await simulator.setHistoryOmitting(["status"])
        let process = try Subprocess(["run", try folder.workflow("away.json", steps: 10), "--server", simulator.baseURL, "--json"],
                                     environment: folder.environment)
        var lines: [String] = []
        var away = false
        for await line in process.lines {
            lines.append(line)
            if !away, (try? JSONValue.parse(line))?["event"] == "progress" {
                // Away until the prompt has finished and gone to history.
                await simulator.setRefusing(status: 503)
                await simulator.dropAllConnections()
                away = true
                await simulator.advance(steps: 0)
                await simulator.setRefusing(status: nil)
            }
        }
        let status = await process.status()
        await simulator.stop()
        #expect(status == 1, "\(process.stderr)")
        let events = lines.compactMap { try? JSONValue.parse($0) }
        // Perhaps `ended` first (the queue no longer lists it), then settled by history.
        let ended = try #require(events.last { $0["event"] == "ended" })
        #expect(ended["from_history"] == true)
        let summary = try #require(events.last)
        #expect(summary["status"] == "ended")
        #expect(summary["outputs"]?["3"]?["images"]?.arrayValue?.count == 1)
        var record = PromptRecord(id: ended["prompt_id"]?.stringValue ?? "", status: .ended, owner: .ours, seen: 1)
        record.fromHistory = true
        #expect(EventText.line(.finished(record), names: [:])?.hasSuffix(": ended, but the server's history does not say how") == true)
    }

    @Test func aServerThatRefusesTheCredentialsExits2() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        await simulator.setRefusing(status: 401)
        let (stderr, stdout, status) = try await run([try folder.workflow("ok.json"), "--server", simulator.baseURL], folder: folder)
        await simulator.stop()
        #expect(status == 2)
        #expect(stderr == "comfysh run: \(simulator.baseURL) refused the request (HTTP 401): check --header or $COMFY_TOKEN\n")
        #expect(stdout.isEmpty)
    }

    /// A resumed run whose job store has a job on a server that now refuses us (401): that
    /// server is given up for good, so it is lost at once and the job runs on another under
    /// the same id — the run does not wait forever for a job nobody can follow.
    @Test func aResumedJobOnAServerThatNowRefusesUsRunsElsewhere() async throws {
        let folder = try TestFolder()
        let (refusing, good) = (try await TestFolder.simulator(), try await TestFolder.simulator())
        await refusing.setRefusing(status: 401)
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        let id = Workflow.newPromptID()
        let graph = try JSONValue.parse(Array(try String(contentsOfFile: try folder.workflow("job.json"), encoding: .utf8).utf8))
        let body = JSONValue.object([JSONField("prompt", graph), JSONField("client_id", "someone-before"), JSONField("prompt_id", .string(id))])
        let now = Date().timeIntervalSince1970
        try await SQLiteJobStore(path: store).save([
            JobRow(id: id, status: .queued, server: "b", sentTo: ["b"], workflow: body, label: "job.json", accepted: true, submittedAt: now, updatedAt: now)
        ])
        let (stderr, stdout, status) = try await run(
            ["--resume", "--server", "a=\(good.baseURL)", "--server", "b=\(refusing.baseURL)", "--jobs", store, "--json"], folder: folder)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("b: \(refusing.baseURL) refused the request (HTTP 401)"))
        #expect(stdout.last.flatMap { try? JSONValue.parse(Array($0.utf8)) }?["status"] == "succeeded")
        #expect(await good.completedRuns[id]?.count == 1)
        #expect(await refusing.completedRuns[id] == nil)
        await good.stop()
        await refusing.stop()
    }

    /// Something else answers HTTP on the port: whichever of `/system_stats` and the
    /// WebSocket upgrade gives it away is named, at once (no waiting out the timeout), exit 3.
    @Test func aServerThatIsNotComfyUISaysSoAndExits3() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        let workflow = try folder.workflow("ok.json")
        let server = simulator.baseURL
        // A long timeout: these must not wait for it.
        let options = ["--server", server, "--connect-timeout", "50"]
        var results: [(String, Int32)] = []
        func attempt() async throws {
            let (stderr, _, status) = try await run([workflow] + options, folder: folder)
            results.append((stderr, status))
        }
        await simulator.setAnswer(.webPage(status: 404), for: "GET", "/system_stats")
        try await attempt()
        await simulator.setAnswer(.webPage(), for: "GET", "/system_stats")
        try await attempt()
        await simulator.setAnswer(nil, for: "GET", "/system_stats")
        await simulator.setRefusingUpgrades(true)
        await simulator.setAnswer(.webPage(), for: "GET", "/prompt")
        try await attempt()
        await simulator.setAnswer(nil, for: "GET", "/prompt")
        try await attempt()
        await simulator.stop()
        #expect(results.map(\.1) == [3, 3, 3, 3])
        #expect(results.map(\.0) == [
            "comfysh run: \(server) answers HTTP but is not a ComfyUI server (GET /system_stats → 404)\n",
            "comfysh run: \(server) answers HTTP but is not a ComfyUI server (GET /system_stats → 200, not ComfyUI's system stats)\n",
            "comfysh run: \(server) answers HTTP but refused the WebSocket upgrade at /ws and GET /prompt → 200: not a ComfyUI server\n",
            "comfysh run: \(server) answers HTTP but refused the WebSocket upgrade at /ws though GET /prompt answers as ComfyUI (a proxy that does not pass WebSockets through?)\n",
        ])
    }

    /// A 503 (ComfyUI starting, a proxy whose server is down) is no verdict on what the
    /// server is: alone, it cannot be reached (exit 3); in a fleet, the others go on and
    /// it is tried again.
    @Test func aServerAnswering503IsUnavailableNotSomethingElse() async throws {
        let folder = try TestFolder()
        let (down, up) = (try await TestFolder.simulator(), try await TestFolder.simulator())
        let workflow = try folder.workflow("ok.json")
        await down.setAnswer(CannedAnswer(status: 503, body: "503 Service Unavailable"), for: "GET", "/system_stats")
        let (alone, _, aloneStatus) = try await run([workflow, "--server", down.baseURL, "--connect-timeout", "50"], folder: folder)
        #expect(aloneStatus == 3)
        #expect(alone == "comfysh run: \(down.baseURL) is unavailable for now (GET /system_stats → 503): starting, or behind a proxy whose server is down?\n")
        let (fleet, _, fleetStatus) = try await run(
            [workflow, "--server", "down=\(down.baseURL)", "--server", "up=\(up.baseURL)", "--connect-timeout", "5"], folder: folder)
        #expect(fleetStatus == 0)
        #expect(fleet.hasPrefix("comfysh run: down: \(down.baseURL) is unavailable for now (GET /system_stats → 503)"))
        // Tried again in the background: it may well have taken the job (only its
        // /system_stats answers 503 here). Once, either way.
        #expect(await up.completedRuns.count + down.completedRuns.count == 1)
        await down.stop()
        await up.stop()
    }

    /// A server that refuses the upgrade while `GET /prompt` answers 503 is unavailable for
    /// now, not "not ComfyUI": in a fleet it is tried again in the background, as one that
    /// does not answer. (Given up for good, the jobs a resumed run had on it were never
    /// followed to their end: `comfysh-bench chaos --fleet`.)
    @Test func anUpgradeRefusedWhileTheServerSays503IsTriedAgain() async throws {
        let folder = try TestFolder()
        let (down, up) = (try await TestFolder.simulator(), try await TestFolder.simulator())
        await down.setRefusingUpgrades(true)
        await down.setAnswer(CannedAnswer(status: 503, body: "503 Service Unavailable"), for: "GET", "/prompt")
        let (stderr, _, status) = try await run(
            [try folder.workflow("ok.json"), "--server", "down=\(down.baseURL)", "--server", "up=\(up.baseURL)", "--connect-timeout", "5"],
            folder: folder)
        // (5 s, not 1: under a loaded machine's full test run, `up` itself once took over
        // a second to connect, and the run then had no server.)
        #expect(status == 0)
        #expect(stderr == "comfysh run: down: \(down.baseURL) did not accept a WebSocket within 5 s "
            + "(last attempt: refused the WebSocket upgrade at /ws and GET /prompt → 503: unavailable for now) (the other servers go on)\n")
        #expect(await up.completedRuns.count == 1)
        await down.stop()
        await up.stop()
    }

    /// The shell connecting to the same kind of server says what the last attempt met, and
    /// keeps trying in the background (a proxy in front of a restarting ComfyUI looks so too).
    @Test func theShellSaysWhyAServerDoesNotAnswerAsComfyUI() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        await simulator.setRefusingUpgrades(true)
        let shell = try Subprocess(["--server", simulator.baseURL], environment: folder.environment, stdin: "quit\n")
        let (lines, status) = await shell.finish()
        await simulator.stop()
        #expect(status == 0)
        #expect(lines.contains("✘ \(simulator.baseURL) does not answer yet (refused the WebSocket upgrade at /ws though GET /prompt answers as ComfyUI (a proxy that does not pass WebSockets through?)); still trying in the background"), "\(lines)")
    }

    /// `https` is TLS or nothing. A plain-HTTP server that answers the handshake (as
    /// aiohttp does, with a 400) is named as such, exit 3.
    @Test func httpsToAPlainHTTPServerIsATLSFailure() async throws {
        let (folder, plain) = (try TestFolder(), try PlainHTTPServer())
        let secure = "https://127.0.0.1:\(plain.port)"
        let (stderr, stdout, status) = try await run([try folder.workflow("ok.json"), "--server", secure, "--connect-timeout", "5"], folder: folder)
        plain.stop()
        #expect(status == 3)
        #expect(stderr == "comfysh run: cannot reach \(secure): TLS handshake failed: the server does not speak TLS (is it plain http://?) (waited up to 5 s)\n")
        #expect(stdout.isEmpty)
    }

    /// …and one that never answers the handshake (the simulator) times out; either way it is
    /// never asked over plain HTTP, which it would have answered.
    @Test func httpsIsNeverDowngradedToHTTP() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        await simulator.setRecordingHeaders(["x-probe"])
        let secure = "https://127.0.0.1:\(simulator.port)"
        let (stderr, _, status) = try await run([try folder.workflow("ok.json"), "--server", secure, "--connect-timeout", "1", "--header", "X-Probe: 1"],
                                                folder: folder)
        let requests = await simulator.receivedHeaders
        await simulator.stop()
        #expect(status == 3)
        #expect(stderr == "comfysh run: cannot reach \(secure): timed out (waited up to 1 s)\n")
        #expect(requests.isEmpty)
    }
}
