import ComfyCore
import ComfySimulator
import Foundation
import Testing

/// `comfysh convert` and `comfysh inputs` as subprocesses: against a recorded
/// `/object_info` and against the simulator serving it, with their exit statuses.
@Suite(.timeLimit(.minutes(1))) struct ConvertCommandTests {
    static let fixtures = Subprocess.root.appendingPathComponent("Tests/Fixtures")
    static let objectInfo = fixtures.appendingPathComponent("object_info/comfyui-0.33.0.json").path
    static let sd35 = fixtures.appendingPathComponent("workflows/sd3.5_simple_example.json").path

    func run(_ arguments: [String]) async throws -> (out: String, err: String, status: Int32) {
        let process = try Subprocess(arguments)
        let (lines, status) = await process.finish()
        return (lines.joined(separator: "\n"), process.stderr, status)
    }

    /// The same conversion in-process.
    func expected(sets: [String]) throws -> JSONValue {
        let info = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.objectInfo))))
        let catalog = NodeCatalog(objectInfo: info)
        let workflow = try EditorWorkflow(json: try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.sd35)))))
        var prompt = try WorkflowConverter(catalog: catalog).convert(workflow)
        try prompt.apply(try sets.map { try InputOverride.parse($0) }, catalog: catalog)
        return prompt.json
    }

    @Test func convertsWithSetsAndKeepsSavedSeedsWhenAsked() async throws {
        let sets = ["--set", "KSampler.steps=12", "--set", "Positive Prompt.text=a lighthouse"]
        let (out, err, status) = try await run(["convert", Self.sd35, "--object-info", Self.objectInfo, "--seed", "fixed"] + sets)
        #expect(status == 0, "\(err)")
        #expect(try JSONValue.parse(out) == (try expected(sets: ["KSampler.steps=12", "Positive Prompt.text=a lighthouse"])))
    }

    @Test func aRandomizedSeedIsFreshPerPrompt() async throws {
        let (out, _, status) = try await run(["convert", Self.sd35, "--object-info", Self.objectInfo, "--vary", "KSampler.cfg=4,5"])
        #expect(status == 0)
        let lines = try out.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(lines.map { $0["label"] } == ["KSampler.cfg=4", "KSampler.cfg=5"])
        let seeds = lines.map { $0["prompt"]?["3"]?["inputs"]?["seed"] }
        #expect(seeds[0] != seeds[1])
        #expect(seeds.allSatisfy { $0 != 585_483_408_983_215 })
        #expect(lines.map { $0["prompt"]?["3"]?["inputs"]?["cfg"] } == [4, 5])
    }

    @Test func inputsAsksTheServerForItsCatalog() async throws {
        let info = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.objectInfo))))
        let simulator = ComfyUISimulator(configuration: .init(catalog: SimulatorCatalog(recordedObjectInfo: info)))
        try await simulator.start()
        let (out, err, status) = try await run(["inputs", Self.sd35, "--server", simulator.baseURL, "--json"])
        await simulator.stop()
        #expect(status == 0, "\(err)")
        let inputs = try #require(try JSONValue.parse(out).arrayValue)
        #expect(inputs.count == 13)
        #expect(
            inputs.first { $0["input"] == "seed" }
                == (try JSONValue.parse(#"""
                    {"node": "3", "title": "KSampler", "class_type": "KSampler", "input": "seed", "type": "INT", "value": 585483408983215,
                     "min": 0, "max": 18446744073709551615, "control_after_generate": "randomize"}
                    """#)))
    }

    @Test func badInputExits2WithTheReason() async throws {
        let steps = try await run(["convert", Self.sd35, "--object-info", Self.objectInfo, "--set", "KSampler.steps=0"])
        #expect(steps.status == 2)
        #expect(
            steps.err.trimmingCharacters(in: .newlines)
                == #"comfysh convert: --set "KSampler.steps=0": 0 is below the minimum 1; input "steps" of node 3 "KSampler" (KSampler) takes an INT from 1 to 10000"#)
        let seed = try await run(["convert", Self.sd35, "--object-info", Self.objectInfo, "--seed", "often"])
        #expect(seed.status == 2)
        #expect(seed.err.trimmingCharacters(in: .newlines) == #"comfysh convert: --seed "often": expected saved, fixed or randomize"#)
        let refused = fixtures("api_hunyuan3d_model2uv.json")
        let captured = try await run(["convert", refused, "--object-info", Self.objectInfo])
        #expect(captured.status == 2)
        #expect(
            captured.err.trimmingCharacters(in: .newlines)
                == "comfysh convert: \(refused): node 13 \"Load 3D & Animation\" (Load3D): input \"image\" (LOAD_3D) is captured by the editor when it queues, and the file holds no value for it; run this workflow from the editor")
        let missing = try await run(["inputs", "no-such.json", "--server", "http://127.0.0.1:1"])
        #expect(missing.status == 2)
        #expect(missing.err.trimmingCharacters(in: .newlines) == "comfysh inputs: no-such.json: no such file")
    }

    @Test func anUnreachableServerExits3() async throws {
        let result = try await run(["inputs", Self.sd35, "--server", "http://127.0.0.1:1", "--connect-timeout", "1"])
        #expect(result.status == 3)
        #expect(result.err.hasPrefix("comfysh inputs: cannot reach http://127.0.0.1:1: "))
    }

    func fixtures(_ name: String) -> String { Self.fixtures.appendingPathComponent("workflows/\(name)").path }
}
