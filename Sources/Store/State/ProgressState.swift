/// Where the running prompt is: the current step, the whole prompt's fraction, the step
/// rate and an ETA counted from execution start (not from queue time).
public struct ProgressState: Sendable, Equatable {
    public struct PreviewInfo: Sendable, Equatable {
        public var promptID: String?
        public var nodeID: String?
        public var mimeType: String
        public var bytes: Int
        public var at: Timestamp
        /// Previews received for this prompt so far.
        public var count: Int
    }

    public var promptID: String?
    /// The node whose steps are counted below.
    public var node: String?
    public var value: Double = 0
    public var max: Double = 0
    /// The whole prompt, 0…1: cached and finished nodes count fully, running ones by step.
    public var fraction: Double = 0
    public var startedAt: Timestamp?
    public var updatedAt: Timestamp?
    /// Steps per second of the current node, from its first tick.
    public var stepsPerSecond: Double?
    /// Seconds left, extrapolated from the time since execution start.
    public var etaSeconds: Double?
    /// Latest progress text per node (only for nodes of the running prompt).
    public var texts: [String: String] = [:]
    public var preview: PreviewInfo?
    /// Where the step rate is measured from: the first tick seen for `node`.
    var rateAnchor: (value: Double, at: Timestamp)?

    public init() {}

    public static func == (a: ProgressState, b: ProgressState) -> Bool {
        a.promptID == b.promptID && a.node == b.node && a.value == b.value && a.max == b.max
            && a.fraction == b.fraction && a.startedAt == b.startedAt && a.updatedAt == b.updatedAt
            && a.stepsPerSecond == b.stepsPerSecond && a.etaSeconds == b.etaSeconds && a.texts == b.texts
            && a.preview == b.preview && a.rateAnchor?.value == b.rateAnchor?.value
            && a.rateAnchor?.at == b.rateAnchor?.at
    }

    public var json: JSONValue {
        .object([
            JSONField("prompt_id", promptID.json),
            JSONField("node", node.json),
            JSONField("value", .number(value)),
            JSONField("max", .number(max)),
            JSONField("fraction", .number(fraction)),
            JSONField("started_at", startedAt?.json ?? .null),
            JSONField("updated_at", updatedAt?.json ?? .null),
            JSONField("steps_per_second", stepsPerSecond.json),
            JSONField("eta_seconds", etaSeconds.json),
            JSONField("texts", .object(texts.keys.sorted(by: idOrder).map { JSONField($0, .string(texts[$0]!)) })),
            JSONField(
                "preview",
                preview.map {
                    .object([
                        JSONField("prompt_id", $0.promptID.json), JSONField("node_id", $0.nodeID.json),
                        JSONField("mime_type", .string($0.mimeType)), JSONField("bytes", .number(Double($0.bytes))),
                        JSONField("at", $0.at.json), JSONField("count", .number(Double($0.count))),
                    ])
                } ?? .null),
        ])
    }
}
