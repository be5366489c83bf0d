extension StateDiff {
    /// One field of a prompt record's JSON (`PromptRecord.json`, in its order): its key,
    /// whether two records differ in it, and its JSON.
    struct RecordField: Sendable {
        let key: String
        let differs: @Sendable (PromptRecord, PromptRecord) -> Bool
        let json: @Sendable (PromptRecord) -> JSONValue

        init(_ key: String, _ differs: @escaping @Sendable (PromptRecord, PromptRecord) -> Bool, _ json: @escaping @Sendable (PromptRecord) -> JSONValue) {
            self.key = key
            self.differs = differs
            self.json = json
        }
    }

    /// `PromptRecord.json`'s fields, in order (`RecordDiffTests` holds the two equal).
    static let recordFields: [RecordField] = [
        RecordField("status", { $0.status != $1.status }, { .string($0.status.rawValue) }),
        RecordField("owner", { $0.owner != $1.owner }, { .string($0.owner.rawValue) }),
        RecordField("server", { $0.server != $1.server }, { $0.server.json }),
        RecordField("number", { $0.number != $1.number }, { $0.number.json }),
        RecordField("client_id", { $0.clientID != $1.clientID }, { $0.clientID.json }),
        RecordField("accepted", { $0.accepted != $1.accepted }, { .bool($0.accepted) }),
        RecordField("submitted_at", { $0.submittedAt != $1.submittedAt }, { $0.submittedAt?.json ?? .null }),
        RecordField("started_at", { $0.startedAt != $1.startedAt }, { $0.startedAt?.json ?? .null }),
        RecordField("finished_at", { $0.finishedAt != $1.finishedAt }, { $0.finishedAt?.json ?? .null }),
        RecordField("node_count", { $0.nodeCount != $1.nodeCount }, { $0.nodeCount.json }),
        RecordField("cached", { $0.cached != $1.cached }, { $0.cached.json }),
        RecordField("outputs", { $0.outputs != $1.outputs }, { .object($0.outputs) }),
        RecordField("error", { $0.error != $1.error }, { $0.error?.json ?? .null }),
        RecordField("interrupted", { $0.interrupted != $1.interrupted }, { $0.interrupted.map { .object(Array($0.fields.prefix(2))) } ?? .null }),
        RecordField("warnings", { $0.warnings != $1.warnings }, { .array($0.warnings.map(\.json)) }),
        RecordField("from_history", { $0.fromHistory != $1.fromHistory }, { .bool($0.fromHistory) }),
        RecordField("resubmitted", { $0.resubmitted != $1.resubmitted }, { .number(Double($0.resubmitted)) }),
        RecordField("sent_to", { $0.sentTo != $1.sentTo }, { $0.sentTo.json }),
        RecordField("excluded", { $0.excluded != $1.excluded }, { $0.excluded.json }),
        RecordField("pinned", { $0.pinned != $1.pinned }, { $0.pinned?.json ?? .null }),
        RecordField("label", { $0.label != $1.label }, { $0.label.json }),
    ]

    /// The lines `JSONDiff` gives for the two records' JSON, field by field: a field whose
    /// values are equal has equal JSON (no line), so only a field that differs has its
    /// JSON built and diffed — not both records whole (21 fields, each record's lists and
    /// outputs) for the one or two fields an action changes.
    static func record(_ a: PromptRecord, _ b: PromptRecord, at path: String, into out: inout [DiffLine]) {
        for field in recordFields where field.differs(a, b) {
            JSONDiff.diff(field.json(a), field.json(b), at: path + "." + field.key, into: &out)
        }
    }

    /// A record's line when it came or went: its JSON built when the line is read.
    static func wholeRecord(_ kind: DiffLine.Kind, _ record: PromptRecord, at path: String) -> DiffLine {
        let value = LineValue.deferred { record.json }
        return kind == .added
            ? DiffLine(.added, path, deferredOld: .built(nil), deferredNew: value)
            : DiffLine(.removed, path, deferredOld: value, deferredNew: .built(nil))
    }
}
