import ComfyCore
import Testing

/// `comfysh inputs`, and `--set NODE.INPUT=VALUE`: found by id or unique title, checked
/// against the input's type, range and choices, every error with its exact message.
@Suite struct InputOverrideTests {
    /// The basic graph plus a second "Text Encode", a resize titled with a dot, a switch.
    static func converted() throws -> APIPrompt {
        var g = ConversionRuleTests.basic()
        g.node(7, "Encode", inputs: [("clip", "CLIP")], values: ["a dog"])
        g.node(8, "Resize", title: "Resize.v2", inputs: [("image", "IMAGE")], values: ["scale", 640, 480, "lanczos"])
        g.node(9, "Switch", values: [false])
        g.link(60, 1, 1, 7, "clip")
        return try g.convert()
    }

    func set(_ arguments: String..., on base: APIPrompt? = nil) throws -> APIPrompt {
        var prompt = try base ?? Self.converted()
        try prompt.apply(try arguments.map { try InputOverride.parse($0) }, catalog: MiniCatalog.catalog)
        return prompt
    }

    func failure(_ arguments: String...) -> String? {
        do {
            var prompt = try Self.converted()
            try prompt.apply(try arguments.map { try InputOverride.parse($0) }, catalog: MiniCatalog.catalog)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theListingNamesEveryValueWithItsTypeAndConstraint() throws {
        let inputs = WorkflowInputs.list(try Self.converted(), catalog: MiniCatalog.catalog)
        #expect(inputs.map { "\($0.nodeID).\($0.name)" } == [
            "1.ckpt_name", "2.text", "3.width", "3.height", "3.batch_size", "4.seed", "4.steps", "4.cfg", "4.sampler_name",
            "6.filename_prefix", "7.text", "8.resize_type", "8.resize_type.width", "8.resize_type.height", "8.method", "9.switch",
        ])
        let seed = try #require(inputs.first { $0.name == "seed" })
        #expect(seed.type == "INT")
        #expect(seed.value == 42)
        #expect(seed.constraint == .range(min: 0, max: 18_446_744_073_709_551_615, step: nil))
        #expect(seed.control == .randomize)
        #expect(seed.takes == "an INT from 0 to 18446744073709551615")
        let sampler = try #require(inputs.first { $0.name == "sampler_name" })
        #expect(sampler.constraint == .choices(["euler", "dpmpp_2m", "ddim"]))
        #expect(inputs.first { $0.name == "resize_type" }?.constraint == .choices(["scale", "factor"]))
        #expect(inputs.first { $0.name == "resize_type.width" }?.takes == "an INT from 0 to 8192")
        #expect(inputs.first { $0.name == "switch" }?.takes == "a BOOLEAN")
        #expect(
            seed.json == prompt(#"""
                {"node": "4", "title": "KSampler", "class_type": "Sampler", "input": "seed", "type": "INT", "value": 42,
                 "min": 0, "max": 18446744073709551615, "control_after_generate": "randomize"}
                """#))
    }

    @Test func setsByIdOrByTitleAndTheValueIsNoLongerControlled() throws {
        let byID = try set("4.seed=7")
        #expect(byID.node("4")?.input("seed") == APIInput(name: "seed", value: .value(7)))
        let byTitle = try set("KSampler.cfg=4.5", "Final.filename_prefix=run=1", "Resize.v2.resize_type.width=1024")
        #expect(byTitle.node("4")?.input("cfg")?.value == .value(4.5))
        #expect(byTitle.node("6")?.input("filename_prefix")?.value == .value("run=1"))
        #expect(byTitle.node("8")?.input("resize_type.width")?.value == .value(1024))
        let typed = try set("9.switch=true", "KSampler.sampler_name=ddim", "2.text=a {red|blue} hat")
        #expect(typed.node("9")?.input("switch")?.value == .value(true))
        #expect(typed.node("4")?.input("sampler_name")?.value == .value("ddim"))
        #expect(typed.node("2")?.input("text") == APIInput(name: "text", value: .value("a {red|blue} hat"), dynamicPrompt: true))
    }

    @Test func insideASubgraphTheNodeIsNamedByItsPath() throws {
        let inner = try set("4:10.steps=12", on: try SubgraphConversionTests.graph().convert())
        #expect(inner.node("4:10")?.input("steps")?.value == .value(12))
    }

    @Test func choosingAnotherOptionOfADynamicComboSwapsItsInputs() throws {
        let resized = try set("8.resize_type=factor")
        #expect(resized.node("8")?.inputs == [
            APIInput(name: "resize_type", value: .value("factor")), APIInput(name: "method", value: .value("lanczos")),
            APIInput(name: "resize_type.multiplier", value: .value(1)),
        ])
    }

    @Test func editorWidgetsTakeJSONOrText() throws {
        var g = EditorGraphBuilder()
        g.node(1, "Boxes", values: [1024, [], "#000000"])
        let boxes = try set(#"1.boxes=[{"x": 2}]"#, "1.color=#ffffff", on: try g.convert()).node("1")
        #expect(boxes?.input("boxes")?.value == .value([.object([JSONField("x", 2)])]))
        #expect(boxes?.input("color")?.value == .value("#ffffff"))
    }

    @Test func malformedArguments() {
        #expect(failure("KSampler.seed") == #"--set "KSampler.seed": expected NODE.INPUT=VALUE (NODE is a node id or title)"#)
        #expect(failure("seed=1") == #"--set "seed=1": expected NODE.INPUT=VALUE (NODE is a node id or title)"#)
    }

    @Test func anUnknownNodeListsTheNodesThatHaveValues() {
        #expect(
            failure("Sampler.seed=1")
                == #"--set "Sampler.seed=1": no node has the id or title "Sampler"; nodes: 1 "Load Checkpoint" (Loader), 2 "Text Encode" (Encode), 3 "Empty Latent" (Latent), 4 "KSampler" (Sampler), 6 "Final" (Save), 7 "Text Encode" (Encode), 8 "Resize.v2" (Resize), 9 "Switch" (Switch)"#)
    }

    @Test func anAmbiguousTitleListsTheNodesToChooseFrom() {
        #expect(
            failure("Text Encode.text=hi")
                == #"--set "Text Encode.text=hi": 2 nodes are titled "Text Encode": 2 (Encode), 7 (Encode); use the node id"#)
    }

    @Test func anUnknownInputListsTheNodesInputs() {
        #expect(
            failure("KSampler.sed=1")
                == #"--set "KSampler.sed=1": node 4 "KSampler" (Sampler) has no input "sed"; its inputs: seed, steps, cfg, sampler_name"#)
    }

    @Test func aLinkIsNotAValue() {
        #expect(failure("4.model=x") == #"--set "4.model=x": input "model" of node 4 "KSampler" (Sampler) is a link from node 1, not a value"#)
    }

    @Test func valuesAreCheckedAgainstTypeRangeAndChoices() {
        #expect(
            failure("KSampler.steps=abc")
                == #"--set "KSampler.steps=abc": "abc" is not an integer; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
        #expect(
            failure("KSampler.steps=2.5")
                == #"--set "KSampler.steps=2.5": "2.5" is not an integer; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
        #expect(
            failure("KSampler.steps=0")
                == #"--set "KSampler.steps=0": 0 is below the minimum 1; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
        #expect(
            failure("KSampler.steps=101")
                == #"--set "KSampler.steps=101": 101 is above the maximum 100; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
        #expect(
            failure("KSampler.cfg=hot")
                == #"--set "KSampler.cfg=hot": "hot" is not a number; input "cfg" of node 4 "KSampler" (Sampler) takes a FLOAT from 0 to 30"#)
        #expect(
            failure("KSampler.sampler_name=eulr")
                == #"--set "KSampler.sampler_name=eulr": "eulr" is not one of the choices; input "sampler_name" of node 4 "KSampler" (Sampler) takes one of: euler, dpmpp_2m, ddim"#)
        #expect(
            failure("9.switch=maybe")
                == #"--set "9.switch=maybe": "maybe" is not true or false; input "switch" of node 9 "Switch" (Switch) takes a BOOLEAN"#)
        #expect(
            failure("KSampler.seed=18446744073709551615")
                == #"--set "KSampler.seed=18446744073709551615": 18446744073709551615 is beyond 2^53, the largest integer sent exactly; input "seed" of node 4 "KSampler" (Sampler) takes an INT from 0 to 18446744073709551615"#)
    }

    @Test func aTargetThatReadsTwoWaysMustBeWrittenByNodeId() throws {
        var g = EditorGraphBuilder()
        g.node(8, "Resize", title: "X", inputs: [("image", "IMAGE")], values: ["scale", 640, 480, "lanczos"])
        g.node(10, "Latent", title: "X.resize_type", values: [64, 64, 1])
        var converted = try g.convert()
        #expect(throws: InputError(#"--set "X.resize_type.width=128": "X.resize_type.width" could mean 8.resize_type.width, 10.width; use the node id"#)) {
            try converted.apply([try InputOverride.parse("X.resize_type.width=128")], catalog: MiniCatalog.catalog)
        }
        try converted.apply([try InputOverride.parse("10.width=128")], catalog: MiniCatalog.catalog)
        #expect(converted.node("10")?.input("width")?.value == .value(128))
    }
}
