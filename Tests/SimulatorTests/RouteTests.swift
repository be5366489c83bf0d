import ComfySimulator
import ComfyCore
import Testing

/// The HTTP routes beyond `/prompt`, and who receives what.
@Suite(.timeLimit(.minutes(1))) struct RouteTests {
    @Test func infoRoutesAnswerUnderBothPrefixes() async throws {
        try await FaultTests.withSimulator { simulator in
            for base in ["", "/api"] {
                let stats = try await HTTP.get(simulator.baseURL + base + "/system_stats")
                #expect(stats.status == 200)
                #expect(stats.json?["system"]?["comfyui_version"] == "0.33.0-sim")
                #expect(stats.json?["devices"]?.arrayValue?.count == 1)
                let features = try await HTTP.get(simulator.baseURL + base + "/features")
                #expect(features.json?["supports_preview_metadata"] == true)
                #expect(features.json?["max_upload_size"] == 104_857_600)
                let prompt = try await HTTP.get(simulator.baseURL + base + "/prompt")
                #expect(prompt.text == "{\"exec_info\": {\"queue_remaining\": 0}}")
            }
            let all = try await HTTP.get(simulator.baseURL + "/object_info")
            #expect(
                all.json?.objectValue?.map(\.key)
                    == ["EmptyImage", "ImageInvert", "TestProgressLoop", "TestSleep", "TestFail", "PreviewImage", "SaveImage"])
            let one = try await HTTP.get(simulator.baseURL + "/api/object_info/TestSleep")
            #expect(one.json?["TestSleep"]?["input"]?["required"]?["tick"] == ["FLOAT", .object(["default": 1, "min": 0.05, "max": 60, "step": 0.05])])
            #expect(try await HTTP.get(simulator.baseURL + "/object_info/Nope").text == "{}")
        }
    }

    @Test func queueItemsHaveTheServersShapeAndOrder() async throws {
        try await FaultTests.withSimulator { simulator in
            await simulator.setPaused(true)
            let first = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seed: 1), clientID: "me")
            let normal = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seed: 2))
            let front = try await HTTP.post(simulator.baseURL + "/prompt", json: .object(["prompt": FaultTests.sleepGraph(seed: 3), "front": true]))
            #expect(front.json?["number"] == -2)
            let chosen = try await HTTP.post(simulator.baseURL + "/prompt", json: .object(["prompt": FaultTests.sleepGraph(seed: 4), "number": 0.5]))
            #expect(chosen.text.contains("\"number\": 0.5"))
            await simulator.advance(steps: 0)

            let queue = try #require(try await HTTP.get(simulator.baseURL + "/queue").json)
            let running = try #require(queue["queue_running"]?.arrayValue?.first?.arrayValue)
            #expect(running.count == 5)
            #expect(running[0] == 0)
            #expect(running[1].stringValue == first)
            #expect(running[2]["2"]?["inputs"]?["seconds"] == 2)
            #expect(running[3]["client_id"] == "me")
            #expect(running[3]["create_time"]?.doubleValue != nil)
            #expect(running[4] == ["3"])
            let pending = (queue["queue_pending"]?.arrayValue ?? []).compactMap { $0.arrayValue?[1].stringValue }
            #expect(pending == [front.json?["prompt_id"]?.stringValue, chosen.json?["prompt_id"]?.stringValue, normal])

            // Deleting a pending item; clearing leaves the running one.
            #expect(try await HTTP.post(simulator.baseURL + "/queue", json: .object(["delete": .array([.string(normal)])])).text == "")
            #expect(await simulator.queueRemaining == 3)
            #expect(try await HTTP.post(simulator.baseURL + "/api/queue", json: .object(["clear": true])).status == 200)
            #expect(await simulator.queueRemaining == 1)
            await simulator.setPaused(false)
        }
    }

    @Test func interruptWithAnIDOnlyHitsThatRunningPrompt() async throws {
        try await FaultTests.withSimulator { simulator in
            await simulator.setPaused(true)
            let running = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seed: 1))
            let waiting = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seconds: 0.5, seed: 2))
            await simulator.advance(steps: 0)
            // The pending one is not running: nothing happens, it stays queued.
            #expect(try await HTTP.post(simulator.baseURL + "/interrupt", json: .object(["prompt_id": .string(waiting)])).status == 200)
            #expect(await simulator.queueRemaining == 2)
            #expect(try await HTTP.post(simulator.baseURL + "/interrupt", json: .object(["prompt_id": .string(running)])).text == "")
            await simulator.setPaused(false)
            await simulator.advance(steps: 0)
            #expect(await simulator.historyStatus(of: running) == "error")
            #expect(await simulator.historyStatus(of: waiting) == "success")
            // A global interrupt while idle does nothing to the next prompt.
            #expect(try await HTTP.send("POST", simulator.baseURL + "/interrupt", body: nil).status == 200)
            let next = try await FaultTests.submit(simulator, FaultTests.sleepGraph(seconds: 0.5, seed: 3))
            await simulator.advance(steps: 0)
            #expect(await simulator.historyStatus(of: next) == "success")
        }
    }

    @Test func historyPagesOldestFirstAndCanBeCleared() async throws {
        try await FaultTests.withSimulator { simulator in
            var ids: [String] = []
            for seed in 1...4 { ids.append(try await FaultTests.submit(simulator, FaultTests.sleepGraph(seconds: 0.5, seed: seed))) }
            await simulator.advance(steps: 0)
            let last2 = try await HTTP.get(simulator.baseURL + "/history?max_items=2").json
            #expect(last2?.objectValue?.map(\.key) == Array(ids.suffix(2)))
            let fromOffset = try await HTTP.get(simulator.baseURL + "/api/history?max_items=2&offset=1").json
            #expect(fromOffset?.objectValue?.map(\.key) == Array(ids[1...2]))
            #expect(try await HTTP.get(simulator.baseURL + "/history").json?.objectValue?.count == 4)
            #expect(try await HTTP.get(simulator.baseURL + "/history?max_items=x").status == 500)
            let entry = try await HTTP.get(simulator.baseURL + "/history/\(ids[0])").json?[ids[0]]
            #expect(entry?.objectValue?.map(\.key) == ["prompt", "outputs", "status", "meta"])
            #expect(entry?["meta"]?["3"] == .object(["node_id": "3", "display_node": "3", "parent_node": .null, "real_node_id": "3"]))

            _ = try await HTTP.post(simulator.baseURL + "/history", json: .object(["delete": .array([.string(ids[0])])]))
            #expect(try await HTTP.get(simulator.baseURL + "/history/\(ids[0])").text == "{}")
            _ = try await HTTP.post(simulator.baseURL + "/history", json: .object(["clear": true]))
            #expect(try await HTTP.get(simulator.baseURL + "/history").text == "{}")
        }
    }

    @Test func viewServesOutputsAndRefusesPathsOutside() async throws {
        try await FaultTests.withSimulator { simulator in
            let id = try await FaultTests.submit(simulator, ValidationTests.graph())
            await simulator.advance(steps: 0)
            let outputs = try #require(await simulator.outputs(of: id))
            let saved = try #require(outputs["5"]?["images"]?.arrayValue?.first)
            #expect(saved["filename"] == "partial_00001_.png")
            #expect(saved["subfolder"] == "comfy_test")
            let preview = try #require(outputs["4"]?["images"]?.arrayValue?.first)
            #expect(preview["type"] == "temp")

            let file = try await HTTP.get(
                simulator.baseURL + "/view?filename=partial_00001_.png&type=output&subfolder=comfy_test")
            #expect(file.status == 200)
            #expect(file.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let temp = try await HTTP.get(simulator.baseURL + "/api/view?filename=\(preview["filename"]?.stringValue ?? "")&type=temp")
            #expect(temp.status == 200)
            #expect(try await HTTP.get(simulator.baseURL + "/view?filename=../secret.png").status == 400)
            #expect(try await HTTP.get(simulator.baseURL + "/view?filename=%2Fetc%2Fpasswd").status == 400)
            #expect(try await HTTP.get(simulator.baseURL + "/view?filename=a.png&subfolder=../..").status == 403)
            #expect(try await HTTP.get(simulator.baseURL + "/view?filename=missing.png").status == 404)
            #expect(try await HTTP.get(simulator.baseURL + "/view").status == 404)
        }
    }

    /// A prompt without `client_id` has no owner: progress reaches everyone, the
    /// lifecycle messages reach nobody, only `status` shows it ended.
    @Test func aPromptWithoutClientIDIsBroadcastInPart() async throws {
        try await FaultTests.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "bystander"), sendOnOpen: [
                "{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}"
            ])
            await socket.log.wait(forType: "feature_flags")
            let graph = ValidationTests.graph { $0["2"]?["preview"] = true; $0["2"]?["progress_text"] = true; $0["2"]?["delay"] = 0.2 }
            _ = try await HTTP.post(simulator.baseURL + "/prompt", json: .object(["prompt": graph]))
            await socket.log.wait { frames, _ in frames.last?.token == "status(0)" }
            let tokens = await socket.log.tokens
            #expect(!tokens.contains { $0.hasPrefix("execution_") || $0.hasPrefix("executing") || $0.hasPrefix("executed") })
            #expect(tokens.filter { $0.hasPrefix("progress(") }.count == 3)
            #expect(tokens.filter { $0 == "binary(1)" }.count == 3)  // legacy previews, even to a negotiated socket
            #expect(tokens.filter { $0.hasPrefix("binary(3:") }.count == 3)
            #expect(tokens.contains("progress_state(1:running:0/1)"))
            await socket.close()
        }
    }

    /// Only the first text frame can negotiate; a later `feature_flags` is ignored.
    @Test func featureFlagsCountOnlyAsTheFirstFrame() async throws {
        try await FaultTests.withSimulator { simulator in
            let late = TestSocket(url: simulator.webSocketURL(clientID: "late"), sendOnOpen: [
                "{\"type\": \"hello\", \"data\": {}}", "{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}",
            ])
            await late.log.wait(forType: "status")
            _ = try await HTTP.post(
                simulator.baseURL + "/prompt",
                json: .object(["prompt": ValidationTests.graph { $0["2"]?["preview"] = true }, "client_id": "late"]))
            await late.log.wait { frames, _ in frames.last?.token == "executing(null)" }
            let tokens = await late.log.tokens
            #expect(!tokens.contains("feature_flags"))
            #expect(tokens.contains("binary(1)"))
            #expect(!tokens.contains("binary(4)"))
            await late.close()
        }
    }

    /// A socket without `clientId` gets an id made up by the server, in `sid`.
    @Test func aSocketWithoutClientIDGetsAGeneratedSid() async throws {
        try await FaultTests.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL())
            await socket.log.wait(forType: "status")
            let sid = await socket.log.frames.first?.data?["sid"]?.stringValue ?? ""
            #expect(sid.count == 32)
            #expect(sid.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            let api = TestSocket(url: "ws://127.0.0.1:\(simulator.port)/api/ws?clientId=abc")
            await api.log.wait(forType: "status")
            #expect(await api.log.frames.first?.data?["sid"] == "abc")
            await socket.close()
            await api.close()
        }
    }
}
