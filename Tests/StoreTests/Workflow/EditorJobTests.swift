import ComfyCore
import Testing

/// A workflow file made into prompts to submit (`WorkflowChoices.prepare`, what `run`,
/// `submit` and `convert` share), and an editor job converted again for another server's
/// catalogue (`EditorJob.prompt(for:)`, what the client does just before it posts).
@Suite struct EditorJobTests {
    /// The basic graph, with a dynamic prompt in the text.
    static func file() -> JSONValue {
        replacingText(ConversionRuleTests.basic().json, with: "a {cat|dog}")
    }

    static func replacingText(_ json: JSONValue, with text: String) -> JSONValue {
        guard case .object(var fields) = json, let n = fields.firstIndex(where: { $0.key == "nodes" }),
            case .array(var nodes) = fields[n].value, let i = nodes.firstIndex(where: { $0["id"] == 2 }), case .object(var node) = nodes[i],
            let w = node.firstIndex(where: { $0.key == "widgets_values" })
        else { return json }
        node[w].value = [.string(text)]
        nodes[i] = .object(node)
        fields[n].value = .array(nodes)
        return .object(fields)
    }

    /// MiniCatalog with one class left out, or one input's declaration replaced.
    static func catalog(without: String? = nil, replacing: (String, String, JSONValue)? = nil) -> NodeCatalog {
        guard case .object(var classes) = MiniCatalog.objectInfo else { fatalError() }
        classes.removeAll { $0.key == without }
        if let (className, input, declaration) = replacing, let c = classes.firstIndex(where: { $0.key == className }),
            case .object(var info) = classes[c].value, let i = info.firstIndex(where: { $0.key == "input" }),
            case .object(var sections) = info[i].value, let r = sections.firstIndex(where: { $0.key == "required" }),
            case .object(var inputs) = sections[r].value, let k = inputs.firstIndex(where: { $0.key == input })
        {
            inputs[k].value = declaration
            sections[r].value = .object(inputs)
            info[i].value = .object(sections)
            classes[c].value = .object(info)
        }
        return NodeCatalog(objectInfo: .object(classes))
    }

    func prepare(
        _ json: JSONValue = Self.file(), sets: [String] = [], varies: [String] = [], seed: String = "saved",
        catalogs: [NodeCatalog] = [MiniCatalog.catalog]
    ) throws -> [PreparedPrompt] {
        var random = SplitMix64(seed: 7)
        return try WorkflowChoices.parse(sets: sets, varies: varies, seed: seed).prepare(json, catalogs: catalogs, using: &random)
    }

    func problem(_ json: JSONValue = Self.file(), sets: [String] = [], catalogs: [NodeCatalog] = [MiniCatalog.catalog]) -> WorkflowProblem? {
        do {
            _ = try prepare(json, sets: sets, catalogs: catalogs)
            return nil
        } catch let error as WorkflowProblem {
            return error
        } catch {
            return .file("\(error)")
        }
    }

    @Test func aJobKeepsTheFileAndEveryValueChosenAndConvertsToTheSamePrompt() throws {
        let prompts = try prepare(sets: ["KSampler.steps=12"], varies: ["KSampler.cfg=4,5"])
        #expect(prompts.map(\.label) == ["KSampler.cfg=4", "KSampler.cfg=5"])
        for (prompt, cfg) in zip(prompts, [4.0, 5.0]) {
            let job = try #require(prompt.job)
            #expect(job.workflow == Self.file())
            // The user's values first, then what was decided, in the prompt's order.
            #expect(job.values.map(\.from) == ["--set", "--vary", "dynamic prompt", "control"])
            #expect(job.values.map { "\($0.node).\($0.input)" } == ["4.steps", "4.cfg", "2.text", "4.seed"])
            #expect(job.values[0].value == 12 && job.values[1].value == .number(cfg))
            // The {cat|dog} choice made; the seed drawn (its control is randomize).
            #expect(["a cat", "a dog"].contains(job.values[2].value.stringValue ?? ""))
            #expect(job.values[3].value != 42)
            #expect(prompt.graph["4"]?["inputs"]?["seed"] == job.values[3].value)
            // The same catalogue converts the job to the very prompt made here.
            #expect(try job.prompt(for: MiniCatalog.catalog).json == prompt.graph)
        }
        // Each prompt of the batch draws its own seed.
        #expect(prompts[0].job?.values[3].value != prompts[1].job?.values[3].value)
    }

    @Test func seedFixedKeepsTheSavedSeed() throws {
        let job = try #require(try prepare(seed: "fixed").first?.job)
        #expect(job.values.map(\.from) == ["dynamic prompt"])
        #expect(try job.prompt(for: MiniCatalog.catalog).node("4")?.input("seed")?.value == .value(42))
    }

