import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ComfySimulator
import ComfyCore
import Testing

/// The bad-answer faults (`ComfyUISimulator+Impostor`) and header recording: each does what
/// it says while on, and the simulator answers as before once it is off.
@Suite(.timeLimit(.minutes(1))) struct BadAnswerFaultTests {
    @Test func aCannedAnswerReplacesOneRouteUnderBothPrefixes() async throws {
        try await FaultTests.withSimulator { simulator in
            await simulator.setAnswer(.serverError, for: "POST", "/prompt")
            for path in ["/prompt", "/api/prompt"] {
                let reply = try await HTTP.post(simulator.baseURL + path, json: .object(["prompt": FaultTests.sleepGraph()]))
                #expect(reply.status == 500)
                #expect(reply.text == "500 Internal Server Error\n\nServer got itself in trouble")
            }
            // Other methods and routes are untouched.
            let info = try await HTTP.get(simulator.baseURL + "/prompt").json
            #expect(info?["exec_info"] != nil)
            await simulator.setAnswer(nil, for: "POST", "/prompt")
            _ = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seconds: 0.1))
        }
    }

    @Test func historyEntriesLoseTheKeysAskedFor() async throws {
        try await FaultTests.withSimulator { simulator in
            let id = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seconds: 0.1))
            await simulator.advance(steps: 0)
            #expect(await simulator.historyStatus(of: id) == "success")
            await simulator.setHistoryOmitting(["status", "prompt"])
            let entry = try #require(try await HTTP.get(simulator.baseURL + "/history/\(id)").json?[id])
            #expect(entry.objectValue?.map(\.key) == ["outputs", "meta"])
            await simulator.setHistoryOmitting(["status.messages"])
            let page = try #require(try await HTTP.get(simulator.baseURL + "/history?max_items=1").json?[id])
            #expect(page["status"]?.objectValue?.map(\.key) == ["status_str", "completed"])
            await simulator.setHistoryOmitting([])
            let whole = try await HTTP.get(simulator.baseURL + "/history/\(id)").json
            #expect(whole?[id]?["status"]?["messages"] != nil)
        }
    }

    @Test func refusedUpgradesLeaveHTTPAnswering() async throws {
        try await FaultTests.withSimulator { simulator in
            await simulator.setRefusingUpgrades(true)
            let stats = try await HTTP.get(simulator.baseURL + "/system_stats").status
            #expect(stats == 200)
            let refused = TestSocket(url: simulator.webSocketURL(clientID: "refused"))
            await #expect(throws: (any Error).self) { try await refused.result().get() }
            await simulator.setRefusingUpgrades(false)
            let accepted = TestSocket(url: simulator.webSocketURL(clientID: "accepted"))
            await accepted.log.wait(forType: "status")
            await accepted.close()
        }
    }

    @Test func onlyTheHeadersAskedForAreRecorded() async throws {
        try await FaultTests.withSimulator { simulator in
            func get(_ path: String) async throws {
                var request = HTTPClientRequest(url: simulator.baseURL + path)
                request.headers.add(name: "Authorization", value: "Bearer t-\(path)")
                request.headers.add(name: "X-Other", value: "o")
                _ = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            }
            try await get("/queue")
            #expect(await simulator.receivedHeaders.isEmpty)  // off by default
            await simulator.setRecordingHeaders(["authorization"])
            try await get("/system_stats")
            #expect(await simulator.receivedHeaders == [ReceivedHeader(path: "/system_stats", name: "authorization", value: "Bearer t-/system_stats")])
        }
    }
}
