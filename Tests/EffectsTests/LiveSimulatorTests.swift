import Clocks
import ComfyLive
import Foundation
import Logging
import ComfySimulator
import ComfyCore
import Testing
import WSClient

/// The real client stack (WSClient, AsyncHTTPClient, ComfyClient) against the simulator
/// over loopback, through the faults the issue names. Waits are on events (the store's
/// changes), never on time; each test has a time limit.
@Suite(.timeLimit(.minutes(1)), .serialized) struct LiveSimulatorTests {
    static func workflow(steps: Int = 4, delay: Double = 0.05, fail: Bool = false) -> Workflow {
        let middle: JSONValue = fail
            ? .object(["class_type": "TestFail", "inputs": .object(["image": ["1", 0], "message": "deliberate", "steps_before_fail": 1, "seed": 1])])
            : .object(["class_type": "TestProgressLoop", "inputs": .object([
                "image": ["1", 0], "steps": .number(Double(steps)), "delay": .number(delay), "preview": true,
                "preview_size": 16, "progress_text": true, "seed": .number(Double.random(in: 0..<1e9).rounded()),
            ])])
        return Workflow(name: "test", graph: .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])]),
            "2": middle,
            "3": .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "comfy_test/live"])]),
        ]))
    }

    /// Fast backoff; a heartbeat slow enough that a loaded CI machine (the whole suite runs
    /// in parallel on two cores) does not miss a pong and see a dead peer where there is none
    /// — the heartbeat test sets its own.
    func configuration(
        _ simulator: ComfyUISimulator, id: String = ClientIdentity.generate(), heartbeat: Duration = .seconds(2)
    ) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: id)
        configuration.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))
        configuration.heartbeat = heartbeat
        configuration.stallTimeout = heartbeat * 3
        return configuration
    }

    func submit(_ workflow: Workflow, to client: ComfyClient) async -> String {
        let id = Workflow.newPromptID()
        let clientID = client.configuration.clientID
        await client.request(.submit(promptID: id, graph: workflow.submitted(clientID: clientID),
                                     body: workflow.body(promptID: id, clientID: clientID), front: false))
        return id
    }

    func finished(_ id: String) -> @Sendable (AppState) -> Bool {
        { $0.queue.prompts[id]?.status.isTerminal == true }
    }

    @Test func aNormalRunSucceedsWithOutputsAndRunsOnce() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5)))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        await client.start()
        // Online, and the server has answered our feature flags: until then a prompt's
        // previews would come in the legacy layout (protocol 1.3), which is right but not
        // what this test checks.
        await client.store.until { $0.connection.isOnline && $0.connection.previewMetadata }
        let id = await submit(Self.workflow(), to: client)
        await client.store.until(finished(id))
        let state = client.store.state
        #expect(state.queue.prompts[id]?.status == .succeeded)
        #expect(state.queue.prompts[id]?.outputs.map(\.key) == ["3"])
        #expect(state.connection.previewMetadata)
        #expect(state.progress.preview?.promptID == id, "progress: \(JSONWriter.string(state.progress.json)) log: \(state.log.entries.suffix(12).map(\.message))")
        #expect(await simulator.executionCount(of: id) == 1)
        await client.stop()
        await simulator.stop()
        #expect(client.store.state.connection.lastClose?.byClient == true)
    }

    @Test func aFailingNodeEndsFailedWithTheServersError() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5)))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        let id = await submit(Self.workflow(fail: true), to: client)
        await client.store.until(finished(id))
        let prompt = try #require(client.store.state.queue.prompts[id])
        #expect(prompt.status == .failed)
        #expect(prompt.error?.exceptionType == "RuntimeError")
        #expect(prompt.error?.nodeID == "2")
        await client.stop()
        await simulator.stop()
    }

    @Test func aDroppedConnectionMidRunReconnectsAndStillSucceeds() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(30)))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator, heartbeat: .milliseconds(200)), clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        let id = await submit(Self.workflow(steps: 20), to: client)
        await client.store.until { $0.progress.promptID == id && $0.progress.value >= 2 }
        await simulator.dropAllConnections()
        await client.store.until { $0.connection.connects >= 2 }
        await client.store.until(finished(id))
        let state = client.store.state
        #expect(state.queue.prompts[id]?.status == .succeeded)
        #expect(state.queue.prompts[id]?.outputs.map(\.key) == ["3"])
        #expect(await simulator.executionCount(of: id) == 1)
        #expect(state.connection.lastClose?.byClient == false)
        await client.stop()
        await simulator.stop()
    }

    @Test func aHalfOpenConnectionIsFoundByTheHeartbeatAndReplaced() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(30)))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator, heartbeat: .milliseconds(200)), clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        let id = await submit(Self.workflow(steps: 20), to: client)
        await client.store.until { $0.progress.promptID == id && $0.progress.value >= 2 }
        await simulator.setStalled(true)
        // No pong: the heartbeat gives up and the socket is closed as a dead peer.
        await client.store.until { $0.connection.lastClose?.reason.contains("dead peer") == true }
        await simulator.setStalled(false)
        await client.store.until(finished(id))
        #expect(client.store.state.queue.prompts[id]?.status == .succeeded)
        #expect(await simulator.executionCount(of: id) == 1)
        await client.stop()
        await simulator.stop()
    }

    @Test func completionsMissedWhileAwayComeFromHistory() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(10)))
        try await simulator.start()
        // The client under test reconnects on a test clock: it stays away until told.
        let clock = TestClock()
        var away = try configuration(simulator)
        away.backoff = Backoff(initial: .seconds(5), maximum: .seconds(5))
        let client = ComfyClient(configuration: away, clock: clock, random: { 1 })
        // An observer on real time sees the queue drain.
        let observer = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        await client.start()
        await observer.start()
        await client.store.until { $0.connection.isOnline }
        await observer.store.until { $0.connection.isOnline }
        let id = await submit(Self.workflow(steps: 10), to: client)
        await client.store.until { $0.queue.prompts[id]?.status == .running }
        await simulator.dropAllConnections()
        await client.store.until { if case .reconnecting = $0.connection.phase { true } else { false } }
        await observer.store.until { $0.connection.connects >= 2 && $0.queue.remaining == 0 && $0.connection.isOnline }
        #expect(await simulator.historyStatus(of: id) == "success")
        #expect(client.store.state.queue.prompts[id]?.status == .running)
        await clock.untilSuspended()
        await clock.advance(by: .seconds(5))
        await client.store.until(finished(id))
        let prompt = try #require(client.store.state.queue.prompts[id])
        #expect(prompt.status == .succeeded)
        #expect(prompt.fromHistory)
        #expect(prompt.outputs.map(\.key) == ["3"])
        #expect(client.store.state.log.entries.contains { $0.message.contains("1 prompt(s) finished while away") })
        await client.stop()
        await observer.stop()
        await simulator.stop()
    }

    @Test func aRestartedServerThatForgotThePromptMakesItLost() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(50)))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        let id = await submit(Self.workflow(steps: 40), to: client)
        await client.store.until { $0.queue.prompts[id]?.status == .running }
        await simulator.restart()
        await client.store.until(finished(id))
        #expect(client.store.state.queue.prompts[id]?.status == .lost)
        await client.stop()
        await simulator.stop()
    }

    @Test func aForbiddingServerStopsTheClientWithoutAStorm() async throws {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        await simulator.setRefusing(status: 403)
        let client = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        await client.start()
        await client.store.until { if case .failed = $0.connection.phase { true } else { false } }
        #expect(client.store.state.connection.reconnects == 0)
        await client.stop()
        await simulator.stop()
    }

    @Test func aFrameOverTheCapEndsTheConnectionAndSaysWhy() async throws {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        var small = try configuration(simulator)
        small.maxFrameSize = 1024
        let client = ComfyClient(configuration: small, clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        await simulator.sendRaw(text: #"{"type": "huge", "data": ""# + String(repeating: "x", count: 4096) + #""}"#)
        await client.store.until { $0.connection.lastClose != nil }
        let close = try #require(client.store.state.connection.lastClose)
        #expect(!close.byClient)
        await client.store.until { $0.connection.isOnline }  // and it comes back
        await client.stop()
        await simulator.stop()
    }
}
