import Foundation
import ComfyCore

/// What a run or a watch tells the user, derived from each state change: one line per
/// event for people, or one JSON object per event for scripts.
struct RunReporter {
    /// The prompts to report on; nil: every prompt (watch).
    var tracked: Set<String>?
    /// Last reported progress step per prompt, so ticks are reported once each.
    private var lastStep: [String: String] = [:]
    /// Prompts whose `node_errors` (dropped outputs) have been told.
    private var warned: Set<String> = []

    init(tracked: Set<String>?) { self.tracked = tracked }

    func follows(_ id: String) -> Bool { tracked?.contains(id) ?? true }

    /// The events one change caused, as JSON objects (`{"event": …}`).
    mutating func events(_ change: Change) -> [JSONValue] {
        var out: [JSONValue] = []
        let old = change.old
        let new = change.new
        if old.connection.phase != new.connection.phase {
            var fields = [JSONField("event", "connection"), JSONField("phase", .string(new.connection.phase.name))]
            switch new.connection.phase {
            case .reconnecting(let attempt, let next):
                fields += [JSONField("attempt", .number(Double(attempt))), JSONField("next_try_at", next.json)]
            case .disconnected(let reason), .failed(let reason): fields.append(JSONField("reason", .string(reason)))
            default: break
            }
            out.append(.object(fields))
        }
        if old.queue.prompts != new.queue.prompts {
            for id in new.queue.orderedIDs where follows(id) {
                let record = new.queue.prompts[id]!
                let before = old.queue.prompts[id]
                if record.resubmitted > (before?.resubmitted ?? 0) {
                    out.append(.object([JSONField("event", "resubmitted"), JSONField("prompt_id", .string(id))]))
                }
                if before?.accepted != true, record.accepted {
                    var fields = [JSONField("event", "accepted"), JSONField("prompt_id", .string(id)), JSONField("number", record.number.json)]
                    if !record.warnings.isEmpty {
                        fields.append(JSONField("warnings", .array(record.warnings.map(\.json))))
                        warned.insert(id)
                    }
                    out.append(.object(fields))
                } else if record.warnings != before?.warnings ?? [], !record.warnings.isEmpty {
                    // The POST's answer came after the prompt's first events (which made it
                    // accepted): its `node_errors` still have to be told.
                    out.append(warningsEvent(record))
                }
                if before?.status != record.status, record.status != .queued {
                    out.append(statusEvent(record))
                } else if record.status == .ended, record.fromHistory, before?.fromHistory != true {
                    // History answered, and did not say how it ended: nothing more will.
                    out.append(statusEvent(record))
                }
                for output in record.outputs where !(before?.outputs.contains(output) ?? false) {
                    out.append(.object([JSONField("event", "output"), JSONField("prompt_id", .string(id)),
                                        JSONField("node", .string(output.key)), JSONField("output", output.value)]))
                }
            }
        }
        for rejection in new.queue.rejected.dropFirst(old.queue.rejected.count) where rejection.promptID.map(follows) ?? (tracked == nil) {
            out.append(.object([JSONField("event", "rejected")] + (rejection.json.objectValue ?? [])))
        }
        if let id = new.progress.promptID, follows(id), new.queue.prompts[id]?.status == .running {
            let step = "\(new.progress.node ?? "")/\(new.progress.value)/\(new.progress.max)"
            if lastStep[id] != step, new.progress.max > 0 {
                lastStep[id] = step
                out.append(.object([
                    JSONField("event", "progress"), JSONField("prompt_id", .string(id)), JSONField("node", new.progress.node.json),
                    JSONField("value", .number(new.progress.value)), JSONField("max", .number(new.progress.max)),
                    JSONField("fraction", .number(new.progress.fraction)), JSONField("eta_seconds", new.progress.etaSeconds.json),
                ]))
            }
        }
        for entry in new.log.entries(after: old.log.total) where entry.kind == "resync" {
            out.append(.object([JSONField("event", "resync"), JSONField("message", .string(entry.message))]))
        }
        return out
    }

    mutating func warningsEvent(_ record: PromptRecord) -> JSONValue {
        warned.insert(record.id)
        return .object([JSONField("event", "warnings"), JSONField("prompt_id", .string(record.id)),
                        JSONField("warnings", .array(record.warnings.map(\.json)))])
    }

    /// Warnings not told yet: a submission's answer can arrive after its prompt ended.
    mutating func untoldWarnings(_ state: AppState) -> [JSONValue] {
        state.queue.orderedIDs.compactMap { id in
            guard follows(id), !warned.contains(id), let record = state.queue.prompts[id], !record.warnings.isEmpty else { return nil }
            return warningsEvent(record)
        }
    }

    func statusEvent(_ record: PromptRecord) -> JSONValue {
        var fields = [JSONField("event", .string(record.status.rawValue)), JSONField("prompt_id", .string(record.id))]
        if let error = record.error { fields.append(JSONField("error", error.json)) }
        if record.status == .ended, record.fromHistory { fields.append(JSONField("from_history", true)) }
        if let interrupted = record.interrupted {
            fields.append(JSONField("node_id", interrupted.nodeID.json))
            fields.append(JSONField("node_type", interrupted.nodeType.json))
        }
        return .object(fields)
    }

