import ComfyCore
import Testing

/// The fixture templates (Tests/Fixtures/workflows) convert with the recorded catalog of
/// ComfyUI 0.33.0, and the cases the differential check against comfy-cli turned up come
/// out as the editor sends them. `SimulatorTests/ConvertedTemplateTests` validates them.
@Suite struct TemplateConversionTests {
    static let refused: [String: String] = [
        "api_hunyuan3d_model2uv.json":
            #"node 13 "Load 3D & Animation" (Load3D): input "image" (LOAD_3D) is captured by the editor when it queues, and the file holds no value for it; run this workflow from the editor"#,
        "template_rob_realistic_2k_images_quick_variations.json":
            #"node 104:107 "ImageRemoveAlpha+" (ImageRemoveAlpha+): the server has no node class "ImageRemoveAlpha+" (a custom node that is not installed, or one from a newer ComfyUI)"#,
    ]

    /// 24 templates, and `editor_progress_loop.json`, written here (it needs no model file).
    @Test func thereAreTwentyFiveFixtures() {
        #expect(WorkflowFixture.names.count == 25)
    }

    @Test(arguments: WorkflowFixture.names)
    func everyFixtureConvertsOrIsRefusedWithItsReason(_ name: String) throws {
        do {
            let converted = try WorkflowFixture.convert(name)
            #expect(Self.refused[name] == nil)
            #expect(!converted.nodes.isEmpty)
            // Nothing the editor keeps to itself reaches the prompt.
            #expect(converted.nodes.allSatisfy { !WorkflowConverter.virtualTypes.contains($0.classType) })
            // Every link names a node of the prompt.
            let ids = Set(converted.nodes.map(\.id))
            for node in converted.nodes {
                for input in node.inputs {
                    if case .link(let source, _) = input.value { #expect(ids.contains(source), "\(node.id).\(input.name)") }
                }
            }
        } catch {
            #expect("\(error)" == Self.refused[name])
        }
    }

    @Test func mutedNodesAreLeftOut() throws {
        // hunyuan_video_text_to_video: VAEDecode 8 is muted.
        let converted = try WorkflowFixture.convert("hunyuan_video_text_to_video.json")
        #expect(converted.node("8") == nil)
        #expect(converted.nodes.count == 15)
    }

    @Test func aPrimitiveNodesValueReachesTheWidgetItDrives() throws {
        let converted = try WorkflowFixture.convert("utility_topaz_illustration_upscale.json")
        #expect(converted.node("7") == nil)
        #expect(converted.node("1")?.input("creativity")?.value == .value(2))
    }

    @Test func aBypassedNodeWithNoInputOfTheWantedTypeFeedsNothing() throws {
        // Two CLIPVisionEncode nodes are bypassed: CLIP_VISION_OUTPUT has no such input.
        let multiview = try WorkflowFixture.convert("3d_hunyuan3d_multiview_to_model.json").node("65")
        #expect(multiview?.inputs.map(\.name) == ["front", "back"])
        // ImageToMask bypassed: its MASK has no MASK input.
        let vace = try WorkflowFixture.convert("video_wan_vace_14B_ref2v.json").node("109")
        #expect(vace?.input("control_masks") == nil)
    }

    @Test func aPromotedWidgetValueFeedsALinkOnlyInput() throws {
        // The subgraph input "width" is a promoted widget; PreviewAny.source takes its value.
        let preview = try WorkflowFixture.convert("image_ernie_image.json").node("88:92")
        #expect(preview?.inputs == [APIInput(name: "source", value: .value(1024))])
    }

    @Test func aPromotedTextIsSentAsItIsWithoutDynamicPrompts() throws {
        // A JSON prompt: the braces are not dynamic-prompt choices when promoted.
        let encode = try WorkflowFixture.convert("image_ideogram4_t2i.json").node("98:24")
        let text = encode?.input("text")
        #expect(text?.value.literal?.stringValue?.hasPrefix("{\n    \"high_level_description\"") == true)
        #expect(text?.dynamicPrompt == false)
    }

    @Test func aSavedButtonObjectDoesNotDisplaceTheImage() throws {
        let load = try WorkflowFixture.convert("api_kling_motion_control.json").node("11")
        #expect(load?.inputs == [APIInput(name: "image", value: .value("streetwear_fox.jpg"))])
    }

    @Test func editorWidgetTypesKeepTheirSavedValues() throws {
        let converted = try WorkflowFixture.convert("api_ideogram_p_image_t2i.json")
        #expect(converted.node("9")?.inputs.map(\.name) == ["width", "height", "editor_state", "last_incoming"])
        #expect(converted.node("9")?.input("last_incoming")?.value == .value([]))
        #expect(converted.node("9")?.input("editor_state")?.value.literal?.arrayValue?.count == 5)
        #expect(converted.node("12")?.input("color_palette")?.value == .value(["#0a1628", "#ffffff", "#8b0000", "#c9a227"]))
    }

    @Test func customComboCarriesItsIndex() throws {
        let converted = try WorkflowFixture.convert("api_google_gemini_omni_flash_t2v.json")
        #expect(converted.node("21:9")?.input("index")?.value == .value(1))
        #expect(converted.node("21:9")?.input("choice")?.value == .value("9:16"))
    }

    @Test func aWidgetTheSaveLacksGetsItsDefault() throws {
        let generate = try WorkflowFixture.convert("llm_qwen3_text_gen.json").node("7")
        #expect(generate?.input("sampling_mode.presence_penalty")?.value == .value(0))
        #expect(generate?.input("use_default_template")?.value == .value(true))
    }

    @Test func subgraphNodesHaveCollisionFreePathIds() throws {
        let converted = try WorkflowFixture.convert("flux_depth_lora_example.json")
        let ids = converted.nodes.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains { $0.split(separator: ":").count == 3 })
    }
}
