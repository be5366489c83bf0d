import NIOWebSocket
import ComfySimulator
import ComfyCore
import Testing
import WSClient

/// The faults a test can inject, each observed the way a client would observe it.
@Suite(.timeLimit(.minutes(1))) struct FaultTests {
    /// A graph that keeps the worker busy with steps (and so lets the gate hold it).
    static func sleepGraph(seconds: Double = 2, seed: Int = 1) -> JSONValue {
        .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 8, "height": 8, "batch_size": 1, "color": 0])]),
            "2": .object([
                "class_type": "TestSleep",
                "inputs": .object(["image": ["1", 0], "seconds": .number(seconds), "tick": 0.5, "seed": .number(Double(seed))]),
            ]),
            "3": .object(["class_type": "PreviewImage", "inputs": .object(["images": ["2", 0]])]),
        ])
    }

    static func submit(_ simulator: ComfyUISimulator, _ graph: JSONValue, clientID: String? = nil, promptID: String? = nil)
        async throws -> String
    {
        var body: [JSONField] = [JSONField("prompt", graph)]
        if let clientID { body.append(JSONField("client_id", .string(clientID))) }
        if let promptID { body.append(JSONField("prompt_id", .string(promptID))) }
        let reply = try await HTTP.post(simulator.baseURL + "/prompt", json: .object(body))
        try #require(reply.status == 200, "\(reply.text)")
        return try #require(reply.json?["prompt_id"]?.stringValue)
    }

    static func withSimulator(
        _ configuration: SimulatorConfiguration = .init(stepDelay: .milliseconds(1)),
        _ body: (ComfyUISimulator) async throws -> Void
    ) async throws {
        let simulator = ComfyUISimulator(configuration: configuration)
        try await simulator.start()
        do {
            try await body(simulator)
        } catch {
            await simulator.stop()
            throw error
        }
        await simulator.stop()
    }

    @Test func aStallLeavesPingsUnansweredSoTheClientGivesUp() async throws {
        try await Self.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "stalled"), autoPing: .milliseconds(100))
            await socket.log.wait(forType: "status")
            await simulator.setStalled(true)
            // HTTP keeps answering while the sockets are stalled.
            let httpStatus = try await HTTP.get(simulator.baseURL + "/prompt").status
            #expect(httpStatus == 200)
            await socket.log.wait { _, ended in ended }
            #expect(await socket.log.ended)
            let closeFrame = try await socket.result().get()
            #expect(closeFrame == nil)  // no close frame came from the server
            await simulator.setStalled(false)
        }
    }

    @Test func aStalledServerHoldsMessagesAndKeepsRunning() async throws {
        try await Self.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "quiet"))
            await socket.log.wait(forType: "status")
            await simulator.setStalled(true)
            let id = try await Self.submit(simulator, Self.sleepGraph(seconds: 1), clientID: "quiet")
            await simulator.advance(steps: 0)  // the worker has nothing left to do
            #expect(await simulator.historyStatus(of: id) == "success")
            // Nothing of the run reached the socket while stalled.
            #expect(await socket.log.frames.compactMap(\.type) == ["status"])
            await simulator.setStalled(false)
            // Resumed: what waited comes, in order, before anything sent now.
            await simulator.sendRaw(text: "{\"type\": \"probe\", \"data\": {}}")
            await socket.log.wait(forType: "probe")
            let types = await socket.log.frames.compactMap(\.type)
            #expect(types.first == "status" && types.last == "probe")
            #expect(types.contains("execution_start") && types.contains("execution_success"))
            #expect(types.firstIndex(of: "execution_success")! < types.firstIndex(of: "probe")!)
            await socket.close()
        }
    }

    @Test func droppingConnectionsEndsClientsWithoutACloseFrame() async throws {
        try await Self.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "dropped"))
            await socket.log.wait(forType: "status")
            await simulator.dropAllConnections()
            let closeFrame = try await socket.result().get()
            #expect(closeFrame == nil)
            await simulator.waitForConnectionCount(0)
            #expect(await simulator.connectionCount == 0)
        }
    }

    @Test func closingConnectionsSendsTheCloseCode() async throws {
        try await Self.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "closed"))
            await socket.log.wait(forType: "status")
            await simulator.closeAllConnections(code: 4001)
            let closeCode = try await socket.result().get()?.closeCode
            #expect(closeCode == WebSocketErrorCode(codeNumber: 4001))
            let other = TestSocket(url: simulator.webSocketURL(clientID: "closed-default"))
            await other.log.wait(forType: "status")
            await simulator.closeAllConnections()
            let defaultCloseCode = try await other.result().get()?.closeCode
            #expect(defaultCloseCode == .goingAway)
        }
    }

    @Test func refusingAnswersHTTPWithTheStatusAndFailsTheUpgrade() async throws {
        try await Self.withSimulator { simulator in
            await simulator.setRefusing(status: 403)
            let queueStatus = try await HTTP.get(simulator.baseURL + "/queue").status
            #expect(queueStatus == 403)
            let promptStatus = try await HTTP.post(simulator.baseURL + "/api/prompt", json: .object(["prompt": Self.sleepGraph()])).status
            #expect(promptStatus == 403)
            let refused = TestSocket(url: simulator.webSocketURL(clientID: "refused"))
            await #expect(throws: (any Error).self) { try await refused.result().get() }
            #expect(await refused.log.frames.isEmpty)

            await simulator.setRefusing(status: nil)
            let restoredStatus = try await HTTP.get(simulator.baseURL + "/queue").status
            #expect(restoredStatus == 200)
            let accepted = TestSocket(url: simulator.webSocketURL(clientID: "accepted"))
            await accepted.log.wait(forType: "status")
            await accepted.close()
        }
    }

    @Test func restartForgetsQueueHistoryAndSockets() async throws {
        try await Self.withSimulator { simulator in
            let done = try await Self.submit(simulator, Self.sleepGraph(seconds: 0.5, seed: 1))
            await simulator.advance(steps: 0)
            #expect(await simulator.historyStatus(of: done) == "success")

            await simulator.setPaused(true)
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "before-restart"))
            await socket.log.wait(forType: "status")
            let running = try await Self.submit(simulator, Self.sleepGraph(seed: 2))
            _ = try await Self.submit(simulator, Self.sleepGraph(seed: 3))
            await simulator.advance(steps: 0)  // held in the first step of `running`

            await simulator.restart()
            #expect(try await socket.result().get() == nil)  // dropped, no close frame
            let queue = try await HTTP.get(simulator.baseURL + "/queue").json
            #expect(queue == .object(["queue_running": [], "queue_pending": []]))
            let doneEntry = try await HTTP.get(simulator.baseURL + "/history/\(done)").json
            #expect(doneEntry == .object([JSONField]()))
            let runningEntry = try await HTTP.get(simulator.baseURL + "/history/\(running)").json
            #expect(runningEntry == .object([JSONField]()))
            #expect(await simulator.historyStatus(of: running) == nil)
            #expect(await simulator.executionCount(of: running) == 1)

            // Same port, counter from 0 again.
            await simulator.setPaused(false)
            let reply = try await HTTP.post(simulator.baseURL + "/prompt", json: .object(["prompt": Self.sleepGraph(seconds: 0.5)]))
            #expect(reply.json?["number"] == 0)
        }
    }

    /// ComfyUI #16010: a second socket with the same id goes silent once the first one
    /// closes; without the bug it keeps receiving.
    @Test(arguments: [true, false])
    func overlappingReconnect(bug: Bool) async throws {
        try await Self.withSimulator(.init(stepDelay: .milliseconds(1), overlappingReconnectBug: bug)) { simulator in
            let first = TestSocket(url: simulator.webSocketURL(clientID: "same"))
            await first.log.wait(forType: "status")
            let second = TestSocket(url: simulator.webSocketURL(clientID: "same"))
            await second.log.wait(forType: "status")
            let witness = TestSocket(url: simulator.webSocketURL(clientID: "witness"))
            await witness.log.wait(forType: "status")

            await first.close()
            await simulator.waitForConnectionCount(2)
            let id = try await Self.submit(simulator, Self.sleepGraph(seconds: 1), clientID: "same")
            // The witness sees the queue go back to 0 when the prompt is done.
            await witness.log.wait { frames, _ in frames.last?.token == "status(0)" }
            #expect(await simulator.historyStatus(of: id) == "success")
            // A close frame is queued behind whatever was sent to `second`.
            await simulator.closeAllConnections()
            _ = await second.result()
            let types = await second.log.frames.compactMap(\.type)
            if bug {
                #expect(types == ["status"])
            } else {
                #expect(types.first == "status")
                #expect(types.contains("execution_start"))
                #expect(types.last == "executing")
            }
        }
    }

    @Test func executionCountCountsRunsOfTheSamePromptID() async throws {
        try await Self.withSimulator { simulator in
            let id = "0b6c3f0e-3c2a-4d1e-9a35-2f1b6f7a9d11"
            let firstID = try await Self.submit(simulator, Self.sleepGraph(seconds: 0.5, seed: 5), promptID: id)
            #expect(firstID == id)
            let secondID = try await Self.submit(simulator, Self.sleepGraph(seconds: 0.5, seed: 6), promptID: id)
            #expect(secondID == id)
            await simulator.advance(steps: 0)
            #expect(await simulator.executionCount(of: id) == 2)
            #expect(await simulator.executionCount(of: "never-submitted") == 0)
        }
    }

    @Test func rawFramesReachEverySocketAsSent() async throws {
        try await Self.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL())
            await socket.log.wait(forType: "status")
            await simulator.sendRaw(text: "{not json")
            await simulator.sendRaw(binary: [0, 0, 0, 99, 1, 2])
            await socket.log.wait(forCount: 3)
            let frames = await socket.log.frames
            if case .text(let text) = frames[1].kind { #expect(text == "{not json") } else { Issue.record("expected text") }
            if case .binary(let bytes) = frames[2].kind { #expect(bytes == [0, 0, 0, 99, 1, 2]) } else { Issue.record("expected binary") }
            await socket.close()
        }
    }

    /// Frames keep their order under a frame delay; the delay is not measured.
    @Test func aFrameDelayKeepsOrder() async throws {
        try await Self.withSimulator { simulator in
            await simulator.setFrameDelay(.milliseconds(20))
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "slow"))
            await socket.log.wait(forType: "status")
            for i in 0..<5 { await simulator.sendRaw(text: "{\"type\": \"n\(i)\", \"data\": {}}") }
            await socket.log.wait(forCount: 6)
            #expect(await socket.log.frames.compactMap(\.type) == ["status", "n0", "n1", "n2", "n3", "n4"])
            await simulator.setFrameDelay(nil)
            await socket.close()
        }
    }
}
