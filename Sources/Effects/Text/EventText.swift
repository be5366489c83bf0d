import ComfyCore
import Foundation

/// The events of the core (`ClientEvent`) as lines for people: what `comfysh run` and
/// `watch` print without `--json`, what the shell's notifications say, and the dashboard's
/// toasts and event list — one wording for every front end. Scripts get the same events
/// as JSON (`ClientEvent.json`).
public enum EventText {
    /// The line for `event`, or nil when it has none (previews). `names` labels prompts
    /// with their workflow file.
    /// With `fleet`, lines about a connection name its server.
    public static func line(_ event: ClientEvent, names: [String: String], fleet: Bool = false) -> String? {
        let who = label(event.promptID ?? "", names: names)
        switch event {
        case .connection(let change):
            let server = fleet ? "\(change.server): " : ""
            switch change.phase {
            case .connected: return "· \(server)connected"
            case .reconnecting(let attempt, _): return "· \(server)connection lost; reconnecting (attempt \(attempt))"
            case .disconnected(let reason): return "· \(server)disconnected: \(reason)"
            case .failed(let reason): return "✘ \(server)connection failed: \(reason)"
            case .idle, .connecting: return nil
            }
        case .accepted(_, let number, let warnings):
            var line = "▸ \(who): queued"
            if let number { line += " as #\(JSONWriter.number(number))" }
            for warning in warnings { line += "\n  ! dropped by the server: \(nodeErrorLine(warning))" }
            return line
        case .warnings(_, let warnings):
            return warnings.map { "  ! \(who): dropped by the server: \(nodeErrorLine($0))" }.joined(separator: "\n")
        case .started: return "▸ \(who): running"
        case .progress(let p):
            var line = "  \(who): node \(p.node ?? "?")"
            if p.max > 0 { line += " \(JSONWriter.number(p.value))/\(JSONWriter.number(p.max))" }
            line += " · \(Int((p.fraction * 100).rounded()))% of the prompt"
            return line + " · " + eta(p.etaSeconds, basis: p.etaBasis)
        case .preview: return nil
        case .output(_, let node, let output):
            let files = (output.objectValue ?? []).flatMap { ($0.value.arrayValue ?? []).compactMap { $0["filename"]?.stringValue } }
            return "  \(who): node \(node) → \(files.isEmpty ? "output" : files.joined(separator: ", "))"
        case .ended: return "· \(who): ended; asking the server how"
        case .finished(let record): return finishedLine(record, who: who)
        case .resubmitted: return "↻ \(who): the server forgot it (restarted?); submitted again under the same id"
        case .rerouted(_, let from): return "↻ \(who): \(from) was lost; runs again elsewhere under the same id"
        case .rejected(let r): return rejectedLine(r, who: who)
        case .resynced(let findings): return "· \(findings.message)"
        }
    }

    /// How much a notice matters: a front end colours it (the shell) or picks a toast (the dashboard).
    public enum Tone: String, Sendable {
        case good, warning, bad, quiet
    }

    /// The notice for a change of a connection that a person should see now, or nil:
    /// `connection restored (after 2 reconnect attempt(s) in all)`, `connection lost: …`,
    /// `reconnecting, attempt 3` (quiet; not the first), `connection failed: …`. With
    /// `fleet`, it names its server.
    public static func connectionNotice(_ change: ConnectionChange, fleet: Bool = false) -> (tone: Tone, text: String)? {
        let server = fleet ? "\(change.server): " : ""
        switch change.kind {
        case .restored:
            return (.good, "\(server)connection restored (after \(change.reconnects) reconnect attempt(s) in all)")
        case .lost:
            return (.warning, "\(server)connection lost: " + (change.reason?.description ?? ""))
        case .reconnecting:
            guard case .reconnecting(let attempt, _) = change.phase, attempt > 1 else { return nil }
            return (.quiet, "\(server)reconnecting, attempt \(attempt)")
        case .failed:
            return (.bad, "\(server)connection failed: " + (change.reason?.description ?? ""))
        case .connected, .connecting, .idle:
            return nil
        }
    }

