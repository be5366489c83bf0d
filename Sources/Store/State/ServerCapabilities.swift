/// What a server can run, from its `/object_info`: its node classes, and for each
/// class the inputs whose value must be one of a list (COMBO inputs: checkpoints, LoRAs,
/// samplers…). Routing checks a workflow against it; the live layer fetches it once per
/// server version and shares one value among servers of the same version and catalogue.
/// It also keeps the whole catalogue (`NodeCatalog`): a workflow in the editor's format is
/// converted for the server it goes to with that server's own.
public final class ServerCapabilities: Sendable, Equatable {
    /// Class name → input name → the values the server accepts.
    public let classes: [String: [String: Set<String>]]
    /// The server's version when it was fetched (`system_stats`), if known.
    public let version: String?
    /// False when the catalogue could not be read: the server is then trusted to run
    /// anything (it validates what it gets, and a refusal excludes it for that job).
    public let isKnown: Bool
    /// The whole catalogue, typed (nil when only the classes were given).
    public let catalog: NodeCatalog?

    /// Capabilities with these classes and list inputs (`isKnown` false: a catalogue that
    /// could not be read), and the typed catalogue when there is one.
    public init(classes: [String: [String: Set<String>]], version: String? = nil, isKnown: Bool = true, catalog: NodeCatalog? = nil) {
        self.classes = classes
        self.version = version
        self.isKnown = isKnown
        self.catalog = catalog
    }

    /// A catalogue that could not be read.
    public static let unknown = ServerCapabilities(classes: [:], isKnown: false)

    /// Reads an `/object_info` answer loosely: a class whose entry cannot be read still
    /// counts as present (with no list inputs known). Nil if it is not an object at all.
    public static func parse(_ objectInfo: JSONValue, version: String? = nil) -> ServerCapabilities? {
        guard case .object(let entries) = objectInfo else { return nil }
        var classes: [String: [String: Set<String>]] = [:]
        classes.reserveCapacity(entries.count)
        for entry in entries {
            var combos: [String: Set<String>] = [:]
            for part in ["required", "optional"] {
                for input in entry.value["input"]?[part]?.objectValue ?? [] {
                    if let choices = comboChoices(input.value) { combos[input.key] = Set(choices) }
                }
            }
            classes[entry.key] = combos
        }
        return ServerCapabilities(classes: classes, version: version, catalog: NodeCatalog(objectInfo: objectInfo))
    }

    /// `[["a", "b"], {…}]` (a list as the spec's type) or `["COMBO", {"options": [...]}]`.
    static func comboChoices(_ spec: JSONValue) -> [String]? {
        guard let parts = spec.arrayValue, let first = parts.first else { return nil }
        if let list = first.arrayValue { return list.compactMap { $0.stringValue ?? $0.doubleValue.map(JSONWriter.number) } }
        if first.stringValue == "COMBO", let options = parts.dropFirst().first?["options"]?.arrayValue {
            return options.compactMap { $0.stringValue ?? $0.doubleValue.map(JSONWriter.number) }
        }
        return nil
    }

    /// What of `graph` (an API-format prompt) this server lacks: node classes it does not
    /// have, and list values it does not offer (a model file it does not have). Empty:
    /// it can run it.
    public func missing(for graph: JSONValue) -> [Missing] {
        guard isKnown else { return [] }
        var out: [Missing] = []
        for node in graph.objectValue ?? [] {
            guard let classType = node.value["class_type"]?.stringValue else { continue }
            guard let combos = classes[classType] else {
                out.append(.nodeClass(node: node.key, classType: classType))
                continue
            }
            for input in node.value["inputs"]?.objectValue ?? [] {
                guard let allowed = combos[input.key], let value = input.value.stringValue, !allowed.contains(value) else { continue }
                out.append(.value(node: node.key, classType: classType, input: input.key, value: value))
            }
        }
        return out
    }

    /// Something a server lacks to run a workflow.
    public enum Missing: Sendable, Equatable, CustomStringConvertible {
        /// Node `node` is of a class the server does not have (`missing_node_type`).
        case nodeClass(node: String, classType: String)
        /// Node `node` sets list input `input` to a value the server does not offer (a model
        /// file it lacks: `value_not_in_list`).
        case value(node: String, classType: String, input: String, value: String)

        /// `node class X`, or `input "value"`: what a `no_server_can_run` message says a
        /// server lacks.
        public var description: String {
            switch self {
            case .nodeClass(_, let classType): "node class \(classType)"
            case .value(_, _, let input, let value): "\(input) \(JSONWriter.quoted(value))"
            }
        }

        /// The node it is about.
        public var node: String {
            switch self {
            case .nodeClass(let node, _), .value(let node, _, _, _): node
            }
        }

        /// As the server would say it in `node_errors`.
        public var nodeError: NodeError {
            switch self {
            case .nodeClass(let node, let classType):
                NodeError(nodeID: node, classType: classType, errors: [.init(type: "missing_node_type", message: "no server has this node class")])
            case .value(let node, let classType, let input, let value):
                NodeError(
                    nodeID: node, classType: classType,
                    errors: [.init(type: "value_not_in_list", message: "no server offers \(JSONWriter.quoted(value))", inputName: input)])
            }
        }
    }

    /// The same object (an immutable class, shared by servers with the same catalogue, so
    /// comparing states costs nothing while it is unchanged), or the same contents.
    public static func == (a: ServerCapabilities, b: ServerCapabilities) -> Bool {
        a === b || (a.version == b.version && a.isKnown == b.isKnown && a.classes == b.classes && a.catalog == b.catalog)
    }
}
