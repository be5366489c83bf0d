import ComfyCore
import ComfyLive
import Foundation
import Testing

/// The live path against a real ComfyUI server (with the weightless test nodes of
/// `../shared/comfyui-server`): run when `COMFY_E2E_URL` names one, skipped — and saying
/// so — when it does not (CI has only the simulator). Run before resolving an issue that
/// touches the live path:
///
///     COMFY_E2E_URL=http://127.0.0.1:8188 swift test --filter RealServerTests
@Suite(
    .enabled(if: RealServer.url != nil, "COMFY_E2E_URL is not set: no real ComfyUI server to test against"),
    .timeLimit(.minutes(2)), .serialized)
struct RealServerTests {
    @Test func aPromptRunsToItsEndWithEventsAndOutputs() async throws {
        let client = try await ComfyClient.open(try RealServer.configuration())
        var updates = client.updates().makeAsyncIterator()
        let id = await client.submit(RealServer.workflow(steps: 4))
        var seen: [String] = []
        while let update = await updates.next() {
            for event in update.events where event.promptID == id {
                if let name = event.json?["event"]?.stringValue, seen.last != name { seen.append(name) }
            }
            if update.state.queue.prompts[id]?.isSettled == true { break }
        }
        await client.commandsDone()
        let record = try #require(client.store.state.queue.prompts[id])
        #expect(record.status == .succeeded)
        #expect(record.owner == .ours)
        #expect(seen.first == "accepted" || seen.first == "running")
        #expect(seen.contains("progress"))
        #expect(seen.contains("succeeded"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-e2e-\(UUID().uuidString)")
        let saved = await client.download(outputsOf: id, to: folder.path)
        #expect(saved.count == 1)
        if case .saved(_, let bytes)? = saved.first { #expect(bytes > 0) } else { Issue.record("\(saved)") }
        await client.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Issue 10's observer case, live: another program submits one prompt without a client
    /// id and one under another client's id; the watcher sees both end, with their outcome.
    @Test func promptsOfOtherClientsAreFollowedToTheirEnd() async throws {
        let configuration = try RealServer.configuration()
        let client = try await ComfyClient.open(configuration)
        let other = AsyncHTTPComfyHTTP(endpoint: configuration.endpoint)
        let ids = [Workflow.newPromptID(), Workflow.newPromptID()]
        for (id, clientID) in zip(ids, [nil, "e2eother\(UUID().uuidString.prefix(8))"]) {
            var body = [JSONField("prompt", RealServer.workflow(steps: 3).graph), JSONField("prompt_id", .string(id))]
            if let clientID { body.append(JSONField("client_id", .string(clientID))) }
            #expect(await other.send(.submit(body: .object(body)), timeout: .seconds(10)).status == 200)
        }
        await other.shutdown()
        let settled = await client.store.until({ state in ids.allSatisfy { state.queue.prompts[$0]?.isSettled == true } }, within: .seconds(60))
        #expect(settled)
        for id in ids {
            #expect(client.store.state.queue.prompts[id]?.status == .succeeded)
            #expect(client.store.state.queue.prompts[id]?.owner == .observed)
        }
        await client.stop()
    }

    @Test func comfyshRunSucceedsAndExits0() async throws {
        let folder = try TestFolder()
        let path = try folder.workflow("e2e.json", steps: 3)
        let process = try Subprocess(["run", path, "--server", RealServer.url!, "--json"], environment: folder.environment)
        let (lines, status) = await process.finish()
        #expect(status == 0, "\(process.stderr)")
        let summary = try #require(lines.last.flatMap { try? JSONValue.parse($0) })
        #expect(summary["status"] == "succeeded")
    }
}

/// The editor's format and the fleet, live: an editor workflow with `--set`/`--vary`
/// converted with the real server's `/object_info`, and, when `COMFY_E2E_URL2` names a
/// second server, jobs spread over both:
///
///     COMFY_E2E_URL=http://127.0.0.1:8188 COMFY_E2E_URL2=http://127.0.0.1:8189 \
///         swift test --filter RealServer
@Suite(
    .enabled(if: RealServer.url != nil, "COMFY_E2E_URL is not set: no real ComfyUI server to test against"),
    .timeLimit(.minutes(3)), .serialized)
struct RealServerWorkflowTests {
    static let loop = Subprocess.root.appendingPathComponent("Tests/Fixtures/workflows/editor_progress_loop.json").path

    func jobs(_ folder: TestFolder, _ store: String) async throws -> [JSONValue] {
        let list = try Subprocess(["jobs", "list", "--jobs", store, "--json"], environment: folder.environment)
        let (lines, status) = await list.finish()
        #expect(status == 0, "\(list.stderr)")
        return lines.compactMap { try? JSONValue.parse($0) }
    }

    @Test func anEditorWorkflowWithSetAndVaryRunsOnTheRealServer() async throws {
        let folder = try TestFolder()
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        let run = try Subprocess(
            ["run", Self.loop, "--server", RealServer.url!, "--set", "Progress.steps=2", "--vary", "Progress.seed=1,2", "--jobs", store, "--json"],
            environment: folder.environment)
        let (lines, status) = await run.finish()
        #expect(status == 0, "\(run.stderr)")
        let summary = try #require(lines.last.flatMap { try? JSONValue.parse($0) })
        #expect(summary["status"] == "succeeded")
        let jobs = try await jobs(folder, store)
        #expect(jobs.count == 2)
        #expect(Set(jobs.compactMap { $0["status"]?.stringValue }) == ["succeeded"])
    }

    /// Progress you can trust (issue 15), on the real server: a first run's ETA says it is a
    /// lower bound; the next `comfysh run` — a new process, the same job store — predicts
    /// the same workflow (another seed) from what the first learned, on every event.
    @Test func theNextProcessPredictsAWorkflowTheLastOneRan() async throws {
        let folder = try TestFolder()
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        func progress(_ file: String) async throws -> [JSONValue] {
            let run = try Subprocess(["run", file, "--server", RealServer.url!, "--jobs", store, "--json"], environment: folder.environment)
            let (lines, status) = await run.finish()
            #expect(status == 0, "\(run.stderr)")
            return lines.compactMap { try? JSONValue.parse($0) }.filter { $0["event"] == "progress" }
        }
        let first = try await progress(try folder.workflow("eta1.json", steps: 4))
        #expect(!first.isEmpty)
        #expect(first.allSatisfy { $0["eta_basis"] == "lower_bound" || $0["eta_basis"] == .null }, "\(first)")
        let second = try await progress(try folder.workflow("eta2.json", steps: 4))
        #expect(!second.isEmpty)
        #expect(second.allSatisfy { $0["eta_basis"] == "workflow" && $0["eta_seconds"]?.doubleValue != nil }, "\(second)")
    }

    @Test(.enabled(if: RealServer.second != nil, "COMFY_E2E_URL2 is not set: no second real server for the fleet test"))
    func jobsSpreadOverTwoRealServersAndAllSucceed() async throws {
        let folder = try TestFolder()
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        let files = try (1...4).map { try folder.workflow("fleet\($0).json", steps: 3) }
        let run = try Subprocess(
            ["run"] + files + ["--server", "a=\(RealServer.url!)", "--server", "b=\(RealServer.second!)", "--jobs", store, "--json"],
            environment: folder.environment)
        let (lines, status) = await run.finish()
        #expect(status == 0, "\(run.stderr)")
        #expect(lines.last.flatMap { try? JSONValue.parse($0) }?["status"] == "succeeded")
        let jobs = try await jobs(folder, store)
        #expect(jobs.count == 4)
        #expect(Set(jobs.compactMap { $0["status"]?.stringValue }) == ["succeeded"])
        // At most one waits per server beyond the one it runs: four jobs use both.
        #expect(Set(jobs.compactMap { $0["server"]?.stringValue }) == ["a", "b"])
    }
}

enum RealServer {
    static let url = ProcessInfo.processInfo.environment["COMFY_E2E_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let second = ProcessInfo.processInfo.environment["COMFY_E2E_URL2"].flatMap { $0.isEmpty ? nil : $0 }

    static func configuration() throws -> ClientConfiguration {
        var settings = ServerSettings(url: url)
        settings.clientID = ClientIdentity.generate()
        return try settings.configuration()
    }

    /// EmptyImage → TestProgressLoop (previews) → SaveImage: no model files needed.
    static func workflow(steps: Int) -> Workflow {
        Workflow(name: "e2e", graph: .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 32, "height": 32, "batch_size": 1, "color": 0])]),
            "2": .object(["class_type": "TestProgressLoop", "inputs": .object([
                "image": ["1", 0], "steps": .number(Double(steps)), "delay": 0.1, "preview": true, "preview_size": 16,
                "progress_text": true, "seed": .number(Double(Int.random(in: 0..<1_000_000_000))),
            ])]),
            "3": .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "comfy_test/e2e"])]),
        ]))
    }
}
