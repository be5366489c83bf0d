import ComfyCore
import Testing

/// `/object_info` read loosely into a typed catalog, and which format a file is.
@Suite struct CatalogTests {
    @Test func inputsAreInInputOrderRequiredFirstThenTheRestOfTheObject() throws {
        let catalog = NodeCatalog(objectInfo: prompt(#"""
            {"K": {"input": {"required": {"b": ["INT"], "a": ["FLOAT"], "c": ["IMAGE"]}, "optional": {"z": ["STRING"], "y": ["BOOLEAN"]},
                             "hidden": {"prompt": "PROMPT"}},
                   "input_order": {"required": ["a", "b"], "optional": ["y"]},
                   "output": ["IMAGE", ["x", "y"]], "output_node": true}}
            """#))
        let schema = try #require(catalog["K"])
        #expect(schema.inputs.map(\.name) == ["a", "b", "c", "y", "z"])
        #expect(schema.inputs.map(\.isRequired) == [true, true, true, false, false])
        #expect(schema.hidden == ["prompt"])
        #expect(schema.outputs == ["IMAGE", "COMBO"])
        #expect(schema.isOutputNode)
        #expect(schema.displayName == "K")
    }

    @Test func combosInEveryForm() throws {
        let catalog = NodeCatalog(objectInfo: prompt(#"""
            {"K": {"input": {"required": {
                "legacy": [["a", "b"]],
                "newer": ["COMBO", {"options": ["c", "d"], "default": "d"}],
                "dynamic": ["COMFY_DYNAMICCOMBO_V3", {"options": [{"key": "x", "inputs": {"required": {"n": ["INT", {"default": 4}]}}}]}],
                "seed": ["INT", {"control_after_generate": true}], "noise_seed": ["INT"], "count": ["INT", {"control_after_generate": false}],
                "value": ["INT", {"control_after_generate": "fixed"}],
                "forced": ["FLOAT", {"forceInput": true}], "color": ["COLOR", {"socketless": true}], "image": ["IMAGE"]}}}}
            """#))
        let k = try #require(catalog["K"])
        #expect(k.input("legacy")?.choices == ["a", "b"])
        #expect(k.input("newer")?.choices == ["c", "d"])
        #expect(k.input("newer")?.editorDefault(of: "K") == "d")
        #expect(k.input("legacy")?.editorDefault(of: "K") == "a")
        #expect(k.input("dynamic")?.choices == ["x"])
        #expect(k.input("dynamic")?.dynamicOptions.first?.inputs.map(\.name) == ["n"])
        #expect(k.inputs.map { $0.widget(of: "K") } == [.combo, .combo, .dynamicCombo, .int, .int, .int, .int, nil, .custom("COLOR"), nil])
        #expect(k.inputs.map { $0.control(of: "K") } == [nil, nil, nil, .randomize, .randomize, nil, .fixed, nil, nil, nil])
    }

    @Test func entriesThatAreNotObjectsAreSkipped() {
        let catalog = NodeCatalog(objectInfo: prompt(#"{"A": {"input": {}}, "B": 3, "C": ["x"], "D": {"input": {"required": {"p": 7}}}}"#))
        #expect(catalog.count == 2)
        #expect(catalog["D"]?.inputs.first?.type == "*")
    }

    @Test func theRecordedCatalogOfComfyUI033() {
        let catalog = WorkflowFixture.catalog
        #expect(catalog.count == 890)
        let sampler = catalog["KSampler"]
        #expect(sampler?.inputs.map(\.name) == ["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative", "latent_image", "denoise"])
        #expect(sampler?.input("seed")?.control(of: "KSampler") == .randomize)
        #expect(sampler?.input("sampler_name")?.choices.count == 44)
    }

    @Test func formats() {
        #expect(WorkflowFormat.detect(prompt(#"{"nodes": [], "links": []}"#)) == .editor)
        #expect(WorkflowFormat.detect(prompt(#"{"1": {"class_type": "Save", "inputs": {}}}"#)) == .api)
        #expect(WorkflowFormat.detect(prompt(#"{"prompt": {"1": {"class_type": "Save"}}, "client_id": "x"}"#)) == .apiRequest)
        #expect(WorkflowFormat.detect(prompt(#"{}"#)) == .unknown("an empty object"))
        #expect(WorkflowFormat.detect(prompt(#"[1]"#)) == .unknown("not a JSON object"))
        #expect(
            WorkflowFormat.detect(prompt(#"{"keys": [1]}"#))
                == .unknown("neither the API format (nodes with a class_type) nor the editor's (a nodes and links list)"))
    }
}
