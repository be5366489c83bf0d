import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore
import Testing

/// What a server can send that is wrong — an oversized frame, truncated binary frames, a
/// prompt id it never heard of — against the real client stack over loopback: the exact
/// state and log it leaves, and that the client carries on. `docs/reliability.md` lists them.
@Suite(.timeLimit(.minutes(1)), .serialized) struct BadServerInputLiveTests {
    func online(_ simulator: ComfyUISimulator, configure: (inout ClientConfiguration) -> Void = { _ in }) async throws
        -> ComfyClient
    {
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: ClientIdentity.generate())
        configuration.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))
        configuration.heartbeat = .seconds(2)
        configure(&configuration)
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }
        return client
    }

    func protocolErrors(_ state: AppState) -> [String] {
        state.log.entries.filter { $0.kind == "protocol_error" }.map(\.message)
    }

    /// NIO closes the socket on a frame over the cap (sending code 1009) before it reports
    /// the error, so the client sees the socket end with no close frame and no error, as
    /// for a dead peer: the reason names all three. It reconnects, and the resync settles
    /// whatever the frame carried.
    @Test func aFrameOverTheCapClosesTheSocketAndTheClientReconnects() async throws {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        let client = try await online(simulator) { $0.maxFrameSize = 1024 }
        await simulator.sendRaw(text: #"{"type": "huge", "data": ""# + String(repeating: "x", count: 4096) + #""}"#)
        await client.store.until { $0.connection.lastClose != nil }
        let close = try #require(client.store.state.connection.lastClose)
        #expect(close.reason == "connection lost without a close frame (dead peer: no pong within two heartbeats; reset; or a frame larger than the 1 KiB cap)")
        #expect(!close.byClient && close.code == nil)
        // The frame never reached the decoder or the log.
        #expect(!client.store.state.log.entries.contains { $0.kind == "unknown" })
        await client.store.until { $0.connection.isOnline && $0.connection.connects == 2 }
        await client.stop()
        await simulator.stop()
    }

    @Test func truncatedBinaryFramesAreLoggedWithTheirBytesAndTheClientCarriesOn() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(2)))
        try await simulator.start()
        let client = try await online(simulator)
        await simulator.sendRaw(binary: [0, 0, 1])
        await simulator.sendRaw(binary: [0, 0, 0, 4, 0, 0, 1, 0, 0x7B])
        await simulator.sendRaw(binary: [0, 0, 0, 3, 0, 0])
        await client.store.until { self.protocolErrors($0).count == 3 }
        let state = client.store.state
        #expect(protocolErrors(state) == [
            "binary frame of 3 bytes has no 4-byte type",
            "preview frame (type 4) metadata length 256 overruns the frame",
            "progress text frame (type 3) with a length that overruns the frame",
        ])
        // The bytes are kept with the reason, and nothing else changed: still online.
        #expect(state.log.entries.filter { $0.kind == "protocol_error" }.compactMap(\.payload) == ["00 00 01", "00 00 00 04 00 00 01 00 7b", "00 00 00 03 00 00"])
        #expect(state.connection.isOnline && state.connection.connects == 1)
        let id = Workflow.newPromptID()
        let workflow = LiveSimulatorTests.workflow(steps: 2, delay: 0.01)
        let clientID = client.configuration.clientID
        await client.request(.submit(promptID: id, graph: workflow.submitted(clientID: clientID),
                                     body: workflow.body(promptID: id, clientID: clientID), front: false))
        await client.store.until { $0.queue.prompts[id]?.status.isTerminal == true }
        #expect(client.store.state.queue.prompts[id]?.status == .succeeded)
        await client.stop()
        await simulator.stop()
    }

    /// A prompt we hold as accepted that this server never heard of (another server's, or
    /// from before a restart): the resync finds neither queue entry nor history, so it is
    /// `lost`; cancelling or interrupting it then sends nothing and says why.
    @Test func aPromptIDTheServerNeverHeardOfBecomesLostAndIsNotSentOn() async throws {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        let client = try await online(simulator)
        let id = "0b6c3f0e-3c2a-4d1e-9a35-2f1b6f7a9d11"
        client.store.dispatch(ComfyAction(at: await client.now, .http(.promptAccepted(PromptAccepted(
            promptID: id, number: 3, graph: SubmittedGraph(nodes: [("1", "X")], clientID: client.configuration.clientID))))))
        await client.request(.resync)
        await client.store.until { $0.queue.prompts[id]?.status == .lost }
        let total = client.store.state.log.total
        await client.request(.cancel(promptID: id))
        await client.request(.interrupt(promptID: id))
        await client.store.until { $0.log.total >= total + 2 }
        #expect(client.store.state.log.entries(after: total).map(\.message) == [
            "prompt 0b6c3f0e is lost; nothing to cancel",
            "no running prompt 0b6c3f0e to interrupt",
        ])
        #expect(client.store.state.log.entries.contains { $0.message == "prompt 0b6c3f0e is unknown to the server: lost" })
        await client.stop()
        await simulator.stop()
    }
}
