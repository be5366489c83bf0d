import ComfyCore

/// The node classes a simulated server offers: what `GET /object_info` lists, what
/// `POST /prompt` validates against, and what the worker can run.
///
/// The built-in catalog is the test pack the recorded scenarios use. A catalog read from
/// a real server's recorded `/object_info` makes the validator check a prompt as that
/// server would (required inputs, link types, combo choices, ranges, dynamic inputs), so
/// a converted workflow can be checked without the server; its classes run as no-ops,
/// except the built-in ones, which keep their behaviour.
public struct SimulatorCatalog: Sendable {
    let classes: [String: NodeClass]
    /// Class names in the order `/object_info` lists them.
    let names: [String]

    init(_ classes: [NodeClass]) {
        var byName: [String: NodeClass] = [:]
        var names: [String] = []
        for nodeClass in classes where byName[nodeClass.name] == nil {
            byName[nodeClass.name] = nodeClass
            names.append(nodeClass.name)
        }
        self.classes = byName
        self.names = names
    }

    /// The test pack and the core nodes the fixtures wire it to.
    public static let builtIn = SimulatorCatalog(BuiltInNodes.all)

    /// Every class of a recorded `GET /object_info` answer (`{class: info}`), served
    /// back exactly as recorded.
    public init(recordedObjectInfo: JSONValue) {
        let builtIn = Dictionary(uniqueKeysWithValues: BuiltInNodes.all.map { ($0.name, $0) })
        var classes: [NodeClass] = []
        for field in recordedObjectInfo.objectValue ?? [] {
            let info = PyJSON(field.value)
            guard info.fields != nil else { continue }
            let input = info["input"] ?? .emptyObject
            let order = info["input_order"]
            func specs(_ section: String) -> [InputSpec] {
                let fields = input[section]?.fields ?? []
                let listed = (order?[section]?.array ?? []).compactMap(\.string).filter { name in fields.contains { $0.key == name } }
                let names = listed + fields.map(\.key).filter { !listed.contains($0) }
                return names.compactMap { name in
                    fields.first { $0.key == name }.map { InputSpec(name: name, declaration: $0.value) }
                }
            }
            let hidden = (input["hidden"]?.fields ?? []).map { ($0.key, $0.value.array?.first?.string ?? $0.value.string ?? "") }
            let outputs = (info["output"]?.array ?? []).map { $0.string ?? "COMBO" }
            classes.append(
                NodeClass(
                    name: field.key, displayName: info["display_name"]?.string ?? field.key,
                    description: info["description"]?.string ?? "", category: info["category"]?.string ?? "",
                    pythonModule: info["python_module"]?.string ?? "", required: specs("required"), optional: specs("optional"),
                    hidden: hidden, outputs: outputs, outputNames: (info["output_name"]?.array ?? []).compactMap(\.string),
                    isOutputNode: info["output_node"]?.isTruthy ?? false, searchAliases: [], essentialsCategory: nil,
                    behaviour: builtIn[field.key]?.behaviour ?? .instant, recorded: info))
        }
        self.init(classes)
    }

    func named(_ name: String) -> NodeClass? { classes[name] }

    /// The number of classes.
    public var count: Int { names.count }

    /// `GET /object_info`: `{class: info}`.
    var objectInfo: PyJSON { .object(names.compactMap { name in classes[name].map { PyField(name, $0.objectInfo) } }) }

    /// Validates an API prompt as `POST /prompt` would, without a server: the answer's
    /// status (200 or 400) and body (`error` and `node_errors`).
    public func validate(_ prompt: JSONValue) -> PromptCheck {
        guard case .object(let fields) = PyJSON(prompt), fields.allSatisfy({ $0.value.fields != nil }) else {
            return PromptCheck(status: 500, error: nil, nodeErrors: .object([JSONField]()))
        }
        var validator = PromptValidator(prompt: fields, catalog: self)
        switch validator.validate(targets: nil) {
        case .rejected(let error, let nodeErrors):
            return PromptCheck(status: 400, error: error.jsonValue, nodeErrors: nodeErrors.jsonValue)
        case .accepted(_, let nodeErrors):
            return PromptCheck(status: 200, error: nil, nodeErrors: nodeErrors.jsonValue)
        }
    }
}

/// What `POST /prompt` would answer for a prompt.
public struct PromptCheck: Sendable, Equatable {
    /// 200 (queued, maybe with some outputs dropped), 400 (rejected), 500 (not a graph).
    public var status: Int
    /// The top-level error of a rejection.
    public var error: JSONValue?
    /// Per node: `{"errors": [...], "dependent_outputs": [...], "class_type": ...}`.
    public var nodeErrors: JSONValue

    /// Every reason given, as (node id, class, error object).
    public var reasons: [(node: String, classType: String, error: JSONValue)] {
        (nodeErrors.objectValue ?? []).flatMap { field in
            (field.value["errors"]?.arrayValue ?? []).map {
                (field.key, field.value["class_type"]?.stringValue ?? "", $0)
            }
        }
    }

    public static func == (a: PromptCheck, b: PromptCheck) -> Bool {
        a.status == b.status && a.error == b.error && a.nodeErrors == b.nodeErrors
    }
}

extension SimulatorCatalog {
    /// The built-in catalog with a model loader, `TestLoadModel` (an image in, the same
    /// image out; its `ckpt_name` lists `models`), without `missing` classes: a simulated
    /// server of a fleet that lacks a node pack or a model file.
    public static func fleetMember(models: [String] = ["base.safetensors"], missing: Set<String> = []) -> SimulatorCatalog {
        let loader = NodeClass(
            name: "TestLoadModel", displayName: "Test: Load Model (simulated)", description: "", category: "comfy_test",
            pythonModule: "custom_nodes.comfy_test_nodes",
            required: [
                InputSpec("image", "IMAGE"),
                InputSpec(name: "ckpt_name", declaration: .array([.array(models.map(PyJSON.string)), .object([])])),
            ],
            hidden: [], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false, searchAliases: [],
            essentialsCategory: nil, behaviour: .instant)
        return SimulatorCatalog((BuiltInNodes.all + [loader]).filter { !missing.contains($0.name) })
    }
}
