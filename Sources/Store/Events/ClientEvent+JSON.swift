/// The events as JSON objects (`{"event": …}`): the lines of `comfysh run --json` and
/// `comfysh watch --json` (docs/shell.md), and what the dashboard's page receives.
extension ClientEvent {
    /// nil for events that have no line form (previews: their bytes are not JSON).
    public var json: JSONValue? {
        switch self {
        case .connection(let change):
            var fields = [JSONField("event", "connection"), JSONField("server", .string(change.server)), JSONField("phase", .string(change.phase.name))]
            switch change.phase {
            case .reconnecting(let attempt, let next):
                fields += [JSONField("attempt", .number(Double(attempt))), JSONField("next_try_at", next.json)]
            case .disconnected(let reason), .failed(let reason): fields.append(JSONField("reason", .string(reason.description)))
            default: break
            }
            return .object(fields)
        case .accepted(let id, let number, let warnings):
            var fields = [JSONField("event", "accepted"), JSONField("prompt_id", .string(id)), JSONField("number", number.json)]
            if !warnings.isEmpty { fields.append(JSONField("warnings", .array(warnings.map(\.json)))) }
            return .object(fields)
        case .warnings(let id, let warnings):
            return .object([JSONField("event", "warnings"), JSONField("prompt_id", .string(id)), JSONField("warnings", .array(warnings.map(\.json)))])
        case .started(let record), .finished(let record):
            return Self.statusJSON(record)
        case .ended(let id):
            return .object([JSONField("event", "ended"), JSONField("prompt_id", .string(id))])
        case .progress(let p):
            return .object([
                JSONField("event", "progress"), JSONField("prompt_id", .string(p.promptID)), JSONField("node", p.node.json),
                JSONField("value", .number(p.value)), JSONField("max", .number(p.max)), JSONField("fraction", .number(p.fraction)),
                JSONField("eta_seconds", p.etaSeconds.json), JSONField("eta_basis", p.etaBasis.map { .string($0.rawValue) } ?? .null),
            ])
        case .preview:
            return nil
        case .output(let id, let node, let output):
            return .object([JSONField("event", "output"), JSONField("prompt_id", .string(id)), JSONField("node", .string(node)),
                            JSONField("output", output)])
        case .resubmitted(let id):
            return .object([JSONField("event", "resubmitted"), JSONField("prompt_id", .string(id)), JSONField("reason", "forgotten")])
        case .rerouted(let id, let from):
            // The same event name as before, for scripts that count resubmissions.
            return .object([
                JSONField("event", "resubmitted"), JSONField("prompt_id", .string(id)), JSONField("reason", "server_lost"),
                JSONField("from", .string(from)),
            ])
        case .rejected(let rejection):
            return .object([JSONField("event", "rejected")] + (rejection.json.objectValue ?? []))
        case .resynced(let findings):
            return .object([JSONField("event", "resync"), JSONField("message", .string(findings.message))])
        }
    }

    /// `{"event": <status>, "prompt_id", …}` with the failure, or where it was interrupted.
    static func statusJSON(_ record: PromptRecord) -> JSONValue {
        var fields = [JSONField("event", .string(record.status.rawValue)), JSONField("prompt_id", .string(record.id))]
        if let error = record.error { fields.append(JSONField("error", error.json)) }
        if record.status == .ended, record.fromHistory { fields.append(JSONField("from_history", true)) }
        if let interrupted = record.interrupted {
            fields.append(JSONField("node_id", interrupted.nodeID.json))
            fields.append(JSONField("node_type", interrupted.nodeType.json))
        }
        return .object(fields)
    }
}