    /// The same events as lines for people.
    static func line(_ event: JSONValue, names: [String: String]) -> String? {
        let id = event["prompt_id"]?.stringValue ?? ""
        let who = names[id].map { "\(id.prefix(8)) \($0)" } ?? String(id.prefix(8))
        switch event["event"]?.stringValue {
        case "connection":
            let phase = event["phase"]?.stringValue ?? "?"
            switch phase {
            case "connected": return "· connected"
            case "reconnecting":
                return "· connection lost; reconnecting (attempt \(event["attempt"]?.intValue ?? 0))"
            case "disconnected": return "· disconnected: \(event["reason"]?.stringValue ?? "")"
            case "failed": return "✘ connection failed: \(event["reason"]?.stringValue ?? "")"
            default: return nil
            }
        case "accepted":
            var line = "▸ \(who): queued"
            if let number = event["number"]?.doubleValue { line += " as #\(JSONWriter.number(number))" }
            for warning in event["warnings"]?.arrayValue ?? [] {
                line += "\n  ! dropped by the server: \(nodeErrorLine(warning))"
            }
            return line
        case "warnings":
            return (event["warnings"]?.arrayValue ?? []).map { "  ! \(who): dropped by the server: \(nodeErrorLine($0))" }.joined(separator: "\n")
        case "running": return "▸ \(who): running"
        case "progress":
            let value = event["value"]?.doubleValue ?? 0
            let max = event["max"]?.doubleValue ?? 0
            let fraction = event["fraction"]?.doubleValue ?? 0
            var line = "  \(who): node \(event["node"]?.stringValue ?? "?") \(JSONWriter.number(value))/\(JSONWriter.number(max)) · \(Int((fraction * 100).rounded()))% of the prompt"
            if let eta = event["eta_seconds"]?.doubleValue { line += " · ETA \(seconds(eta))" }
            return line
        case "output":
            let files = (event["output"]?.objectValue ?? []).flatMap { ($0.value.arrayValue ?? []).compactMap { $0["filename"]?.stringValue } }
            return "  \(who): node \(event["node"]?.stringValue ?? "?") → \(files.isEmpty ? "output" : files.joined(separator: ", "))"
        case "succeeded": return "✔ \(who): succeeded"
        case "failed":
            let error = event["error"]
            let node = "node \(error?["node_id"]?.stringValue ?? "?") (\(error?["node_type"]?.stringValue ?? "?"))"
            let message = (error?["exception_message"]?.stringValue ?? "").split(separator: "\n").first.map(String.init) ?? ""
            return "✘ \(who): failed at \(node): \(error?["exception_type"]?.stringValue ?? "error"): \(message)"
        case "interrupted":
            return "✘ \(who): interrupted at node \(event["node_id"]?.stringValue ?? "?") (\(event["node_type"]?.stringValue ?? "?"))"
        case "cancelled": return "✘ \(who): cancelled"
        case "lost": return "✘ \(who): lost: the server no longer knows it (restarted?)"
        case "resubmitted": return "↻ \(who): the server forgot it (restarted?); submitted again under the same id"
        case "ended":
            if event["from_history"] == true { return "✘ \(who): ended, but the server's history does not say how" }
            return "· \(who): ended; asking the server how"
        case "rejected":
            let status = event["status"]?.intValue ?? 0
            let message = oneLine(event["message"]?.stringValue ?? "")
            if status >= 500 {
                return "✘ \(who): the server failed on the submission (HTTP \(status): \(message)); it does not hold the prompt"
            }
            var line = "✘ \(who): rejected by the server (\(status) \(event["type"]?.stringValue ?? "")): \(message)"
            for nodeError in event["node_errors"]?.arrayValue ?? [] { line += "\n  \(nodeErrorLine(nodeError))" }
            if let info = event["extra_info"], info.objectValue?.isEmpty == false, event["node_errors"]?.arrayValue?.isEmpty != false {
                // `missing_node_type` names the node in `extra_info`: shown like a node error.
                if let node = info["node_id"]?.stringValue {
                    line += "\n  node \(node) (\(info["class_type"]?.stringValue ?? "?")): \(event["type"]?.stringValue ?? "error")"
                } else {
                    line += "\n  \(JSONWriter.string(info))"
                }
            }
            return line
        case "resync": return "· \(event["message"]?.stringValue ?? "resynced")"
        default: return nil
        }
    }

    /// `node 2 (TestProgressLoop): image: required_input_missing: Required input is missing`
    static func nodeErrorLine(_ value: JSONValue) -> String {
        let problems = (value["errors"]?.arrayValue ?? []).map { e in
            [e["input_name"]?.stringValue, e["type"]?.stringValue, e["message"]?.stringValue]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        }
        return "node \(value["node_id"]?.stringValue ?? "?") (\(value["class_type"]?.stringValue ?? "?")): \(problems.joined(separator: "; "))"
    }

    /// A server's message on one line, cut: a 5xx body may be a whole web page.
    static func oneLine(_ text: String) -> String {
        let joined = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " — ")
        return joined.count > 200 ? String(joined.prefix(200)) + "…" : joined
    }

    static func seconds(_ s: Double) -> String {
        s < 60 ? "\(JSONWriter.number((s * 10).rounded() / 10)) s" : "\(Int(s) / 60) min \(Int(s) % 60) s"
    }
}
