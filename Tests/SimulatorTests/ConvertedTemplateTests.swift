import ComfyCore
import ComfySimulator
import Foundation
import Testing

/// The simulator loaded with a recorded `/object_info` validates prompts as that server
/// does; every fixture template, converted, passes but for the model and input files the
/// simulated server does not have (as on the real server, docs/workflows.md).
@Suite struct ConvertedTemplateTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let objectInfo = try! JSONValue.parse(
        Array(try! Data(contentsOf: fixtures.appendingPathComponent("object_info/comfyui-0.33.0.json"))))
    static let simulator = SimulatorCatalog(recordedObjectInfo: objectInfo)
    static let converter = WorkflowConverter(catalog: NodeCatalog(objectInfo: objectInfo))
    static let templates = (try! FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("workflows").path))
        .filter { $0.hasSuffix(".json") }.sorted()
    /// The two the converter refuses (TemplateConversionTests checks why).
    static let refused: Set<String> = ["api_hunyuan3d_model2uv.json", "template_rob_realistic_2k_images_quick_variations.json"]

    /// A reason a server without the models gives: a combo value that is a file name, or
    /// a loader's "Invalid … file".
    static func isMissingFile(_ error: JSONValue) -> Bool {
        let kinds = ["safetensors", "sft", "ckpt", "pt", "pth", "bin", "gguf", "png", "jpg", "jpeg", "webp", "mp4", "webm", "mov",
                     "wav", "mp3", "flac", "glb", "json"]
        func isFile(_ value: JSONValue?) -> Bool {
            guard let name = value?.stringValue, let dot = name.lastIndex(of: ".") else { return false }
            return kinds.contains(String(name[name.index(after: dot)...]).lowercased())
        }
        switch error["type"]?.stringValue {
        case "value_not_in_list": return isFile(error["extra_info"]?["received_value"])
        case "custom_validation_failed": return error["details"]?.stringValue?.contains("Invalid") == true
        default: return false
        }
    }

    @Test(arguments: templates)
    func everyConvertedTemplateValidatesButForMissingFiles(_ name: String) throws {
        let json = try JSONValue.parse(Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("workflows/\(name)"))))
        let prompt: APIPrompt
        do {
            prompt = try Self.converter.convert(try EditorWorkflow(json: json))
        } catch {
            #expect(Self.refused.contains(name))
            return
        }
        let check = Self.simulator.validate(prompt.json)
        #expect(check.error == nil || check.error?["type"] == "prompt_outputs_failed_validation")
        let others = check.reasons.filter { !Self.isMissingFile($0.error) }
        #expect(others.isEmpty, "\(others.map { "\($0.node) \($0.classType): \(JSONWriter.string($0.error["details"] ?? .null))" })")
    }

    // The validator's checks that only a recorded catalog exercises.

    func reasons(_ prompt: String) throws -> [String] {
        Self.simulator.validate(try JSONValue.parse(prompt)).reasons.map {
            "\($0.node) \($0.error["type"]?.stringValue ?? ""): \($0.error["details"]?.stringValue ?? "")"
        }
    }

    /// `EmptyImage → PreviewImage` around the node under test.
    func graph(_ node: String) -> String {
        #"{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "#
            + node + #", "9": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}"#
    }

    @Test func comboChoicesAreCheckedLongListsAreNotQuoted() throws {
        let prompt = graph(#"""
            "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": "cubic", "width": 64, "height": 64, "crop": "left"}}
            """#)
        #expect(try reasons(prompt) == [
            "2 value_not_in_list: upscale_method: 'cubic' not in ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']",
            "2 value_not_in_list: crop: 'left' not in ['disabled', 'center']",
        ])
        // A list of more than 20 (a model folder, say) is not sent back.
        let long = graph(#"""
            "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
            "3": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd15.safetensors"}},
            "4": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "fast"}},
            "5": {"class_type": "SamplerCustom", "inputs": {"model": ["3", 0], "add_noise": true, "noise_seed": 1, "cfg": 1,
                  "positive": ["6", 0], "negative": ["6", 0], "sampler": ["4", 0], "sigmas": ["7", 0], "latent_image": ["8", 0]}},
            "6": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["3", 1], "text": "x"}},
            "7": {"class_type": "BasicScheduler", "inputs": {"model": ["3", 0], "scheduler": "normal", "steps": 1, "denoise": 1}},
            "8": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
            "10": {"class_type": "SaveLatent", "inputs": {"samples": ["5", 0], "filename_prefix": "x"}}
            """#)
        #expect(try reasons(long) == [
            "3 value_not_in_list: ckpt_name: 'sd15.safetensors' not in []",
            "4 value_not_in_list: sampler_name: 'fast' not in (list of length 44)",
        ])
    }

    @Test func optionalInputsAreCheckedWhenGiven() throws {
        let prompt = graph(#"""
            "2": {"class_type": "ImageScaleToTotalPixels", "inputs": {"image": ["1", 0], "upscale_method": "lanczos", "megapixels": 100.0, "resolution_steps": 1}}
            """#)
        #expect(try reasons(prompt) == ["2 value_bigger_than_max: megapixels"])
    }

    @Test func linkTypesWithAlternativesAndMismatches() throws {
        let prompt = graph(#"""
            "2": {"class_type": "ImageInvert", "inputs": {"image": ["3", 0]}},
            "3": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}}
            """#)
        #expect(try reasons(prompt) == ["2 return_type_mismatch: image, received_type(LATENT) mismatch input_type(IMAGE)"])
    }

    @Test func aDynamicComboRequiresItsSelectedOptionsInputs() throws {
        let prompt = graph(#"""
            "2": {"class_type": "ResizeImageMaskNode", "inputs": {"input": ["1", 0], "resize_type": "scale dimensions",
                  "resize_type.height": 32, "resize_type.crop": "center", "scale_method": "lanczos"}}
            """#)
        #expect(try reasons(prompt) == ["2 required_input_missing: resize_type.width"])
    }

    @Test func aListValueIsUnwrappedBeforeItIsChecked() throws {
        let prompt = graph(#"""
            "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": {"__value__": ["lanczos"]}, "width": 64, "height": 64, "crop": "center"}}
            """#)
        #expect(try reasons(prompt) == ["2 value_not_in_list: upscale_method: ['lanczos'] not in ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']"])
    }

    @Test func fileLoadersCheckTheirFilesThemselves() throws {
        let prompt = #"""
            {"2": {"class_type": "LoadImage", "inputs": {"image": "nope.png"}},
             "9": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
            """#
        #expect(try reasons(prompt) == ["2 custom_validation_failed: image - Invalid image file: nope.png"])
    }

    @Test func theRecordedCatalogIsServedAsRecorded() {
        #expect(Self.simulator.count == 890)
    }
}