    @Test func anotherServerConvertsWithItsOwnCatalogueAndChecksTheValuesAgain() throws {
        let job = try #require(try prepare(sets: ["KSampler.steps=30"]).first?.job)
        // This server's sampler takes up to 10 steps.
        let older = Self.catalog(replacing: ("Sampler", "steps", ["INT", .object(["default": 20, "min": 1, "max": 10])]))
        #expect(throws: EditorJob.Failure(
            #"this server does not take the value: --set "4.steps=30": 30 is above the maximum 10; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 10"#,
            nodeID: "4", classType: "Sampler")) {
            try job.prompt(for: older)
        }
        let rejection = EditorJob.Failure("x", nodeID: "4", classType: "Sampler").rejection(promptID: "p", server: "b")
        #expect(rejection.type == "conversion_failed")
        #expect(rejection.message == "cannot convert the workflow for b: x")
        #expect(rejection.isServersFault)
        // A server whose latent class has another size range converts with its own.
        let wider = Self.catalog(replacing: ("Latent", "width", ["INT", .object(["default": 512, "min": 16, "max": 8192, "step": 8])]))
        #expect(try job.prompt(for: wider).node("4")?.input("steps")?.value == .value(30))
    }

    @Test func aServerWithoutAClassRefusesTheJobAsAMissingNodeType() throws {
        let job = try #require(try prepare().first?.job)
        let failure: EditorJob.Failure
        do {
            _ = try job.prompt(for: Self.catalog(without: "Encode"))
            Issue.record("converted without the class")
            return
        } catch {
            failure = error
        }
        #expect(failure.missingClass)
        let rejection = failure.rejection(promptID: "p", server: "b")
        #expect(rejection.type == "missing_node_type")
        #expect(
            rejection.message
                == #"cannot convert the workflow for b: node 2 "Encode" (Encode): the server has no node class "Encode" (a custom node that is not installed, or one from a newer ComfyUI)"#)
        #expect(rejection.nodeErrors.map(\.nodeID) == ["2"])
        #expect(rejection.isServersFault)
    }

    @Test func theFirstCatalogueThatConvertsTheFileIsUsed() throws {
        let lacking = Self.catalog(without: "Encode")
        #expect(try prepare(catalogs: [lacking, MiniCatalog.catalog]).count == 1)
        #expect(
            problem(catalogs: [lacking])
                == .file(#"node 2 "Encode" (Encode): the server has no node class "Encode" (a custom node that is not installed, or one from a newer ComfyUI)"#))
        #expect(problem(catalogs: []) == .noCatalog)
        #expect(WorkflowProblem.noCatalog.description == "no server's node catalogue (GET /object_info) is known, and the workflow needs one")
    }

    @Test func anAPIFileIsSentAsItIsUnlessSomethingIsSet() throws {
        let api = prompt(#"{"1": {"class_type": "Save", "inputs": {"filename_prefix": "x", "extra": [1, 2, 3]}}}"#)
        let plain = try prepare(api, catalogs: [])
        #expect(plain == [PreparedPrompt(label: nil, graph: api, job: nil)])
        let body = prompt(#"{"prompt": {"1": {"class_type": "Save", "inputs": {"filename_prefix": "x"}}}, "client_id": "c"}"#)
        #expect(try prepare(body, catalogs: []).first?.graph == body["prompt"])
        #expect(problem(api, sets: ["1.filename_prefix=y"], catalogs: []) == .noCatalog)
        let set = try prepare(api, sets: ["1.filename_prefix=y"])
        #expect(set.first?.graph["1"]?["inputs"]?["filename_prefix"] == "y")
        #expect(set.first?.job == nil)
    }

    @Test func aFileThatIsNeitherFormatOrHasNothingToSendIsSaidSo() {
        #expect(
            problem(prompt(#"{"a": 1}"#))?.message(file: "f.json")
                == "f.json: not a workflow: neither the API format (nodes with a class_type) nor the editor's (a nodes and links list)")
        var notes = EditorGraphBuilder()
        notes.node(1, "Note", values: ["just a note"])
        #expect(
            problem(notes.json)?.message(file: "f.json")
                == "f.json: the workflow has no node to send (it is empty, or every node is a note, muted or bypassed)")
        #expect(problem(sets: ["KSampler.steps=0"])?.message(file: "f.json")
            == #"--set "KSampler.steps=0": 0 is below the minimum 1; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
    }

    @Test func theJobTravelsInTheBodyAndIsDroppedFromWhatIsSent() throws {
        let job = try #require(try prepare(sets: ["KSampler.steps=12"]).first?.job)
        #expect(EditorJob(json: job.json) == job)
        let body = JSONValue.object([
            JSONField("prompt", prompt(#"{"9": {"class_type": "X", "inputs": {}}}"#)), JSONField("client_id", "c"),
            JSONField("prompt_id", "p"), JSONField(EditorJob.bodyKey, job.json),
        ])
        #expect(EditorJob(body: body) == job)
        let converted = try job.prompt(for: MiniCatalog.catalog)
        let sent = EditorJob.body(body, sending: converted)
        #expect(sent.objectValue?.map(\.key) == ["prompt", "client_id", "prompt_id"])
        #expect(sent["prompt"] == converted.json)
        #expect(EditorJob(body: sent) == nil)
    }
}
