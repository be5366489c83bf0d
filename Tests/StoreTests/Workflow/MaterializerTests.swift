import ComfyCore
import Testing

/// Per submission: controls after generate applied (a fresh seed for `randomize`, as the
/// editor makes one) and dynamic prompts resolved, with the randomness injected.
@Suite struct MaterializerTests {
    let materializer = PromptMaterializer(catalog: MiniCatalog.catalog)

    /// The first unit draw of `SplitMix64(seed: seed)`, as the materializer will make it.
    func unit(_ seed: UInt64) -> Double {
        var random = SplitMix64(seed: seed)
        return Double.random(in: 0..<1, using: &random)
    }

    @Test func randomizeDrawsASeedAsTheEditorDoesBelowTwoToTheFifty() throws {
        var random = SplitMix64(seed: 1)
        let sent = materializer.submission(try ConversionRuleTests.basic().convert(), using: &random)
        let seed = (unit(1) * 1_125_899_906_842_624).rounded(.down)
        #expect(sent.node("4")?.input("seed")?.value == .value(.number(seed)))
        #expect(seed != 42)
    }

    @Test func seedFixedKeepsTheSavedValue() throws {
        var random = SplitMix64(seed: 1)
        let sent = PromptMaterializer(catalog: MiniCatalog.catalog, seeds: .fixed)
            .submission(try ConversionRuleTests.basic().convert(), using: &random)
        #expect(sent.node("4")?.input("seed")?.value == .value(42))
    }

    @Test func seedRandomizeReachesWidgetsSavedAsFixed() throws {
        var random = SplitMix64(seed: 2)
        let converted = try ConversionRuleTests.basic(sampler: [42, "fixed", 30, 6.5, "euler"]).convert()
        #expect(materializer.submission(converted, using: &random).node("4")?.input("seed")?.value == .value(42))
        random = SplitMix64(seed: 2)
        let randomized = PromptMaterializer(catalog: MiniCatalog.catalog, seeds: .randomize).submission(converted, using: &random)
        #expect(randomized.node("4")?.input("seed")?.value == .value(.number((unit(2) * 1_125_899_906_842_624).rounded(.down))))
    }

    @Test func incrementAndDecrementStepOncePerSubmissionOfABatch() throws {
        var random = SplitMix64(seed: 1)
        let up = try ConversionRuleTests.basic(sampler: [42, "increment", 30, 6.5, "euler"]).convert()
        #expect(materializer.submission(up, index: 0, using: &random).node("4")?.input("seed")?.value == .value(42))
        #expect(materializer.submission(up, index: 3, using: &random).node("4")?.input("seed")?.value == .value(45))
        let down = try ConversionRuleTests.basic(sampler: [1, "decrement", 30, 6.5, "euler"]).convert()
        #expect(materializer.submission(down, index: 5, using: &random).node("4")?.input("seed")?.value == .value(0))
    }

    @Test func widgetsFedByOnePrimitiveGetTheSameFreshValue() throws {
        var g = ConversionRuleTests.basic()
        g.node(7, "PrimitiveNode", outputs: [("INT", "INT")], values: [5, "randomize"])
        g.node(8, "Noise", inputs: [("noise_seed", "INT")], widgetInputs: ["noise_seed"], outputs: [("NOISE", "NOISE")], values: [0, "fixed", "other"])
        g.link(30, 7, 0, 4, "seed")
        g.link(31, 7, 0, 8, "noise_seed")
        var random = SplitMix64(seed: 3)
        let sent = materializer.submission(try g.convert(), using: &random)
        // The sampler's range (0…2^50) decides the value; the noise node gets the same one.
        let value = sent.node("4")?.input("seed")?.value
        #expect(value == .value(.number((unit(3) * 1_125_899_906_842_624).rounded(.down))))
        #expect(sent.node("8")?.input("noise_seed")?.value == value)
    }

    @Test func dynamicPromptsAreResolvedPerSubmission() throws {
        var g = ConversionRuleTests.basic()
        g.node(7, "Encode", inputs: [("clip", "CLIP")], values: ["a {red|blue} hat // the colour varies"])
        var random = SplitMix64(seed: 4)
        let sent = PromptMaterializer(catalog: MiniCatalog.catalog, seeds: .fixed).submission(try g.convert(), using: &random)
        let colour = unit(4) < 0.5 ? "red" : "blue"
        #expect(sent.node("7")?.input("text")?.value == .value(.string("a \(colour) hat ")))
        #expect(sent.node("2")?.input("text")?.value == .value("a cat"))
    }

    @Test func dynamicPromptSyntax() {
        var random = SplitMix64(seed: 9)
        #expect(DynamicPrompt.resolve("plain text", using: &random) == "plain text")
        #expect(DynamicPrompt.resolve(#"literal \{braces\} and \| bar"#, using: &random) == "literal {braces} and | bar")
        #expect(DynamicPrompt.resolve("keep /* gone\nacross lines */this", using: &random) == "keep this")
        #expect(DynamicPrompt.resolve("{only}", using: &random) == "only")
        #expect(DynamicPrompt.resolve("{a|b", using: &random).count == 1)
        for _ in 0..<20 {
            #expect(["a", "b", "c"].contains(DynamicPrompt.resolve("{a|{b|c}}", using: &random)))
        }
        #expect(DynamicPrompt.resolve("see https://example.com now", using: &random) == "see https:")
    }
}
