/// Where the running prompt is: the current step, the whole prompt's fraction, the step
/// rate and an ETA — made from the running node's steps at their measured rate and what
/// earlier runs taught of the nodes left (``DurationBook``), and saying how sure it is
/// (``etaBasis``). docs/progress.md tells how.
public struct ProgressState: Sendable, Equatable {
    /// What is known of the latest preview (the bytes themselves are passed on in
    /// ``ClientEvent/preview(_:)``, never stored).
    public struct PreviewInfo: Sendable, Equatable {
        /// The prompt it belongs to; nil for a legacy preview not attributed to one.
        public var promptID: String?
        /// The node that made it, when known.
        public var nodeID: String?
        /// The image's type (`image/png`, `image/jpeg`).
        public var mimeType: String
        /// The image's size, in bytes.
        public var bytes: Int
        /// When it arrived.
        public var at: Timestamp
        /// Previews received for this prompt so far.
        public var count: Int
    }

    /// The prompt being measured; nil before any ran.
    public var promptID: String?
    /// The node whose steps are counted below.
    public var node: String?
    /// The current step of ``node``, out of ``max``.
    public var value: Double = 0
    /// The number of steps of ``node``.
    public var max: Double = 0
    /// The whole prompt, 0…1, weighted by time: the time it has run over that plus the ETA.
    /// While the ETA is a lower bound, never above the share of its nodes done (cached and
    /// finished nodes fully, running ones by step). It never goes back while the prompt runs.
    public var fraction: Double = 0
    /// When the prompt started running (execution start, not queue time).
    public var startedAt: Timestamp?
    /// When the last progress information arrived.
    public var updatedAt: Timestamp?
    /// Steps per second of the current node, from its first tick.
    public var stepsPerSecond: Double?
    /// Seconds left as of ``updatedAt``; nil when nothing is known of what is left. Read
    /// with ``etaBasis``: a lower bound says only that at least this much is left.
    public var etaSeconds: Double?
    /// How ``etaSeconds`` was made; nil when there is none (and once the prompt is over).
    public var etaBasis: EstimateBasis?
    /// Latest progress text per node (only for nodes of the running prompt).
    public var texts: [String: String] = [:]
    /// The latest preview of the prompt; nil until one arrives.
    public var preview: PreviewInfo?
    /// Where the step rate is measured from: the first tick seen for `node`.
    var rateAnchor: (value: Double, at: Timestamp)?
    /// What is left of the prompt and what its nodes are expected to take, boxed: the
    /// reducer moves a server's whole state in and out of its scope on every action, and
    /// a plan held inline made each move some 400 bytes longer (a fifth of decode+reduce
    /// went to moving memory). Copy on write: see ``updatePlan(_:)``.
    var planBox: PlanBox?

    /// The plan (a copy): set to start or drop one; change it with ``updatePlan(_:)``.
    var plan: PromptPlan? {
        get { planBox?.plan }
        set { planBox = newValue.map(PlanBox.init) }
    }

    /// Changes the plan in place (in its box, copied first if another state shares it).
    mutating func updatePlan(_ body: (inout PromptPlan) -> Void) {
        guard planBox != nil else { return }
        if !isKnownUniquelyReferenced(&planBox!) { planBox = PlanBox(planBox!.plan) }
        body(&planBox!.plan)
    }

    /// Nothing running, nothing measured.
    public init() {}

    /// Every field equal, the point the step rate is measured from included.
    public static func == (a: ProgressState, b: ProgressState) -> Bool {
        a.promptID == b.promptID && a.node == b.node && a.value == b.value && a.max == b.max
            && a.fraction == b.fraction && a.startedAt == b.startedAt && a.updatedAt == b.updatedAt
            && a.stepsPerSecond == b.stepsPerSecond && a.etaSeconds == b.etaSeconds && a.etaBasis == b.etaBasis
            && a.texts == b.texts && (a.planBox === b.planBox || a.planBox?.plan == b.planBox?.plan)
            && a.preview == b.preview && a.rateAnchor?.value == b.rateAnchor?.value
            && a.rateAnchor?.at == b.rateAnchor?.at
    }

    /// The `progress` object of the state's JSON (docs/state.md).
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
            JSONField("eta_basis", etaBasis.map { .string($0.rawValue) } ?? .null),
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

/// A ``PromptPlan`` behind a reference (see ``ProgressState/planBox``). Only the state that
/// holds the sole reference changes it (`updatePlan`), so sharing it between state values
/// is safe.
final class PlanBox: @unchecked Sendable {
    var plan: PromptPlan
    init(_ plan: PromptPlan) { self.plan = plan }

    /// The plan's estimate at `at`, and when the prompt started, read where the plan is
    /// stored: `box.plan.estimate(at:)` copied the whole plan out of the box first (its
    /// strings and tables retained and released: a few per cent of decode+reduce, on
    /// every tick and snapshot). Nothing is written through the pointer.
    func estimate(at: Timestamp) -> (seconds: Double?, basis: EstimateBasis, startedAt: Timestamp) {
        withUnsafeMutablePointer(to: &plan) { plan in
            let e = plan.pointee.estimate(at: at)
            return (e.seconds, e.basis, plan.pointee.startedAt)
        }
    }
}
