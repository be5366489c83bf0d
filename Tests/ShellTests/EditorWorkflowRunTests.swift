import ComfyCore
import ComfySimulator
import Foundation
import Testing

/// Workflows in the editor's format through `comfysh run` and the shell's `submit`, against
/// simulators loaded with the recorded `/object_info` of ComfyUI 0.33.0 (its test-pack
/// classes keep their behaviour, so `editor_progress_loop.json` runs end to end): `--set`,
/// `--vary` (labelled, spread across two servers), `--seed`, and every `--set`/`--vary`
/// error with its exact message, nothing sent.
@Suite(.timeLimit(.minutes(2))) struct EditorWorkflowRunTests {
    static let fixtures = Subprocess.root.appendingPathComponent("Tests/Fixtures")
    static let loop = fixtures.appendingPathComponent("workflows/editor_progress_loop.json").path
    static let sd35 = fixtures.appendingPathComponent("workflows/sd3.5_simple_example.json").path
    static let objectInfo: JSONValue = {
        let url = fixtures.appendingPathComponent("object_info/comfyui-0.33.0.json")
        return try! JSONValue.parse(Array(try! Data(contentsOf: url)))
    }()

    static func simulator(catalog: SimulatorCatalog? = nil) async throws -> ComfyUISimulator {
        let simulator = ComfyUISimulator(
            configuration: .init(stepDelay: .milliseconds(2), catalog: catalog ?? SimulatorCatalog(recordedObjectInfo: objectInfo)))
        try await simulator.start()
        return simulator
    }

    func run(_ arguments: [String], folder: TestFolder) async throws -> (events: [JSONValue], lines: [String], stderr: String, status: Int32) {
        let process = try Subprocess(arguments + ["--jobs", folder.url.appendingPathComponent("jobs.sqlite").path], environment: folder.environment)
        let (lines, status) = await process.finish()
        return (lines.compactMap { try? JSONValue.parse($0) }, lines, process.stderr, status)
    }

    @Test func anEditorWorkflowRunsWithSetAndVaryEachPromptLabelled() async throws {
        let (folder, simulator) = (try TestFolder(), try await Self.simulator())
        let ran = try await run(
            ["run", Self.loop, "--server", simulator.baseURL, "--set", "Progress.steps=2", "--vary", "Progress.seed=1,2", "--json"], folder: folder)
        #expect(ran.status == 0, "\(ran.stderr)")
        let labels = ["editor_progress_loop.json Progress.seed=1", "editor_progress_loop.json Progress.seed=2"]
        // Each accepted event and each prompt of the summary names its --vary values.
        #expect(Set(ran.events.filter { $0["event"] == "accepted" }.compactMap { $0["label"]?.stringValue }) == Set(labels))
        let prompts = try #require(ran.events.last?["prompts"]?.arrayValue)
        #expect(prompts.map { $0["label"]?.stringValue } == labels)
        #expect(prompts.allSatisfy { $0["status"] == "succeeded" })
        // What the server ran: converted (the note left out, the title kept), steps set, seeds varied.
        for (prompt, seed) in zip(prompts, [1, 2]) {
            let graph = try #require(await simulator.ranGraph(of: prompt["prompt_id"]?.stringValue ?? ""))
            #expect(graph.objectValue?.map(\.key) == ["1", "2", "3"])
            #expect(graph["2"]?["class_type"] == "TestProgressLoop")
            #expect(graph["2"]?["_meta"]?["title"] == "Progress")
            #expect(graph["2"]?["inputs"]?["steps"] == 2)
            #expect(graph["2"]?["inputs"]?["seed"] == .number(Double(seed)))
            #expect(graph["2"]?["inputs"]?["image"] == ["1", 0])
            #expect(graph["3"]?["inputs"]?["filename_prefix"] == "editor_progress")
        }
        await simulator.stop()
    }

    @Test func aRandomizeSeedIsFreshPerRunAndSeedFixedKeepsTheSavedOne() async throws {
        let (folder, simulator) = (try TestFolder(), try await Self.simulator())
        var seeds: [JSONValue?] = []
        for seed in ["saved", "saved", "fixed"] {
            let ran = try await run(["run", Self.loop, "--server", simulator.baseURL, "--seed", seed, "--json"], folder: folder)
            #expect(ran.status == 0, "\(ran.stderr)")
            let id = try #require(ran.events.last?["prompt_id"]?.stringValue)
            seeds.append(await simulator.ranGraph(of: id)?["2"]?["inputs"]?["seed"])
        }
        await simulator.stop()
        #expect(seeds[0] != 42 && seeds[1] != 42 && seeds[0] != seeds[1])
        #expect(seeds[2] == 42)
    }

    /// A file with a second "Empty Image" (for the ambiguous title).
    static func twoEmptyImages(in folder: TestFolder) throws -> String {
        guard case .object(var fields) = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: loop)))),
            let n = fields.firstIndex(where: { $0.key == "nodes" }), case .array(var nodes) = fields[n].value
        else { fatalError() }
        nodes.append(try JSONValue.parse(#"""
            {"id": 5, "type": "EmptyImage", "mode": 0, "inputs": [], "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}],
             "properties": {}, "widgets_values": [8, 8, 1, 0]}
            """#))
        fields[n].value = .array(nodes)
        return try folder.file("two.json", JSONWriter.string(.object(fields)))
    }

    static let loopNodes = #"nodes: 1 "Empty Image" (EmptyImage), 2 "Progress" (TestProgressLoop), 3 "Save Image" (SaveImage)"#
    static let steps = #"input "steps" of node 2 "Progress" (TestProgressLoop) takes an INT from 1 to 1000"#

    @Test(arguments: [
        (["--set", "Sampler.seed=1"], #"--set "Sampler.seed=1": no node has the id or title "Sampler"; "# + loopNodes),
        (["--set", "Progress.sed=1"],
         #"--set "Progress.sed=1": node 2 "Progress" (TestProgressLoop) has no input "sed"; its inputs: steps, delay, preview, preview_size, progress_text, seed"#),
        (["--set", "Progress.steps=0"], #"--set "Progress.steps=0": 0 is below the minimum 1; "# + steps),
        (["--set", "Progress.steps=many"], #"--set "Progress.steps=many": "many" is not an integer; "# + steps),
        (["--set", "Progress.preview=maybe"],
         #"--set "Progress.preview=maybe": "maybe" is not true or false; input "preview" of node 2 "Progress" (TestProgressLoop) takes a BOOLEAN"#),
        (["--set", "2.image=x"], #"--set "2.image=x": input "image" of node 2 "Progress" (TestProgressLoop) is a link from node 1, not a value"#),
        (["--set", "Progress"], #"--set "Progress": expected NODE.INPUT=VALUE (NODE is a node id or title)"#),
        (["--vary", "Progress.steps=3,1001"], #"--vary "Progress.steps=3,1001": 1001 is above the maximum 1000; "# + steps),
        (["--vary", "Progress.seed=1,2", "--set", "Progress.seed=3"], #"--vary "Progress.seed=1,2": 2.seed is already given with --set"#),
        (["--vary", "Progress.seed=1,2", "--vary", "2.seed=3"], #"--vary "2.seed=3": 2.seed is already given with --vary"#),
        (["--vary", "Progress.seed=1,,2"], #"--vary "Progress.seed=1,,2": an empty value; give values as a,b,c or a range low..high"#),
        (["--vary", "Progress.seed=9..1"], #"--vary "Progress.seed=9..1": the range 9..1 is empty; write it low..high"#),
        (["--vary", "Progress.seed=1..1001"], #"--vary "Progress.seed=1..1001": the range 1..1001 has 1001 values; at most 1000 in one batch"#),
        (["--vary", "Progress.seed=1..40", "--vary", "Progress.steps=1..40"], "--vary: 1600 combinations; at most 1000 in one batch"),
        (["--seed", "often"], #"--seed "often": expected saved, fixed or randomize"#),
    ] as [([String], String)])
    func aBadSetOrVaryExits2WithItsMessageAndNothingIsSent(options: [String], message: String) async throws {
        let (folder, simulator) = (try TestFolder(), try await Self.simulator())
        let ran = try await run(["run", Self.loop, "--server", simulator.baseURL] + options, folder: folder)
        #expect(ran.status == 2)
        #expect(ran.stderr == "comfysh run: \(message)\n")
        #expect(ran.lines.isEmpty)
        #expect(await simulator.completedRuns.isEmpty)
        #expect(await simulator.queueRemaining == 0)
        await simulator.stop()
    }

    @Test func anAmbiguousTitleOrAChoiceNotOfferedListsTheCandidates() async throws {
        let (folder, simulator) = (try TestFolder(), try await Self.simulator())
        let two = try Self.twoEmptyImages(in: folder)
        let ambiguous = try await run(["run", two, "--server", simulator.baseURL, "--set", "Empty Image.width=8"], folder: folder)
        #expect(ambiguous.status == 2)
        #expect(
            ambiguous.stderr
                == #"comfysh run: --set "Empty Image.width=8": 2 nodes are titled "Empty Image": 1 (EmptyImage), 5 (EmptyImage); use the node id"# + "\n")
        let choice = try await run(["run", Self.sd35, "--server", simulator.baseURL, "--vary", "KSampler.scheduler=simple,often"], folder: folder)
        #expect(choice.status == 2)
        #expect(
            choice.stderr
                == #"comfysh run: --vary "KSampler.scheduler=simple,often": "often" is not one of the choices; input "scheduler" of node 3 "KSampler" (KSampler) takes one of: simple, sgm_uniform, karras, exponential, ddim_uniform, beta, normal, linear_quadratic, kl_optimal"#
                    + "\n")
        // A file that cannot be converted says which node and why, before anything is sent.
        let refused = Self.fixtures.appendingPathComponent("workflows/template_rob_realistic_2k_images_quick_variations.json").path
        let lacking = try await run(["run", refused, "--server", simulator.baseURL], folder: folder)
        #expect(lacking.status == 2)
        #expect(
            lacking.stderr
                == "comfysh run: \(refused): node 104:107 \"ImageRemoveAlpha+\" (ImageRemoveAlpha+): the server has no node class \"ImageRemoveAlpha+\" (a custom node that is not installed, or one from a newer ComfyUI)\n")
        #expect(await simulator.completedRuns.isEmpty)
        await simulator.stop()
    }

    @Test func aVaryBatchSpreadsAcrossTwoServersAndTheJobStoreKeepsTheLabels() async throws {
        let folder = try TestFolder()
        let (a, b) = (try await Self.simulator(), try await Self.simulator())
        let ran = try await run(
            ["run", Self.loop, "--server", "a=\(a.baseURL)", "--server", "b=\(b.baseURL)", "--set", "Progress.steps=3", "--vary", "Progress.seed=1..6",
             "--json"], folder: folder)
        #expect(ran.status == 0, "\(ran.stderr)")
        let prompts = try #require(ran.events.last?["prompts"]?.arrayValue)
        #expect(prompts.count == 6)
        #expect(prompts.allSatisfy { $0["status"] == "succeeded" })
        let (onA, onB) = (await a.completedRuns, await b.completedRuns)
        #expect(!onA.isEmpty && !onB.isEmpty, "a ran \(onA.count), b ran \(onB.count)")
        #expect(onA.count + onB.count == 6)
        for (index, prompt) in prompts.enumerated() {
            let id = try #require(prompt["prompt_id"]?.stringValue)
            #expect(prompt["label"] == .string("editor_progress_loop.json Progress.seed=\(index + 1)"))
            let graph = onA[id] != nil ? await a.ranGraph(of: id) : await b.ranGraph(of: id)
            #expect(graph?["2"]?["inputs"]?["seed"] == .number(Double(index + 1)))
        }
        await a.stop()
        await b.stop()
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        let process = try Subprocess(["jobs", "--jobs", store], environment: folder.environment)
        let (listed, status) = await process.finish()
        #expect(status == 0)
        let labels = listed.compactMap { line in line.range(of: "editor_progress_loop.json").map { String(line[$0.lowerBound...]) } }
        #expect(labels.count == 6)
        #expect(Set(labels) == Set((1...6).map { "editor_progress_loop.json Progress.seed=\($0)" }))
    }

    /// Servers of a fleet can differ: one without the test pack is left out (routing reads
    /// the classes), the other converts the workflow with its own catalogue.
    @Test func aServerWithoutANodeClassIsLeftOutAndAnotherConvertsIt() async throws {
        let folder = try TestFolder()
        let lacking = try await Self.simulator(catalog: .fleetMember(missing: ["TestProgressLoop"]))
        let full = try await Self.simulator()
        let ran = try await run(
            ["run", Self.loop, "--server", "lacking=\(lacking.baseURL)", "--server", "full=\(full.baseURL)", "--vary", "Progress.steps=2,3",
             "--json"], folder: folder)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(await lacking.completedRuns.isEmpty)
        #expect(await full.completedRuns.count == 2)
        await lacking.stop()
        await full.stop()
    }

    /// The shell: `submit` an editor file with `--set` and `--vary`, then a bad `--set`.
    @Test func theShellSubmitsAnEditorWorkflowWithSetAndVary() async throws {
        let (folder, simulator) = (try TestFolder(), try await Self.simulator())
        let script = [
            "submit \(Self.loop) --set Progress.steps=2 --vary Progress.seed=5,6 --watch",
            "submit \(Self.loop) --set Progress.sed=1",
        ]
        let shell = try Subprocess(["--server", simulator.baseURL], environment: folder.environment, stdin: script.joined(separator: "\n") + "\n")
        let (lines, status) = await shell.finish()
        #expect(status == 0, "\(shell.stderr)")
        let submitted = lines.filter { $0.hasPrefix("submitted ") }
        #expect(submitted.count == 2)
        #expect(submitted.map { String($0.suffix(from: $0.range(of: " · ")?.upperBound ?? $0.endIndex)) } == ["Progress.seed=5", "Progress.seed=6"])
        #expect(submitted.allSatisfy { $0.contains(" (3 nodes) as #") })
        #expect(lines.filter { $0.hasPrefix("✔ ") && $0.contains(": succeeded in ") }.count == 2)
        #expect(
            lines.contains(
                #"✘ --set "Progress.sed=1": node 2 "Progress" (TestProgressLoop) has no input "sed"; its inputs: steps, delay, preview, preview_size, progress_text, seed"#))
        var seeds: [JSONValue?] = []
        for line in submitted {
            let id = String(line.dropFirst("submitted ".count).prefix(36))
            seeds.append(await simulator.ranGraph(of: id)?["2"]?["inputs"]?["seed"])
        }
        #expect(seeds == [5, 6])
        await simulator.stop()
    }
}
