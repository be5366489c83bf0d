import ComfyCore
import ComfyLive

/// What the page is told besides the state: the events in the words every front end uses
/// (`EventText`, the lines `comfysh run` and `watch` print), which of them are toasts, and
/// what the dashboard offers.
struct PageContext: Sendable {
    var demo: Bool
    var version: String
    /// The largest workflow upload accepted now (the smallest `max_upload_size` the servers said).
    var maxUpload: @Sendable () -> Int

    /// `{"demo", "version", "max_upload"}`.
    var json: JSONValue {
        .object([
            JSONField("demo", .bool(demo)), JSONField("version", .string(version)),
            JSONField("max_upload", .number(Double(maxUpload()))),
        ])
    }

    /// `{"event": <ClientEvent.json>, "text", "tone", "toast", "prompt_id"?}`: `text` is the
    /// line `comfysh watch` prints for it; toasts are connection lost, restored and failed,
    /// and a prompt's final outcome or refusal.
    func json(_ event: ClientEvent, state: AppState) -> JSONValue {
        let fleet = state.servers.count > 1
        var names: [String: String] = [:]
        if let id = event.promptID, let label = state.queue.prompts[id]?.label {
            names[id] = String(label.split(separator: "/").last ?? Substring(label))
        }
        var text = EventText.line(event, names: names, fleet: fleet)
        var tone = EventText.Tone.quiet
        var toast = false
        switch event {
        case .connection(let change):
            if let notice = EventText.connectionNotice(change, fleet: fleet) {
                (tone, text) = (notice.tone, notice.text)
                toast = notice.tone != .quiet
            }
        case .finished(let record):
            // The core also tells a job that starts waiting in our queue this way: only
            // an outcome is a toast.
            toast = record.isSettled
            switch record.status {
            case .succeeded: tone = .good
            case .failed, .interrupted, .lost: tone = .bad
            case .ended: tone = .warning
            default: tone = .quiet
            }
        case .rejected:
            (tone, toast) = (.bad, true)
        case .resubmitted, .rerouted:
            tone = .warning
        default:
            break
        }
        var fields = [JSONField("event", event.json ?? .null), JSONField("text", text.json), JSONField("tone", .string(tone.rawValue)),
                      JSONField("toast", .bool(toast))]
        if case .finished(let record) = event { fields.append(JSONField("status", .string(record.status.rawValue))) }
        return .object(fields)
    }
}
