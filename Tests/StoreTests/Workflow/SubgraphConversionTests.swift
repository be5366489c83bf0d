import ComfyCore
import Testing

/// Subgraphs are flattened: inner nodes get the path of instance ids as their id, links
/// cross the boundary both ways, and an instance's promoted widgets give their values.
@Suite struct SubgraphConversionTests {
    static let samplerID = "11111111-2222-4333-8444-555555555555"
    static let outerID = "99999999-8888-4777-8666-555555555555"

    /// A subgraph holding one sampler; its four inputs feed the sampler, its output is
    /// the sampler's. The seed input is a widget's socket, so the instance promotes it.
    static var samplerDefinition: JSONValue {
        var inner = EditorGraphBuilder()
        inner.node(10, "Sampler",
                   inputs: [("model", "MODEL"), ("positive", "CONDITIONING"), ("latent_image", "LATENT"), ("seed", "INT")],
                   widgetInputs: ["seed"], outputs: [("LATENT", "LATENT")], values: [1, "fixed", 25, 5.0, "euler"])
        inner.boundaryLink(100, port: 0, 10, "model", type: "MODEL")
        inner.boundaryLink(101, port: 1, 10, "positive", type: "CONDITIONING")
        inner.boundaryLink(102, port: 2, 10, "latent_image", type: "LATENT")
        inner.boundaryLink(103, port: 3, 10, "seed", type: "INT")
        inner.outputLink(104, 10, 0, port: 0, type: "LATENT")
        return inner.definition(
            id: samplerID, name: "Sampler group",
            inputs: [("model", "MODEL", [100]), ("positive", "CONDITIONING", [101]), ("latent", "LATENT", [102]), ("seed", "INT", [103])],
            outputs: [("LATENT", "LATENT", [104])])
    }

    /// A subgraph holding an instance of the sampler subgraph, its ports passed through.
    static var outerDefinition: JSONValue {
        var inner = EditorGraphBuilder()
        inner.node(20, samplerID, inputs: [("model", "MODEL"), ("positive", "CONDITIONING"), ("latent", "LATENT"), ("seed", "INT")],
                   widgetInputs: ["seed"], outputs: [("LATENT", "LATENT")])
        inner.boundaryLink(200, port: 0, 20, "model", type: "MODEL")
        inner.boundaryLink(201, port: 1, 20, "positive", type: "CONDITIONING")
        inner.boundaryLink(202, port: 2, 20, "latent", type: "LATENT")
        inner.boundaryLink(203, port: 3, 20, "seed", type: "INT")
        inner.outputLink(204, 20, 0, port: 0, type: "LATENT")
        return inner.definition(
            id: outerID, name: "Outer",
            inputs: [("model", "MODEL", [200]), ("positive", "CONDITIONING", [201]), ("latent", "LATENT", [202]), ("seed", "INT", [203])],
            outputs: [("LATENT", "LATENT", [204])])
    }

    /// The basic graph with node 4 an instance of `type`.
    static func graph(instance type: String = samplerID, mode: Int = 0, values: JSONValue? = nil) -> EditorGraphBuilder {
        var g = EditorGraphBuilder()
        g.node(1, "Loader", outputs: [("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")], values: ["b.safetensors"])
        g.node(2, "Encode", inputs: [("clip", "CLIP")], outputs: [("CONDITIONING", "CONDITIONING")], values: ["a cat"])
        g.node(3, "Latent", outputs: [("LATENT", "LATENT")], values: [768, 512, 2])
        g.node(4, type, mode: mode, inputs: [("model", "MODEL"), ("positive", "CONDITIONING"), ("latent", "LATENT"), ("seed", "INT")],
               widgetInputs: ["seed"], outputs: [("LATENT", "LATENT")], values: values)
        g.node(5, "Decode", inputs: [("samples", "LATENT"), ("vae", "VAE")], outputs: [("IMAGE", "IMAGE")])
        g.link(1, 1, 1, 2, "clip")
        g.link(2, 1, 0, 4, "model")
        g.link(3, 2, 0, 4, "positive")
        g.link(4, 3, 0, 4, "latent")
        g.link(5, 4, 0, 5, "samples")
        g.link(6, 1, 2, 5, "vae")
        g.subgraphs = [samplerDefinition, outerDefinition]
        return g
    }

    @Test func innerNodesTakeThePathOfInstancesAsTheirIdAndLinksCrossTheBoundary() throws {
        let converted = try Self.graph().convert()
        #expect(converted.nodes.map(\.id) == ["1", "2", "3", "4:10", "5"])
        #expect(
            converted.node("4:10")?.json == prompt(#"""
                {"inputs": {"seed": 1, "steps": 25, "cfg": 5, "sampler_name": "euler",
                            "model": ["1", 0], "positive": ["2", 0], "latent_image": ["3", 0]},
                 "class_type": "Sampler", "_meta": {"title": "KSampler"}}
                """#))
        #expect(converted.node("5")?.input("samples")?.value == .link("4:10", 0))
    }

    @Test func theInstancesValueForAPromotedWidgetWins() throws {
        let sampler = try Self.graph(values: [77]).convert().node("4:10")
        #expect(sampler?.input("seed")?.value == .value(77))
        // The inner widget's control comes along, grouped under the instance's input.
        #expect(sampler?.input("seed")?.control == ValueControl(mode: .fixed, group: "4.seed"))
    }

    @Test func anOlderSaveKeepsTheControlValueAfterThePromotedValue() throws {
        let sampler = try Self.graph(values: [77, "randomize"]).convert().node("4:10")
        #expect(sampler?.input("seed") == APIInput(name: "seed", value: .value(77), control: ValueControl(mode: .randomize, group: "4.seed")))
    }

    @Test func aLinkIntoThePromotedInputWinsOverItsValue() throws {
        var g = Self.graph(values: [77])
        g.node(9, "Forced", outputs: [("INT", "INT")], values: [3])
        g.link(20, 9, 0, 4, "seed")
        #expect(try g.convert().node("4:10")?.input("seed")?.value == .link("9", 0))
    }

    @Test func nestedSubgraphsNestTheirIds() throws {
        let converted = try Self.graph(instance: Self.outerID, values: [55]).convert()
        #expect(converted.nodes.map(\.id) == ["1", "2", "3", "4:20:10", "5"])
        #expect(converted.node("4:20:10")?.input("model")?.value == .link("1", 0))
        #expect(converted.node("4:20:10")?.input("seed")?.value == .value(55))
        #expect(converted.node("5")?.input("samples")?.value == .link("4:20:10", 0))
    }

    @Test func aBypassedInstanceIsLeftOutAndPassesItsInputOfTheWantedType() throws {
        let converted = try Self.graph(mode: 4).convert()
        #expect(converted.nodes.map(\.id) == ["1", "2", "3", "5"])
        #expect(converted.node("5")?.input("samples")?.value == .link("3", 0))
    }

    @Test func aMutedInstanceIsLeftOutWithWhatItFed() throws {
        let converted = try Self.graph(mode: 2).convert()
        #expect(converted.nodes.map(\.id) == ["1", "2", "3", "5"])
        #expect(converted.node("5")?.input("samples") == nil)
    }
}
