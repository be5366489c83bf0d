import ComfyCore
import Foundation

/// The editor workflows and the recorded `/object_info` in Tests/Fixtures.
enum WorkflowFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let objectInfo: JSONValue = {
        let url = directory.appendingPathComponent("object_info/comfyui-0.33.0.json")
        return try! JSONValue.parse(Array(try! Data(contentsOf: url)))
    }()

    static let catalog = NodeCatalog(objectInfo: objectInfo)

    /// Every workflow file, by name.
    static let names: [String] = {
        let folder = directory.appendingPathComponent("workflows")
        return (try! FileManager.default.contentsOfDirectory(atPath: folder.path)).filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: directory.appendingPathComponent("workflows/\(name)"))))
    }

    static func workflow(_ name: String) throws -> EditorWorkflow { try EditorWorkflow(json: try json(name)) }

    static func convert(_ name: String) throws -> APIPrompt {
        try WorkflowConverter(catalog: catalog).convert(try workflow(name))
    }
}

/// A small catalog for hand-written graphs, written as `/object_info` writes it.
enum MiniCatalog {
    static let objectInfo = try! JSONValue.parse(
        #"""
        {
          "Loader": {"input": {"required": {"ckpt_name": [["a.safetensors", "b.safetensors"], {}]}},
                     "input_order": {"required": ["ckpt_name"]},
                     "output": ["MODEL", "CLIP", "VAE"], "output_name": ["MODEL", "CLIP", "VAE"], "display_name": "Load Checkpoint"},
          "Encode": {"input": {"required": {"clip": ["CLIP"], "text": ["STRING", {"multiline": true, "dynamicPrompts": true}]}},
                     "output": ["CONDITIONING"], "display_name": "Text Encode"},
          "Sampler": {"input": {"required": {
                        "model": ["MODEL"],
                        "seed": ["INT", {"default": 0, "min": 0, "max": 18446744073709551615, "control_after_generate": true}],
                        "steps": ["INT", {"default": 20, "min": 1, "max": 100}],
                        "cfg": ["FLOAT", {"default": 7.0, "min": 0.0, "max": 30.0, "step": 0.5}],
                        "sampler_name": [["euler", "dpmpp_2m", "ddim"], {}],
                        "positive": ["CONDITIONING"],
                        "latent_image": ["LATENT"]}},
                      "input_order": {"required": ["model", "seed", "steps", "cfg", "sampler_name", "positive", "latent_image"]},
                      "output": ["LATENT"], "display_name": "KSampler"},
          "Latent": {"input": {"required": {"width": ["INT", {"default": 512, "min": 16, "max": 4096, "step": 8}],
                                            "height": ["INT", {"default": 512, "min": 16, "max": 4096, "step": 8}],
                                            "batch_size": ["INT", {"default": 1, "min": 1, "max": 64}]}},
                     "output": ["LATENT"], "display_name": "Empty Latent"},
          "Decode": {"input": {"required": {"samples": ["LATENT"], "vae": ["VAE"]}}, "output": ["IMAGE"], "display_name": "VAE Decode"},
          "Save": {"input": {"required": {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]}},
                   "output": [], "output_node": true, "display_name": "Save Image"},
          "Lora": {"input": {"required": {"model": ["MODEL"], "clip": ["CLIP"], "lora_name": ["COMBO", {"options": ["x.safetensors"]}],
                                          "strength": ["FLOAT", {"default": 1.0, "min": -10.0, "max": 10.0}]}},
                   "output": ["MODEL", "CLIP"], "display_name": "Load LoRA"},
          "Noise": {"input": {"required": {"noise_seed": ["INT", {"default": 0, "min": 0, "max": 1000}],
                                           "mode": [["fixed", "randomize", "other"], {}]}},
                    "output": ["NOISE"], "display_name": "Random Noise"},
          "Resize": {"input": {"required": {"image": ["IMAGE"],
                       "resize_type": ["COMFY_DYNAMICCOMBO_V3", {"options": [
                         {"key": "scale", "inputs": {"required": {"width": ["INT", {"default": 512, "min": 0, "max": 8192}],
                                                                  "height": ["INT", {"default": 512, "min": 0, "max": 8192}]}}},
                         {"key": "factor", "inputs": {"required": {"multiplier": ["FLOAT", {"default": 1.0, "min": 0.01, "max": 8.0}]}}}]}],
                       "method": [["nearest", "lanczos"], {}]}},
                     "output": ["IMAGE"], "display_name": "Resize"},
          "Boxes": {"input": {"required": {"width": ["INT", {"default": 1024}], "boxes": ["BOUNDING_BOXES", {"default": []}],
                                           "color": ["COLOR", {"default": "#000000", "socketless": true}]}},
                    "output": ["BOUNDING_BOXES"], "display_name": "Boxes"},
          "Composite": {"input": {"required": {"image": ["IMAGE"]}, "optional": {"mask": ["MASK"]}}, "output": ["IMAGE"], "display_name": "Composite"},
          "ToMask": {"input": {"required": {"image": ["IMAGE"], "channel": [["red", "green"], {}]}}, "output": ["MASK"], "display_name": "Image to Mask"},
          "Forced": {"input": {"required": {"a": ["INT", {"forceInput": true}], "b": ["INT", {"default": 3}]}}, "output": ["INT"], "display_name": "Forced"},
          "Switch": {"input": {"required": {"switch": ["BOOLEAN", {"default": false}], "on_false": ["*", {}], "on_true": ["*", {}]}},
                     "output": ["*"], "display_name": "Switch"},
          "CustomCombo": {"input": {"required": {"choice": ["COMBO", {"options": []}]}}, "output": ["STRING", "INT"], "display_name": "Custom Combo"},
          "Webcam": {"input": {"required": {"image": ["WEBCAM", {}], "width": ["INT", {"default": 640}]}}, "output": ["IMAGE"], "display_name": "Webcam"}
        }
        """#)

    static let catalog = NodeCatalog(objectInfo: objectInfo)
}

/// Builds a workflow as the editor saves it, without the noise (positions, sizes).
struct EditorGraphBuilder {
    struct Slot {
        var name: String
        var type: String
        var link: Int?
        var widget: String?
    }

    private(set) var nodes: [(id: Int, fields: [JSONField], inputs: [Slot], outputs: [(String, String)])] = []
    private(set) var links: [[Int]] = []
    private(set) var linkTypes: [String] = []
    var subgraphs: [JSONValue] = []
    var objectLinks = false

    /// `inputs`: (name, type) or (name, type, widget name) for a widget's socket.
    mutating func node(
        _ id: Int, _ type: String, title: String? = nil, mode: Int = 0, inputs: [(String, String)] = [],
        widgetInputs: [String] = [], outputs: [(String, String)] = [], values: JSONValue? = nil
    ) {
        var fields = [JSONField("id", .number(Double(id))), JSONField("type", .string(type)), JSONField("mode", .number(Double(mode)))]
        if let title { fields.append(JSONField("title", .string(title))) }
        if let values { fields.append(JSONField("widgets_values", values)) }
        let slots = inputs.map { Slot(name: $0.0, type: $0.1, link: nil, widget: widgetInputs.contains($0.0) ? $0.0 : nil) }
        nodes.append((id, fields, slots, outputs))
    }

    /// Links output `slot` of `from` to the input named `input` of `to`.
    mutating func link(_ id: Int, _ from: Int, _ slot: Int, _ to: Int, _ input: String) {
        guard let target = nodes.firstIndex(where: { $0.id == to }),
            let targetSlot = nodes[target].inputs.firstIndex(where: { $0.name == input })
        else { fatalError("no input \(input) on node \(to)") }
        nodes[target].inputs[targetSlot].link = id
        // Linking again with an id already used moves that link (the editor keeps ids unique).
        if let old = links.firstIndex(where: { $0[0] == id }) {
            links.remove(at: old)
            linkTypes.remove(at: old)
        }
        let type = nodes.first(where: { $0.id == from }).map { $0.outputs.indices.contains(slot) ? $0.outputs[slot].1 : "*" } ?? "*"
        links.append([id, from, slot, to, targetSlot])
        linkTypes.append(type)
    }

    var nodesJSON: JSONValue {
        .array(nodes.map { node in
            var fields = node.fields
            fields.append(JSONField("inputs", .array(node.inputs.map { slot in
                var f = [JSONField("name", .string(slot.name)), JSONField("type", .string(slot.type)),
                         JSONField("link", slot.link.map { .number(Double($0)) } ?? .null)]
                if let widget = slot.widget { f.append(JSONField("widget", .object([JSONField("name", .string(widget))]))) }
                return .object(f)
            })))
            fields.append(JSONField("outputs", .array(node.outputs.enumerated().map { i, output in
                let ids = links.filter { $0[1] == node.id && $0[2] == i }.map { JSONValue.number(Double($0[0])) }
                return .object([JSONField("name", .string(output.0)), JSONField("type", .string(output.1)), JSONField("links", .array(ids))])
            })))
            return .object(fields)
        })
    }

    var linksJSON: JSONValue {
        .array(zip(links, linkTypes).map { link, type in
            if objectLinks {
                return .object([
                    JSONField("id", .number(Double(link[0]))), JSONField("origin_id", .number(Double(link[1]))),
                    JSONField("origin_slot", .number(Double(link[2]))), JSONField("target_id", .number(Double(link[3]))),
                    JSONField("target_slot", .number(Double(link[4]))), JSONField("type", .string(type)),
                ])
            }
            return .array(link.map { .number(Double($0)) } + [.string(type)])
        })
    }

    /// The whole file.
    var json: JSONValue {
        var fields = [JSONField("nodes", nodesJSON), JSONField("links", linksJSON)]
        if !subgraphs.isEmpty { fields.append(JSONField("definitions", .object([JSONField("subgraphs", .array(subgraphs))]))) }
        return .object(fields)
    }

    /// This graph as a subgraph definition: `inputs`/`outputs` name the boundary's ports
    /// with the ids of the inner links attached to them (links from node -10 / to -20).
    func definition(id: String, name: String, inputs: [(String, String, [Int])], outputs: [(String, String, [Int])]) -> JSONValue {
        var inner = self
        inner.objectLinks = true
        func ports(_ list: [(String, String, [Int])]) -> JSONValue {
            .array(list.map { port in
                .object([JSONField("name", .string(port.0)), JSONField("type", .string(port.1)),
                         JSONField("linkIds", .array(port.2.map { .number(Double($0)) }))])
            })
        }
        return .object([
            JSONField("id", .string(id)), JSONField("name", .string(name)), JSONField("nodes", inner.nodesJSON),
            JSONField("links", inner.linksJSON), JSONField("inputs", ports(inputs)), JSONField("outputs", ports(outputs)),
        ])
    }

    /// A link inside a definition from the boundary's input `port` to `input` of `to`.
    mutating func boundaryLink(_ id: Int, port: Int, _ to: Int, _ input: String, type: String) {
        guard let target = nodes.firstIndex(where: { $0.id == to }),
            let targetSlot = nodes[target].inputs.firstIndex(where: { $0.name == input })
        else { fatalError("no input \(input) on node \(to)") }
        nodes[target].inputs[targetSlot].link = id
        links.append([id, -10, port, to, targetSlot])
        linkTypes.append(type)
    }

    /// A link inside a definition from output `slot` of `from` to the boundary's output `port`.
    mutating func outputLink(_ id: Int, _ from: Int, _ slot: Int, port: Int, type: String) {
        links.append([id, from, slot, -20, port])
        linkTypes.append(type)
    }

    func convert(_ catalog: NodeCatalog = MiniCatalog.catalog) throws -> APIPrompt {
        try WorkflowConverter(catalog: catalog).convert(try EditorWorkflow(json: json))
    }
}

/// The prompt as JSON text, for exact comparisons with a literal.
func prompt(_ text: String) -> JSONValue { try! JSONValue.parse(text) }
