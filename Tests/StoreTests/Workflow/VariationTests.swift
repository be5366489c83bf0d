import ComfyCore
import Testing

/// `--vary NODE.INPUT=a,b,c` and `=1..8`: the cross product, labels, and every error.
@Suite struct VariationTests {
    func combinations(_ arguments: [String], set: [String] = []) throws -> [Combination] {
        try Variations.combinations(
            try arguments.map { try Variation.parse($0) }, prompt: try InputOverrideTests.converted(), catalog: MiniCatalog.catalog,
            fixed: try set.map { try InputOverride.parse($0) })
    }

    func failure(_ arguments: [String], set: [String] = []) -> String? {
        do {
            _ = try combinations(arguments, set: set)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func parsing() throws {
        #expect(try Variation.parse("KSampler.seed=1,2,3").items == ["1", "2", "3"])
        #expect(try Variation.parse(#"2.text=a\,b,c"#).items == ["a,b", "c"])
        let range = try Variation.parse("KSampler.seed=1..4")
        #expect(range.range?.low == 1)
        #expect(range.range?.high == 4)
        #expect(range.target == "KSampler.seed")
    }

    @Test func malformedArguments() {
        #expect(throws: InputError(#"--vary "KSampler.seed": expected NODE.INPUT=VALUE (NODE is a node id or title)"#)) {
            try Variation.parse("KSampler.seed")
        }
        #expect(throws: InputError(#"--vary "KSampler.seed=1,,2": an empty value; give values as a,b,c or a range low..high"#)) {
            try Variation.parse("KSampler.seed=1,,2")
        }
        #expect(throws: InputError(#"--vary "KSampler.seed=8..1": the range 8..1 is empty; write it low..high"#)) {
            try Variation.parse("KSampler.seed=8..1")
        }
        #expect(throws: InputError(#"--vary "KSampler.seed=1..5000": the range 1..5000 has 5000 values; at most 1000 in one batch"#)) {
            try Variation.parse("KSampler.seed=1..5000")
        }
    }

    @Test func theCrossProductChangesTheFirstVarySlowest() throws {
        let all = try combinations(["KSampler.seed=1..2", "4.sampler_name=euler,ddim"])
        #expect(all.map(\.label) == [
            "KSampler.seed=1 4.sampler_name=euler", "KSampler.seed=1 4.sampler_name=ddim",
            "KSampler.seed=2 4.sampler_name=euler", "KSampler.seed=2 4.sampler_name=ddim",
        ])
        let last = try InputOverrideTests.converted().applying(all[3], catalog: MiniCatalog.catalog)
        #expect(last.node("4")?.input("seed") == APIInput(name: "seed", value: .value(2)))
        #expect(last.node("4")?.input("sampler_name")?.value == .value("ddim"))
    }

    @Test func noVaryIsOnePromptAsItIs() throws {
        #expect(try combinations([]) == [Combination(values: [], label: "")])
    }

    @Test func aRangeIsARangeOnlyForNumbers() throws {
        #expect(try combinations(["2.text=1..3"]).map(\.label) == ["2.text=1..3"])
        #expect(try combinations(["KSampler.cfg=1..3"]).map(\.label) == ["KSampler.cfg=1", "KSampler.cfg=2", "KSampler.cfg=3"])
    }

    @Test func everyValueIsChecked() {
        #expect(
            failure(["KSampler.steps=10,0"])
                == #"--vary "KSampler.steps=10,0": 0 is below the minimum 1; input "steps" of node 4 "KSampler" (Sampler) takes an INT from 1 to 100"#)
        #expect(
            failure(["KSampler.sampler_name=euler,fast"])
                == #"--vary "KSampler.sampler_name=euler,fast": "fast" is not one of the choices; input "sampler_name" of node 4 "KSampler" (Sampler) takes one of: euler, dpmpp_2m, ddim"#)
        #expect(
            failure(["Sampler.seed=1,2"])
                == #"--vary "Sampler.seed=1,2": no node has the id or title "Sampler"; nodes: 1 "Load Checkpoint" (Loader), 2 "Text Encode" (Encode), 3 "Empty Latent" (Latent), 4 "KSampler" (Sampler), 6 "Final" (Save), 7 "Text Encode" (Encode), 8 "Resize.v2" (Resize), 9 "Switch" (Switch)"#)
    }

    @Test func anInputIsVariedOnceAndNotAlsoSet() {
        #expect(failure(["KSampler.seed=1,2", "4.seed=3"]) == #"--vary "4.seed=3": 4.seed is already given with --vary"#)
        #expect(failure(["KSampler.seed=1,2"], set: ["4.seed=9"]) == #"--vary "KSampler.seed=1,2": 4.seed is already given with --set"#)
    }

    @Test func aBatchHasAtMostAThousandPrompts() {
        let eleven = (0...10).map(String.init).joined(separator: ",")
        #expect(
            failure(["KSampler.seed=\(eleven)", "KSampler.steps=1..11", "3.batch_size=1..11"])
                == "--vary: 1331 combinations; at most 1000 in one batch")
    }
}
