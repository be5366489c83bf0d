import ComfyCore
import Testing

/// What cannot be converted is an error naming the node (id, title, class), never a
/// prompt that quietly differs from what the editor would send.
@Suite struct ConversionErrorTests {
    func error(_ g: EditorGraphBuilder) -> String? {
        do {
            _ = try g.convert()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aClassTheServerLacks() {
        var g = ConversionRuleTests.basic()
        g.node(9, "UltimateSDUpscale", title: "Upscale", values: [2])
        #expect(
            error(g)
                == #"node 9 "Upscale" (UltimateSDUpscale): the server has no node class "UltimateSDUpscale" (a custom node that is not installed, or one from a newer ComfyUI)"#)
    }

    @Test func aClassTheServerLacksInsideASubgraphIsNamedByItsPath() {
        var g = SubgraphConversionTests.graph()
        var inner = EditorGraphBuilder()
        inner.node(12, "ImageRemoveAlpha+")
        g.subgraphs = [inner.definition(id: SubgraphConversionTests.samplerID, name: "S", inputs: [], outputs: [])]
        #expect(
            error(g)
                == #"node 4:12 "ImageRemoveAlpha+" (ImageRemoveAlpha+): the server has no node class "ImageRemoveAlpha+" (a custom node that is not installed, or one from a newer ComfyUI)"#)
    }

    @Test func aSubgraphTheFileDoesNotDefine() {
        var g = SubgraphConversionTests.graph()
        g.subgraphs = []
        #expect(
            error(g)
                == #"node 4 "11111111-2222-4333-8444-555555555555" (11111111-2222-4333-8444-555555555555): its type is a subgraph that the file does not define (definitions.subgraphs)"#)
    }

    @Test func aLegacyGroupNode() {
        var g = ConversionRuleTests.basic()
        g.node(9, "workflow>upscale group")
        #expect(
            error(g)
                == #"node 9 "workflow>upscale group" (workflow>upscale group): a legacy group node; open the workflow in a current ComfyUI editor and save it again (group nodes become subgraphs)"#)
    }

    @Test func aValueOnlyTheEditorCanCapture() {
        var g = EditorGraphBuilder()
        g.node(3, "Webcam", values: ["", 640])
        #expect(
            error(g)
                == #"node 3 "Webcam" (Webcam): input "image" (WEBCAM) is captured by the editor when it queues, and the file holds no value for it; run this workflow from the editor"#)
        var saved = EditorGraphBuilder()
        saved.node(3, "Webcam", values: ["webcam/capture_0001.png", 640])
        #expect(error(saved) == nil)
    }

    @Test func savedValuesThatDoNotFitThisServersInputs() {
        #expect(
            error(ConversionRuleTests.basic(sampler: ["randomize", 30, 6.5, "euler"]))
                == #"node 4 "KSampler" (Sampler): the saved widget values do not fit this server's inputs (input "seed" takes an INT, and the value in its place is "randomize"); the workflow was saved by another version of this node: open it in this server's editor and save it again"#)
        var g = EditorGraphBuilder()
        g.node(1, "Resize", inputs: [("image", "IMAGE")], values: ["by longer side", 1024, "lanczos"])
        #expect(
            error(g)
                == #"node 1 "Resize" (Resize): the saved widget values do not fit this server's inputs (input "resize_type" takes a COMBO of scale, factor, and the value in its place is "by longer side"); the workflow was saved by another version of this node: open it in this server's editor and save it again"#)
    }

    @Test func aLinkToAnOutputThisServersClassDoesNotHave() {
        var g = ConversionRuleTests.basic()
        g.link(4, 3, 1, 4, "latent_image")
        #expect(
            error(g)
                == #"node 4 "KSampler" (Sampler): input "latent_image" is linked to output 1 of node 3 (Latent), which has 1 output on this server; the workflow was saved by another version of that node"#)
    }

    @Test func aLoopOfReroutes() {
        var g = ConversionRuleTests.basic()
        g.node(10, "Reroute", inputs: [("", "*")], outputs: [("", "*")])
        g.node(11, "Reroute", inputs: [("", "*")], outputs: [("", "*")])
        g.link(40, 11, 0, 10, "")
        g.link(41, 10, 0, 11, "")
        g.link(2, 11, 0, 4, "model")
        #expect(error(g) == #"node 4 "KSampler" (Sampler): the link into input "model" loops back on itself"#)
    }

    @Test func aSubgraphThatContainsItself() {
        var g = SubgraphConversionTests.graph()
        var inner = EditorGraphBuilder()
        inner.node(30, SubgraphConversionTests.samplerID)
        g.subgraphs = [inner.definition(id: SubgraphConversionTests.samplerID, name: "Loop", inputs: [], outputs: [])]
        #expect(
            error(g)
                == #"node 4:30 "Loop" (11111111-2222-4333-8444-555555555555): the subgraph contains itself"#)
    }

    @Test func notAnEditorWorkflow() {
        #expect(throws: EditorWorkflow.ReadError("not an editor workflow: it has no \"nodes\" list")) {
            try EditorWorkflow(json: prompt(#"{"1": {"class_type": "Save", "inputs": {}}}"#))
        }
        #expect(throws: EditorWorkflow.ReadError("not an editor workflow: the file is not a JSON object")) {
            try EditorWorkflow(json: [1, 2])
        }
    }
}
