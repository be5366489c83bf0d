/// What a workflow is, for learning how long it takes: its nodes (id, class and a key of
/// the node's own settings) and a key of the whole graph — both without seeds and texts,
/// so that the same workflow run with a new seed or prompt text is recognised as the same.
///
/// Keys are FNV-1a hashes of a canonical form (nodes by id, inputs by name), stable across
/// processes and machines: they are kept in the job store and read back by the next comfysh.
/// (Swift's `Hasher` is seeded per process, so it cannot be used here.)
public struct WorkflowShape: Sendable, Equatable {
    /// One node of the graph.
    public struct Node: Sendable, Equatable {
        /// The node's id in the graph.
        public var id: String
        /// Its class (`KSampler`, `TestProgressLoop`…).
        public var classType: String
        /// A key of its class and its own settings (scalar inputs, seeds and texts left out):
        /// two nodes with the same key are expected to take the same time on one server.
        public var configKey: String
    }

    /// A key of the whole graph: its nodes, settings and links, seeds and texts left out.
    public var key: String
    /// The nodes, by id (numerically where ids are numbers).
    public var nodes: [Node]

    /// The shape of an API-format graph (`{id: {class_type, inputs}}`, or a whole
    /// `POST /prompt` body); nil when it is not one.
    public init?(prompt value: JSONValue) {
        var graph = value
        if let inner = value["prompt"], inner.objectValue != nil { graph = inner }
        guard let fields = graph.objectValue, !fields.isEmpty else { return nil }
        var nodes: [Node] = []
        var whole = FNV1a()
        for field in fields.sorted(by: { idOrder($0.key, $1.key) }) {
            guard let classType = field.value["class_type"]?.stringValue else { return nil }
            var own = FNV1a()
            own.add(classType)
            whole.add(field.key)
            whole.add(classType)
            let inputs = (field.value["inputs"]?.objectValue ?? []).sorted { $0.key < $1.key }
            for input in inputs where !Self.ignored(input) {
                // Links ([node, slot]) belong to the graph, not to the node's own settings.
                let isLink = input.value.arrayValue.map { $0.count == 2 && $0[0].idValue != nil && $0[1].intValue != nil } ?? false
                whole.add(input.key)
                whole.add(input.value)
                if !isLink {
                    own.add(input.key)
                    own.add(input.value)
                }
            }
            nodes.append(Node(id: field.key, classType: classType, configKey: own.hex))
        }
        self.key = whole.hex
        self.nodes = nodes
    }

    /// Seeds (any input whose name ends in `seed`) and texts (strings under the names prompt
    /// texts use, and the file name prefix) change from run to run without changing the
    /// work: they are left out of the keys.
    static func ignored(_ input: JSONField) -> Bool {
        let name = input.key.lowercased()
        if name.hasSuffix("seed") { return true }
        guard input.value.stringValue != nil else { return false }
        return textInputs.contains(name) || name.hasPrefix("text")
    }

    static let textInputs: Set<String> = ["prompt", "string", "positive", "negative", "filename_prefix", "message", "caption", "value"]
}

/// 64-bit FNV-1a over the canonical bytes of strings and JSON values (each preceded by a
/// type tag and followed by a separator, so that `["ab"]` and `["a", "b"]` differ).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ b: UInt8) {
        value ^= UInt64(b)
        value = value &* 0x100_0000_01b3
    }

    mutating func add(_ s: String) {
        byte(0x73)
        for b in s.utf8 { byte(b) }
        byte(0)
    }

    mutating func add(_ v: JSONValue) {
        switch v {
        case .null: byte(0x6e)
        case .bool(let b): byte(b ? 0x74 : 0x66)
        case .number(let d):
            byte(0x64)
            var bits = (d == 0 ? 0 : d).bitPattern  // -0 and 0 are one number
            for _ in 0..<8 {
                byte(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        case .string(let s): add(s)
        case .array(let a):
            byte(0x5b)
            for e in a { add(e) }
            byte(0x5d)
        case .object(let o):
            byte(0x7b)
            for f in o.sorted(by: { $0.key < $1.key }) {
                add(f.key)
                add(f.value)
            }
            byte(0x7d)
        }
    }

    /// Sixteen lowercase hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