    /// `61c72f8c demo.json`, or the short id alone.
    public static func label(_ id: String, names: [String: String]) -> String {
        names[id].map { "\(id.prefix(8)) \($0)" } ?? String(id.prefix(8))
    }

    public static func finishedLine(_ record: PromptRecord, who: String) -> String {
        switch record.status {
        case .succeeded: return "✔ \(who): succeeded"
        case .failed:
            let error = record.error
            let node = "node \(error?.nodeID ?? "?") (\(error?.nodeType ?? "?"))"
            let message = (error?.exceptionMessage ?? "").split(separator: "\n").first.map(String.init) ?? ""
            return "✘ \(who): failed at \(node): \(error?.exceptionType ?? "error"): \(message)"
        case .interrupted:
            return "✘ \(who): interrupted at node \(record.interrupted?.nodeID ?? "?") (\(record.interrupted?.nodeType ?? "?"))"
        case .cancelled: return "✘ \(who): cancelled"
        case .lost: return "✘ \(who): lost: the server no longer knows it (restarted?)"
        case .ended: return "✘ \(who): ended, but the server's history does not say how"
        case .waiting, .queued, .running: return "· \(who): \(record.status.rawValue)"
        }
    }

    public static func rejectedLine(_ r: QueueState.Rejection, who: String) -> String {
        let message = oneLine(r.message)
        if r.type == "no_server_can_run" {
            var line = "✘ \(who): \(r.message)"
            for nodeError in r.nodeErrors { line += "\n  \(nodeErrorLine(nodeError))" }
            return line
        }
        if r.status >= 500 {
            return "✘ \(who): the server failed on the submission (HTTP \(r.status): \(message)); it does not hold the prompt"
        }
        var line = "✘ \(who): rejected by the server (\(r.status) \(r.type)): \(message)"
        for nodeError in r.nodeErrors { line += "\n  \(nodeErrorLine(nodeError))" }
        if let info = r.extraInfo.objectValue, !info.isEmpty, r.nodeErrors.isEmpty {
            // `missing_node_type` names the node in `extra_info`: shown like a node error.
            if let node = r.extraInfo["node_id"]?.stringValue {
                line += "\n  node \(node) (\(r.extraInfo["class_type"]?.stringValue ?? "?")): \(r.type)"
            } else {
                line += "\n  \(JSONWriter.string(r.extraInfo))"
            }
        }
        return line
    }

    /// `node 2 (TestProgressLoop): image: required_input_missing: Required input is missing`
    public static func nodeErrorLine(_ error: NodeError) -> String {
        let problems = error.errors.map { e in
            [e.inputName, e.type, e.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        }
        return "node \(error.nodeID) (\(error.classType ?? "?")): \(problems.joined(separator: "; "))"
    }

    /// A server's message on one line, cut: a 5xx body may be a whole web page.
    public static func oneLine(_ text: String) -> String {
        let joined = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " — ")
        return joined.count > 200 ? String(joined.prefix(200)) + "…" : joined
    }

    /// `ETA 3.2 s` (learned from this workflow's runs), `ETA ~3.2 s` (from the same nodes in
    /// other workflows), `ETA ≥ 2.1 s` (a lower bound: part of what is left was never seen),
    /// `ETA —` (nothing known).
    public static func eta(_ s: Double?, basis: EstimateBasis?) -> String {
        guard let s else { return "ETA —" }
        return "ETA \(mark(basis))\(seconds(s))"
    }

    /// What goes before an estimate's seconds: `≥ ` for a lower bound, `~` for one learned
    /// from other workflows' nodes, nothing for one learned from this workflow.
    public static func mark(_ basis: EstimateBasis?) -> String {
        switch basis {
        case .lowerBound: "≥ "
        case .nodeClass: "~"
        case .workflow, nil: ""
        }
    }

    public static func seconds(_ s: Double) -> String {
        s < 60 ? "\(JSONWriter.number((s * 10).rounded() / 10)) s" : "\(Int(s) / 60) min \(Int(s) % 60) s"
    }
}
