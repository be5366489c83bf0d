/// One line per event, for people: what the replay and the shell print above a diff.
extension Event {
    /// One line for people (`← executing 61c72f8c node=3`, `socket 1 closed 1000 by client…`):
    /// what the replay and the shell print above a diff.
    public var summary: String {
        switch self {
        case .server(let m): return "← \(m.type) " + m.details
        case .binary(let b):
            switch b {
            case .preview(let p): return "← preview (type 1, \(p.mimeType), \(p.image.count) bytes)"
            case .previewWithMetadata(let p):
                return "← preview (type 4, node \(p.nodeID ?? "?"), \(p.mimeType ?? "?"), \(p.image.count) bytes)"
            case .progressText(let t): return "← progress text node \(t.nodeID): \(JSONWriter.quoted(t.text))"
            }
        case .unknown(let type, let payload): return "← unknown \(type) (\(payload.utf8.count) bytes kept)"
        case .protocolError(let e): return "← protocol error: \(e.reason)"
        case .connection(let c):
            switch c {
            case .connecting(let url, let attempt): return "connecting to \(url) (attempt \(attempt))"
            case .opened(let socket, let path, _): return "socket \(socket) open \(path)"
            case .closed(let socket, let code, let reason, let byClient):
                return "socket \(socket) closed\(code.map { " \($0)" } ?? "") by \(byClient ? "client" : "server"): \(reason)"
            case .reconnectScheduled(let attempt, let at): return "reconnect attempt \(attempt) scheduled at \(at)"
            case .attemptFailed(let reason): return "connection attempt failed: \(reason)"
            case .policy(let resubmitLimit): return "policy: resubmit forgotten prompts at most \(resubmitLimit) time(s)"
            case .failed(let reason): return "connection failed: \(reason)"
            case .sent(_, let type, let data): return "→ \(type) \(DiffLine.short(data, 80))"
            case .breaker(let state, let failures, _): return "circuit breaker \(state.rawValue) (\(failures) failure(s))"
            case .probed(let rtt): return "probe answered in \(JSONWriter.number((rtt * 10).rounded() / 10)) ms"
            case .stalled(let since): return "stalled: nothing since \(since)"
            case .resyncStarted: return "resync started"
            case .gone(let reason): return "server gone: \(reason)"
            }
        case .http(let h): return "HTTP " + h.summary
        case .user(let u): return "user: \(u)"
        case .fleet(let f):
            switch f {
            case .serverAdded(let name): return "fleet: \(name) joins"
            case .serverRemoved(let name): return "fleet: \(name) leaves"
            case .policy(let waiting, let reruns): return "fleet policy: \(waiting) waiting per server, \(reruns) rerun(s)"
            case .restored(let records): return "fleet: \(records.count) job(s) restored"
            case .durationsLoaded(let entries): return "fleet: \(entries.count) learned duration(s) read"
            }
        }
    }
}

extension ServerMessage {
    var details: String {
        switch self {
        case .status(let s):
            return "queue_remaining=\(s.queueRemaining.map(String.init) ?? "?")" + (s.sid.map { " sid=\($0.short)" } ?? "")
        case .featureFlags(let f): return DiffLine.short(f, 80)
        case .executionStart(let id, _), .executionSuccess(let id, _): return id.short
        case .executionCached(let id, let nodes, _): return "\(id.short) nodes=\(nodes)"
        case .executing(let e):
            if e.isReconnectReplay { return "node \(e.node!) (reconnect replay)" }
            return "\(e.promptID?.short ?? "?") node=\(e.node ?? "null")"
        case .progress(let p):
            return "\(p.promptID?.short ?? "?") node \(p.node ?? "?") \(JSONWriter.number(p.value))/\(JSONWriter.number(p.max))"
        case .progressState(let s):
            return "\(s.promptID.short) " + s.nodes.map { "\($0.nodeID):\($0.state)" }.joined(separator: " ")
        case .executed(let e): return "\(e.promptID.short) node \(e.node) \(describe(e.output))"
        case .executionError(let f), .executionInterrupted(let f):
            return "\(f.promptID.short) node \(f.nodeID ?? "?") \(f.exceptionType ?? "")".trimmingTrailingSpaces
        case .logs(let l): return "\(l.entries.count) line(s)"
        }
    }
}

extension HTTPResult {
    /// One line for people: the call and what it answered
    /// (`GET /queue → 1 running, 2 pending`).
    public var summary: String {
        switch self {
        case .promptAccepted(let a):
            return "POST /prompt → accepted \(a.promptID.short)\(a.nodeErrors.isEmpty ? "" : " with \(a.nodeErrors.count) node error(s)")"
        case .promptRejected(let r): return "POST /prompt → \(r.status) \(r.type)"
        case .queueSnapshot(let s): return "GET /queue → \(s.running.count) running, \(s.pending.count) pending"
        case .history(let id, let entries): return "GET /history\(id.map { "/\($0.short)" } ?? "") → \(entries.count) entr\(entries.count == 1 ? "y" : "ies")"
        case .recentHistory(let newer, let entries):
            return "GET /history (recent\(newer.map { $0.isFinite ? ", after #\(JSONWriter.number($0))" : ", all" } ?? "")) → \(entries.count) entr\(entries.count == 1 ? "y" : "ies")"
        case .queueDeleted(let ids): return "POST /queue delete \(ids.map(\.short))"
        case .queueCleared: return "POST /queue clear"
        case .interruptAcknowledged(let id): return "POST /interrupt \(id?.short ?? "(global)")"
        case .queueRemaining(let n): return "GET /prompt → queue_remaining=\(n)"
        case .resynced(let queue, let history):
            return "resync: \(queue.running.count) running, \(queue.pending.count) pending, \(history.count) history lookup(s)"
        case .submitFailed(let id, _, let message): return "POST /prompt \(id.short) got no answer: \(message)"
        case .features: return "GET /features"
        case .systemStats(let s): return "GET /system_stats → ComfyUI \(s.comfyuiVersion ?? "?")"
        case .capabilities(let c): return "GET /object_info → \(c.map { "\($0.classes.count) classes" } ?? "unreadable")"
        case .other(let method, let path, let status): return "\(method) \(path) → \(status)"
        case .failed(let method, let path, let status, let message):
            return "\(method) \(path) → \(status.map(String.init) ?? "no answer"): \(message)"
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
