import ComfyCore
import Testing

/// Each rule of the editor's conversion on a small hand-written graph, with the exact
/// prompt it must give (docs/workflows.md names the template that exercises each).
@Suite struct ConversionRuleTests {
    /// Checkpoint → text encode → sampler ← latent; sampler → decode → save.
    static func basic(sampler values: JSONValue = [42, "randomize", 30, 6.5, "dpmpp_2m"]) -> EditorGraphBuilder {
        var g = EditorGraphBuilder()
        g.node(1, "Loader", outputs: [("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")], values: ["b.safetensors"])
        g.node(2, "Encode", inputs: [("clip", "CLIP"), ("text", "STRING")], widgetInputs: ["text"],
               outputs: [("CONDITIONING", "CONDITIONING")], values: ["a cat"])
        g.node(3, "Latent", outputs: [("LATENT", "LATENT")], values: [768, 512, 2])
        g.node(4, "Sampler",
               inputs: [("model", "MODEL"), ("positive", "CONDITIONING"), ("latent_image", "LATENT"), ("seed", "INT"), ("steps", "INT")],
               widgetInputs: ["seed", "steps"], outputs: [("LATENT", "LATENT")], values: values)
        g.node(5, "Decode", inputs: [("samples", "LATENT"), ("vae", "VAE")], outputs: [("IMAGE", "IMAGE")])
        g.node(6, "Save", title: "Final", inputs: [("images", "IMAGE")], values: ["out"])
        g.link(1, 1, 1, 2, "clip")
        g.link(2, 1, 0, 4, "model")
        g.link(3, 2, 0, 4, "positive")
        g.link(4, 3, 0, 4, "latent_image")
        g.link(5, 4, 0, 5, "samples")
        g.link(6, 1, 2, 5, "vae")
        g.link(7, 5, 0, 6, "images")
        return g
    }

