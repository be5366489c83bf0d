/// The node classes a server offers, read from its `GET /object_info`.
public struct NodeCatalog: Sendable, Hashable {
    public private(set) var classes: [String: NodeSchema]

    public init(_ schemas: [NodeSchema]) {
        var classes: [String: NodeSchema] = [:]
        for schema in schemas { classes[schema.name] = schema }
        self.classes = classes
    }

    /// Reads `{class: info}`. Entries that are not objects are skipped: one odd custom
    /// node must not make the whole catalog unreadable.
    public init(objectInfo: JSONValue) {
        self.init((objectInfo.objectValue ?? []).compactMap { NodeSchema(name: $0.key, objectInfo: $0.value) })
    }

    public subscript(name: String) -> NodeSchema? { classes[name] }
    public var count: Int { classes.count }
}
