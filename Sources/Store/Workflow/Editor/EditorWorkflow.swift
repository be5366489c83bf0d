/// A workflow as the ComfyUI editor saves it (its plain "Save"): nodes with positional
/// widget values, links between slots, and subgraph definitions.
///
/// Only what the conversion needs is kept: positions, sizes, colours, groups and the
/// editor's own `extra` are dropped.
public struct EditorWorkflow: Sendable, Hashable {
    /// The top-level graph.
    public var graph: EditorGraph
    /// `definitions.subgraphs`, by id (a subgraph instance node's `type` is that id).
    public var subgraphs: [String: EditorSubgraph]
    /// Legacy "group nodes" (`extra.groupNodes`, node types `workflow>…`): replaced by
    /// subgraphs in the editor, and not converted here.
    public var groupNodeTypes: Set<String>

    public init(graph: EditorGraph, subgraphs: [String: EditorSubgraph] = [:], groupNodeTypes: Set<String> = []) {
        self.graph = graph
        self.subgraphs = subgraphs
        self.groupNodeTypes = groupNodeTypes
    }
}

/// Nodes and links of one graph: the top level, or the inside of a subgraph definition.
public struct EditorGraph: Sendable, Hashable {
    public var nodes: [EditorNode]
    /// By link id (ids are numbers in practice; kept as text like node ids).
    public var links: [String: EditorLink]

    public init(nodes: [EditorNode], links: [EditorLink]) {
        self.nodes = nodes
        var byID: [String: EditorLink] = [:]
        for link in links where byID[link.id] == nil { byID[link.id] = link }
        self.links = byID
    }

    public func node(_ id: String) -> EditorNode? { nodes.first { $0.id == id } }
}

/// A subgraph definition: its inner graph and its boundary. Links from the boundary's
/// input side start at node `-10`; links to its output side end at node `-20`.
public struct EditorSubgraph: Sendable, Hashable {
    public var id: String
    public var name: String
    public var graph: EditorGraph
    public var inputs: [Port]
    public var outputs: [Port]

    /// One input or output of the boundary, with the inner links attached to it.
    public struct Port: Sendable, Hashable {
        public var name: String
        public var type: String
        public var linkIDs: [String]

        public init(name: String, type: String, linkIDs: [String]) {
            self.name = name
            self.type = type
            self.linkIDs = linkIDs
        }
    }

    /// The node id inner links use for the boundary's input side.
    public static let inputNodeID = "-10"
    /// The node id inner links use for the boundary's output side.
    public static let outputNodeID = "-20"

    public init(id: String, name: String, graph: EditorGraph, inputs: [Port], outputs: [Port]) {
        self.id = id
        self.name = name
        self.graph = graph
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// A link between an output slot and an input slot.
public struct EditorLink: Sendable, Hashable {
    public var id: String
    public var originID: String
    public var originSlot: Int
    public var targetID: String
    public var targetSlot: Int
    public var type: String

    public init(id: String, originID: String, originSlot: Int, targetID: String, targetSlot: Int, type: String) {
        self.id = id
        self.originID = originID
        self.originSlot = originSlot
        self.targetID = targetID
        self.targetSlot = targetSlot
        self.type = type
    }
}

/// One node as saved.
public struct EditorNode: Sendable, Hashable {
    public var id: String
    /// The class name, or a subgraph definition's id for a subgraph instance.
    public var type: String
    /// The title the user gave; nil when the node keeps its class's display name.
    public var title: String?
    public var mode: Mode
    public var inputs: [InputSlot]
    public var outputs: [OutputSlot]
    public var widgetValues: WidgetValues
    /// The node's `properties` (read for `Node name for S&R` nowhere: the type is the class).
    public var properties: JSONValue

    /// litegraph's `LGraphEventMode`.
    public struct Mode: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let always = Mode(rawValue: 0)
        /// "Never": muted. Left out of the prompt, with whatever it fed.
        public static let muted = Mode(rawValue: 2)
        /// Bypassed: left out, each input passed through to the output of matching type.
        public static let bypassed = Mode(rawValue: 4)
    }

    public struct InputSlot: Sendable, Hashable {
        public var name: String
        public var type: String
        /// The link feeding it, if any.
        public var link: String?
        /// Set when the slot belongs to a widget (the editor gives every widget a socket).
        public var widgetName: String?

        public init(name: String, type: String, link: String? = nil, widgetName: String? = nil) {
            self.name = name
            self.type = type
            self.link = link
            self.widgetName = widgetName
        }
    }

    public struct OutputSlot: Sendable, Hashable {
        public var name: String
        public var type: String
        public var links: [String]
        /// A Primitive node's output names the widget it drives.
        public var widgetName: String?

        public init(name: String, type: String, links: [String] = [], widgetName: String? = nil) {
            self.name = name
            self.type = type
            self.links = links
            self.widgetName = widgetName
        }
    }

    /// `widgets_values`: a list in widget order (the usual form), or an object keyed by
    /// widget name (some custom nodes save that).
    public enum WidgetValues: Sendable, Hashable {
        case positional([JSONValue])
        case named([JSONField])
        case none
    }

    public init(
        id: String, type: String, title: String? = nil, mode: Mode = .always, inputs: [InputSlot] = [],
        outputs: [OutputSlot] = [], widgetValues: WidgetValues = .none, properties: JSONValue = .object([JSONField]())
    ) {
        self.id = id
        self.type = type
        self.title = title
        self.mode = mode
        self.inputs = inputs
        self.outputs = outputs
        self.widgetValues = widgetValues
        self.properties = properties
    }
}