    @Test func widgetValuesFollowTheInputOrderSkippingLinksAndTheControlValue() throws {
        let converted = try Self.basic().convert()
        #expect(
            converted.json == prompt(#"""
                {"1": {"inputs": {"ckpt_name": "b.safetensors"}, "class_type": "Loader", "_meta": {"title": "Load Checkpoint"}},
                 "2": {"inputs": {"text": "a cat", "clip": ["1", 1]}, "class_type": "Encode", "_meta": {"title": "Text Encode"}},
                 "3": {"inputs": {"width": 768, "height": 512, "batch_size": 2}, "class_type": "Latent", "_meta": {"title": "Empty Latent"}},
                 "4": {"inputs": {"seed": 42, "steps": 30, "cfg": 6.5, "sampler_name": "dpmpp_2m",
                                  "model": ["1", 0], "positive": ["2", 0], "latent_image": ["3", 0]},
                       "class_type": "Sampler", "_meta": {"title": "KSampler"}},
                 "5": {"inputs": {"samples": ["4", 0], "vae": ["1", 2]}, "class_type": "Decode", "_meta": {"title": "VAE Decode"}},
                 "6": {"inputs": {"filename_prefix": "out", "images": ["5", 0]}, "class_type": "Save", "_meta": {"title": "Final"}}}
                """#))
        #expect(converted.node("4")?.input("seed")?.control == ValueControl(mode: .randomize, group: "4.seed"))
        #expect(converted.node("2")?.input("text")?.dynamicPrompt == true)
    }

    @Test func aLinkIntoAWidgetReplacesItsValueInPlace() throws {
        var g = Self.basic()
        g.node(9, "Forced", outputs: [("INT", "INT")], values: [7])
        g.link(20, 9, 0, 4, "seed")
        let sampler = try g.convert().node("4")
        #expect(sampler?.inputs.map(\.name) == ["seed", "steps", "cfg", "sampler_name", "model", "positive", "latent_image"])
        #expect(sampler?.input("seed")?.value == .link("9", 0))
    }

    @Test func aSaveFromBeforeTheControlWidgetHasNoControlSlot() throws {
        let sampler = try Self.basic(sampler: [42, 30, 6.5, "ddim"]).convert().node("4")
        #expect(sampler?.input("seed")?.value == .value(42))
        #expect(sampler?.input("steps")?.value == .value(30))
        #expect(sampler?.input("sampler_name")?.value == .value("ddim"))
        #expect(sampler?.input("seed")?.control == nil)
    }

    @Test func widgetsMissingFromTheSaveTakeTheirDefaults() throws {
        let sampler = try Self.basic(sampler: [42, "fixed"]).convert().node("4")
        #expect(sampler?.input("steps")?.value == .value(20))
        #expect(sampler?.input("cfg")?.value == .value(7))
        #expect(sampler?.input("sampler_name")?.value == .value("euler"))
        #expect(sampler?.input("seed")?.control == ValueControl(mode: .fixed, group: "4.seed"))
    }

    @Test func veryOldSavesKeptASlotForForcedInputs() throws {
        var g = EditorGraphBuilder()
        g.node(1, "Forced", values: [5, 9])
        g.node(2, "Forced", values: [9])
        let converted = try g.convert()
        #expect(converted.node("1")?.inputs == [APIInput(name: "b", value: .value(9))])
        #expect(converted.node("2")?.inputs == [APIInput(name: "b", value: .value(9))])
    }

    @Test func namedWidgetValuesAreReadByName() throws {
        var g = EditorGraphBuilder()
        g.node(1, "Latent", values: .object([JSONField("height", 640), JSONField("width", 320)]))
        #expect(try g.convert().json == prompt(#"""
            {"1": {"inputs": {"width": 320, "height": 640, "batch_size": 1}, "class_type": "Latent", "_meta": {"title": "Empty Latent"}}}
            """#))
    }

    @Test func aPrimitiveNodeSetsEveryWidgetItFeedsAndIsNotSent() throws {
        var g = Self.basic()
        g.node(7, "PrimitiveNode", outputs: [("INT", "INT")], values: [1234, "randomize"])
        g.node(8, "Noise", inputs: [("noise_seed", "INT")], widgetInputs: ["noise_seed"], outputs: [("NOISE", "NOISE")], values: [5, "fixed", "other"])
        g.link(30, 7, 0, 4, "seed")
        g.link(31, 7, 0, 8, "noise_seed")
        let converted = try g.convert()
        #expect(converted.node("7") == nil)
        #expect(converted.node("4")?.input("seed") == APIInput(name: "seed", value: .value(1234), control: ValueControl(mode: .randomize, group: "7")))
        #expect(converted.node("8")?.inputs == [
            APIInput(name: "noise_seed", value: .value(1234), control: ValueControl(mode: .randomize, group: "7")),
            APIInput(name: "mode", value: .value("other")),
        ])
    }

    @Test func reroutesAndNotesAreLookedThroughAndLeftOut() throws {
        var g = Self.basic()
        g.node(10, "Reroute", inputs: [("", "*")], outputs: [("", "MODEL")])
        g.node(11, "Reroute", inputs: [("", "*")], outputs: [("", "MODEL")])
        g.node(12, "Note", values: ["remember"])
        g.node(13, "MarkdownNote", values: ["# read me"])
        g.link(40, 1, 0, 10, "")
        g.link(41, 10, 0, 11, "")
        g.link(2, 11, 0, 4, "model")  // replaces the direct link
        let converted = try g.convert()
        #expect(converted.nodes.map(\.id) == ["1", "2", "3", "4", "5", "6"])
        #expect(converted.node("4")?.input("model")?.value == .link("1", 0))
    }

    @Test func aMutedNodeIsLeftOutWithTheInputsItFed() throws {
        var g = Self.basic()
        g.node(8, "Lora", mode: 2, inputs: [("model", "MODEL"), ("clip", "CLIP")], outputs: [("MODEL", "MODEL"), ("CLIP", "CLIP")],
               values: ["x.safetensors", 0.8])
        g.link(50, 1, 0, 8, "model")
        g.link(2, 8, 0, 4, "model")
        let converted = try g.convert()
        #expect(converted.node("8") == nil)
        #expect(converted.node("4")?.input("model") == nil)
    }

    @Test func aBypassedNodePassesTheInputOfTheTypeEachOutputNeeds() throws {
        var g = Self.basic()
        g.node(8, "Lora", mode: 4, inputs: [("model", "MODEL"), ("clip", "CLIP")], outputs: [("MODEL", "MODEL"), ("CLIP", "CLIP")],
               values: ["x.safetensors", 0.8])
        g.link(50, 1, 0, 8, "model")
        g.link(51, 1, 1, 8, "clip")
        g.link(2, 8, 0, 4, "model")
        g.link(1, 8, 1, 2, "clip")
        let converted = try g.convert()
        #expect(converted.node("8") == nil)
        #expect(converted.node("4")?.input("model")?.value == .link("1", 0))
        #expect(converted.node("2")?.input("clip")?.value == .link("1", 1))
    }

    @Test func aBypassedNodeWithNoInputOfTheWantedTypeFeedsNothing() throws {
        // ImageToMask bypassed: its MASK output has no MASK input to pass on. The editor
        // leaves the consumer's input out; linking the IMAGE would be a type error.
        var g = EditorGraphBuilder()
        g.node(1, "Loader", outputs: [("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")], values: ["a.safetensors"])
        g.node(2, "Latent", outputs: [("LATENT", "LATENT")], values: [64, 64, 1])
        g.node(3, "Decode", inputs: [("samples", "LATENT"), ("vae", "VAE")], outputs: [("IMAGE", "IMAGE")])
        g.node(4, "ToMask", mode: 4, inputs: [("image", "IMAGE")], outputs: [("MASK", "MASK")], values: ["red"])
        g.node(5, "Composite", inputs: [("image", "IMAGE"), ("mask", "MASK")], outputs: [("IMAGE", "IMAGE")])
        g.link(1, 2, 0, 3, "samples")
        g.link(2, 1, 2, 3, "vae")
        g.link(3, 3, 0, 4, "image")
        g.link(4, 3, 0, 5, "image")
        g.link(5, 4, 0, 5, "mask")
        #expect(try g.convert().node("5")?.inputs == [APIInput(name: "image", value: .link("3", 0))])
    }

    @Test func listValuesAreWrappedSoTheyAreNotReadAsLinks() throws {
        var g = EditorGraphBuilder()
        g.node(1, "Boxes", values: [1024, [.object([JSONField("x", 1)])], "#ff0000"])
        #expect(try g.convert().json == prompt(#"""
            {"1": {"inputs": {"width": 1024, "boxes": {"__value__": [{"x": 1}]}, "color": "#ff0000"},
                   "class_type": "Boxes", "_meta": {"title": "Boxes"}}}
            """#))
    }

    @Test func aDynamicComboIsFollowedByTheWidgetsOfItsSelectedOption() throws {
        var g = EditorGraphBuilder()
        g.node(1, "Resize", inputs: [("image", "IMAGE")], values: ["scale", 640, 480, "lanczos"])
        g.node(2, "Resize", inputs: [("image", "IMAGE")], values: ["factor", 2.5, "nearest"])
        let converted = try g.convert()
        #expect(converted.node("1")?.inputs.map(\.name) == ["resize_type", "resize_type.width", "resize_type.height", "method"])
        #expect(converted.node("1")?.input("resize_type.height")?.value == .value(480))
        #expect(converted.node("2")?.inputs == [
            APIInput(name: "resize_type", value: .value("factor")), APIInput(name: "resize_type.multiplier", value: .value(2.5)),
            APIInput(name: "method", value: .value("nearest")),
        ])
    }

    @Test func customComboSendsTheEditorsIndexAndOptions() throws {
        var g = EditorGraphBuilder()
        g.node(1, "CustomCombo", values: ["b", 0, "a", "b", ""])
        #expect(try g.convert().json == prompt(#"""
            {"1": {"inputs": {"choice": "b", "index": 1, "option1": "a", "option2": "b", "option3": ""},
                   "class_type": "CustomCombo", "_meta": {"title": "Custom Combo"}}}
            """#))
    }

    @Test func linksMayBeObjectsAsInsideSubgraphs() throws {
        var g = Self.basic()
        g.objectLinks = true
        #expect(try g.convert().json == (try Self.basic().convert().json))
    }
}
