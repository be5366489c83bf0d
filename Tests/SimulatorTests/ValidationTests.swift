import ComfySimulator
import ComfyCore
import Testing

/// `POST /prompt` validation: each 400 kind with the server's body shape, and the
/// partial accept (200 with `node_errors`) that runs only the valid outputs.
@Suite(.timeLimit(.minutes(1))) struct ValidationTests {
    /// `EmptyImage → TestProgressLoop → ImageInvert → PreviewImage`, and `→ SaveImage`.
    static func graph(_ change: (inout [String: [String: JSONValue]]) -> Void = { _ in }) -> JSONValue {
        var inputs: [String: [String: JSONValue]] = [
            "1": ["width": 64, "height": 64, "batch_size": 1, "color": 0],
            "2": ["image": ["1", 0], "steps": 3, "delay": 0.05, "preview": false, "preview_size": 64, "progress_text": false, "seed": 1],
            "3": ["image": ["2", 0]],
            "4": ["images": ["3", 0]],
            "5": ["images": ["2", 0], "filename_prefix": "comfy_test/partial"],
        ]
        change(&inputs)
        let classes = ["1": "EmptyImage", "2": "TestProgressLoop", "3": "ImageInvert", "4": "PreviewImage", "5": "SaveImage"]
        let titles = ["1": "Empty Image", "2": "Progress Loop", "3": "Invert Image", "4": "Preview Image", "5": "Save Image"]
        let order = ["1", "2", "3", "4", "5"].filter { inputs[$0] != nil }
        return .object(
            order.map { id in
                let fields = (inputs[id] ?? [:]).sorted { $0.key < $1.key }.map { JSONField($0.key, $0.value) }
                return JSONField(
                    id,
                    .object([
                        "class_type": .string(classes[id]!), "inputs": .object(fields),
                        "_meta": .object(["title": .string(titles[id]!)]),
                    ]))
            })
    }

    static func post(_ simulator: ComfyUISimulator, _ body: JSONValue) async throws -> HTTP.Reply {
        try await HTTP.post(simulator.baseURL + "/api/prompt", json: body)
    }

    @Test func noPrompt() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(simulator, .object(["client_id": "x"]))
            #expect(reply.status == 400)
            #expect(
                reply.json
                    == .object([
                        "error": .object([
                            "type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
                            "extra_info": .object([JSONField]()),
                        ]),
                        "node_errors": .object([JSONField]()),
                    ]))
        }
    }

    @Test func unknownClassAndMissingClassType() async throws {
        try await FaultTests.withSimulator { simulator in
            var graph = Self.graph()
            if case .object(var nodes) = graph {
                nodes[2].value = .object(["class_type": "NoSuchNode", "inputs": .object([JSONField]()), "_meta": .object(["title": "Mystery"])])
                graph = .object(nodes)
            }
            let unknown = try await Self.post(simulator, .object(["prompt": graph]))
            #expect(unknown.status == 400)
            #expect(unknown.json?["error"]?["type"] == "missing_node_type")
            #expect(unknown.json?["error"]?["message"] == "Node 'Mystery' not found. The custom node may not be installed.")
            #expect(unknown.json?["error"]?["details"] == "Node ID '#3'")
            #expect(unknown.json?["error"]?["extra_info"] == .object(["node_id": "3", "class_type": "NoSuchNode", "node_title": "Mystery"]))
            #expect(unknown.json?["node_errors"] == .object([JSONField]()))

            let noClass = try await Self.post(simulator, .object(["prompt": .object(["7": .object(["inputs": .object([JSONField]())])])]))
            #expect(noClass.status == 400)
            #expect(noClass.json?["error"]?["type"] == "missing_node_type")
            #expect(noClass.json?["error"]?["extra_info"]?["class_type"] == .null)
        }
    }

    @Test func noOutputs() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(simulator, .object(["prompt": Self.graph { $0["4"] = nil; $0["5"] = nil }]))
            #expect(reply.status == 400)
            #expect(reply.json?["error"]?["type"] == "prompt_no_outputs")
            #expect(reply.json?["error"]?["message"] == "Prompt has no outputs")
        }
    }

    @Test func invalidPromptID() async throws {
        try await FaultTests.withSimulator { simulator in
            for id: JSONValue in ["not-a-uuid", "0B6C3F0E-3C2A-4D1E-9A35-2F1B6F7A9D11", 42] {
                let reply = try await Self.post(simulator, .object(["prompt": Self.graph(), "prompt_id": id]))
                #expect(reply.status == 400)
                #expect(reply.json?["error"]?["type"] == "invalid_prompt_id")
            }
        }
    }

    @Test func missingRequiredInput() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(simulator, .object(["prompt": Self.graph { $0["2"]?["image"] = nil }]))
            #expect(reply.status == 400)
            #expect(reply.json?["error"]?["type"] == "prompt_outputs_failed_validation")
            let node = reply.json?["node_errors"]?["2"]
            #expect(node?["class_type"] == "TestProgressLoop")
            #expect(node?["dependent_outputs"] == ["4", "5"])
            #expect(
                node?["errors"]
                    == [
                        .object([
                            "type": "required_input_missing", "message": "Required input is missing", "details": "image",
                            "extra_info": .object(["input_name": "image"]),
                        ])
                    ])
        }
    }

    @Test func linkToAMissingNode() async throws {
        try await FaultTests.withSimulator { simulator in
            // On an inner node: reported on the node whose link failed, with the
            // downstream input that led there.
            let inner = try await Self.post(simulator, .object(["prompt": Self.graph { $0["2"]?["image"] = ["99", 0] }]))
            #expect(inner.status == 400)
            let error = inner.json?["node_errors"]?["2"]?["errors"]?.arrayValue?.first
            #expect(error?["type"] == "exception_during_inner_validation")
            #expect(error?["details"] == "'99'")
            #expect(error?["extra_info"]?["exception_type"] == "KeyError")
            #expect(error?["extra_info"]?["linked_node"] == ["2", 0])

            // On an output node itself.
            let outer = try await Self.post(simulator, .object(["prompt": Self.graph { $0["4"]?["images"] = ["99", 0]; $0["5"] = nil }]))
            #expect(outer.status == 400)
            #expect(outer.json?["node_errors"]?["4"]?["errors"]?.arrayValue?.first?["type"] == "exception_during_validation")
            #expect(outer.json?["error"]?["details"] == "Exception when validating node: '99'")
        }
    }

    @Test func valuesOutOfRangeOrOfTheWrongType() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(
                simulator, .object(["prompt": Self.graph { $0["1"]?["width"] = 0; $0["2"]?["steps"] = "ten"; $0["2"]?["delay"] = 11 }]))
            #expect(reply.status == 400)
            let nodes = reply.json?["node_errors"]
            #expect(nodes?.objectValue?.map(\.key) == ["1", "2"])
            let small = nodes?["1"]?["errors"]?.arrayValue?.first
            #expect(small?["type"] == "value_smaller_than_min")
            #expect(small?["message"] == "Value 0 smaller than min of 1")
            let errors = nodes?["2"]?["errors"]?.arrayValue ?? []
            #expect(errors.map { $0["type"] } == ["invalid_input_type", "value_bigger_than_max"])
            #expect(errors.first?["details"] == "steps, ten, invalid literal for int() with base 10: 'ten'")
            #expect(errors.last?["message"] == "Value 11.0 bigger than max of 10.0")
        }
    }

    @Test func aLinkOfTheWrongType() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(simulator, .object(["prompt": Self.graph { $0["2"]?["steps"] = ["1", 0] }]))
            #expect(reply.status == 400)
            let error = reply.json?["node_errors"]?["2"]?["errors"]?.arrayValue?.first
            #expect(error?["type"] == "return_type_mismatch")
            #expect(error?["details"] == "steps, received_type(IMAGE) mismatch input_type(INT)")
        }
    }

    @Test func aDependencyCycle() async throws {
        try await FaultTests.withSimulator { simulator in
            let reply = try await Self.post(simulator, .object(["prompt": Self.graph { $0["2"]?["image"] = ["3", 0] }]))
            #expect(reply.status == 400)
            let reasons = (reply.json?["node_errors"]?.objectValue ?? []).flatMap { $0.value["errors"]?.arrayValue ?? [] }
            #expect(reasons.map { $0["type"] } == ["dependency_cycle"])
        }
    }

    /// One broken output, one good: accepted, the broken one listed, only the good one runs.
    @Test func aPartlyValidGraphRunsItsValidOutputs() async throws {
        try await FaultTests.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "partial"))
            await socket.log.wait(forType: "status")
            let reply = try await Self.post(
                simulator, .object(["prompt": Self.graph { $0["3"]?["image"] = ["99", 0] }, "client_id": "partial"]))
            #expect(reply.status == 200)
            #expect(reply.json?["node_errors"]?.objectValue?.map(\.key) == ["3"])
            #expect(reply.json?["node_errors"]?["3"]?["dependent_outputs"] == ["4"])
            let id = try #require(reply.json?["prompt_id"]?.stringValue)
            await socket.log.wait { frames, _ in frames.contains { $0.token == "executing(null)" } }
            let executed = await socket.log.frames.filter { $0.type == "executed" }.compactMap { $0.data?["node"]?.stringValue }
            #expect(executed == ["5"])
            #expect(await simulator.outputs(of: id)?.objectValue?.map(\.key) == ["5"])
            await socket.close()
        }
    }

    /// Nothing is queued and nothing is sent for a rejected prompt, but the server's
    /// counter still moves.
    @Test func aRejectedPromptSendsNothingAndUsesANumber() async throws {
        try await FaultTests.withSimulator { simulator in
            let socket = TestSocket(url: simulator.webSocketURL(clientID: "watcher"))
            await socket.log.wait(forType: "status")
            #expect(try await Self.post(simulator, .object(["client_id": "watcher"])).status == 400)
            await simulator.sendRaw(text: "{\"type\": \"probe\", \"data\": {}}")
            await socket.log.wait(forType: "probe")
            #expect(await socket.log.frames.compactMap(\.type) == ["status", "probe"])
            #expect(await simulator.queueRemaining == 0)
            let accepted = try await Self.post(simulator, .object(["prompt": Self.graph()]))
            #expect(accepted.json?["number"] == 1)
            await socket.close()
        }
    }
}
