import ComfyCore

/// The workflows `comfysh-bench eta` times (issue 15, "Measure it"), each on its own job
/// store so that its first run is a first run: what the ETA says with nothing learned, then
/// in later runs — each a new comfysh process — with what the earlier ones taught.
struct EtaScenario: Sendable {
    var name: String
    /// What it shows, for the report.
    var about: String
    /// Step times vary ±30 % (the simulator's `stepJitter`; not on a real server).
    var jittery = false
    /// Run once first, on the same job store, so that this workflow's node classes are
    /// known from another workflow (its first run is then measured against the 20 % goal).
    var after: [Node]?
    /// The nodes, in order (each fed by the one before).
    var nodes: [Node]

    /// A node: the class and its own inputs (`image` is linked to the previous node).
    struct Node: Sendable {
        var classType: String
        var inputs: [JSONField]
        var seed = Seed.perRun
    }

    /// A node's `seed`: new each run (the server runs it again), always the same (the
    /// server answers it from its cache after the first run), or none (no such input).
    enum Seed: Sendable { case perRun, fixed, none }

    static func loop(steps: Int, delay: Double, seed: Seed = .perRun) -> Node {
        Node(
            classType: "TestProgressLoop",
            inputs: [JSONField("steps", .number(Double(steps))), JSONField("delay", .number(delay)), JSONField("preview", false),
                     JSONField("preview_size", 16), JSONField("progress_text", false)],
            seed: seed)
    }

    static func sleep(_ seconds: Double) -> Node {
        // One tick at its end: a node that says nothing until it is done (a VAE decode).
        Node(classType: "TestSleep", inputs: [JSONField("seconds", .number(seconds)), JSONField("tick", .number(seconds))])
    }

    static let empty = Node(
        classType: "EmptyImage", inputs: [JSONField("width", 64), JSONField("height", 64), JSONField("batch_size", 1), JSONField("color", 0)],
        seed: .none)

    /// The API graph of run `run` (seeds differ per run, so the server's cache does not
    /// answer the seeded nodes; the unseeded ones are cached after the first run, as on a
    /// real server).
    static func graph(_ nodes: [Node], run: Int, prefix: String) -> JSONValue {
        var fields: [JSONField] = []
        for (index, node) in nodes.enumerated() {
            var inputs = node.inputs
            if index > 0 { inputs.insert(JSONField("image", .array([.string(String(index)), 0])), at: 0) }
            switch node.seed {
            case .perRun: inputs.append(JSONField("seed", .number(Double(1_000 * run + index))))
            case .fixed: inputs.append(JSONField("seed", .number(Double(index))))
            case .none: break
            }
            fields.append(JSONField(String(index + 1), .object([JSONField("class_type", .string(node.classType)), JSONField("inputs", .object(inputs))])))
        }
        fields.append(JSONField(String(nodes.count + 1), .object([
            JSONField("class_type", "SaveImage"),
            JSONField("inputs", .object([JSONField("images", .array([.string(String(nodes.count)), 0])), JSONField("filename_prefix", .string("comfy_test/eta-\(prefix)"))])),
        ])))
        return .object(fields)
    }

    /// The issue's workflow: an instant node, 20 steps of 0.15 s, a 1.5 s node without
    /// steps, a save.
    static let issueShape = [empty, loop(steps: 20, delay: 0.15), sleep(1.5)]

    static let all: [EtaScenario] = [
        EtaScenario(name: "steady", about: "the issue's workflow: 20 steady steps of 0.15 s, then a 1.5 s node without steps", nodes: issueShape),
        EtaScenario(name: "jittery", about: "the same, each step 70–130 % of 0.15 s", jittery: true, nodes: issueShape),
        EtaScenario(
            name: "several_stepped", about: "three stepped nodes: 10 × 0.1 s, 15 × 0.05 s, 8 × 0.2 s",
            nodes: [empty, loop(steps: 10, delay: 0.1), loop(steps: 15, delay: 0.05), loop(steps: 8, delay: 0.2)]),
        EtaScenario(
            name: "cached", about: "a 10 × 0.15 s node with a fixed seed (cached from the second run on), then 10 × 0.1 s",
            nodes: [empty, loop(steps: 10, delay: 0.15, seed: .fixed), loop(steps: 10, delay: 0.1)]),
        EtaScenario(name: "slow_node", about: "a 3 s node without steps", nodes: [empty, sleep(3)]),
        EtaScenario(
            name: "known_classes", about: "first run of a new workflow whose node classes ran in another (the issue's): 30 × 0.1 s, 1 s",
            after: issueShape, nodes: [empty, loop(steps: 30, delay: 0.1), sleep(1)]),
    ]
}
