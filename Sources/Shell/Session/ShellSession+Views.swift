import ComfyLive
import Foundation
import ComfyCore

/// What `status`, `queue`, `history` and `log` print.
extension ShellSession {
    func statusView() async -> String {
        var headers: [(name: String, value: String)] = []
        if let fleet, let first = await fleet.serverNames.first { headers = await fleet.configuration(of: first)?.headers ?? [] }
        let state = store.state
        let c = state.connection
        var connection = c.phase.name
        switch c.phase {
        case .reconnecting(let attempt, _): connection += " (attempt \(attempt))"
        case .disconnected(let reason), .failed(let reason): connection += ": \(reason)"
        default: break
        }
        var quality = c.quality.rawValue
        if let rtt = c.rttMs { quality += ", rtt \(JSONWriter.number((rtt * 10).rounded() / 10)) ms" }
        let flags = (c.serverFeatures?.objectValue ?? []).map(\.key).joined(separator: ", ")
        var rows: [(String, String)] = [
            ("connection", connection),
            ("quality", quality),
            ("server", [c.url, c.server?.comfyuiVersion.map { "ComfyUI \($0)" }, c.server?.os].compactMap { $0 }.joined(separator: " · ")),
            ("client id", c.clientID ?? "-"),
            // Which headers go with every request, never their values.
            ("headers", Redaction.headerNames(headers)),
            ("previews", c.previewMetadata ? "with metadata (type 4)" : "legacy (type 1)"),
            ("server flags", flags.isEmpty ? "-" : flags),
            ("queue", "\(state.queue.runningIDs.count) running, \(state.queue.pendingIDs.count) pending (server: \(state.queue.remaining.map(String.init) ?? "?") remaining)"),
            ("breaker", "\(c.breaker.rawValue)\(c.breakerFailures > 0 ? ", \(c.breakerFailures) failure(s)" : "")"),
            ("reconnects", "\(c.reconnects)"),
        ]
        if !c.outbox.isEmpty { rows.append(("outbox", "\(c.outbox.count) waiting: " + c.outbox.map(\.command.summary).joined(separator: "; "))) }
        return table(rows)
    }

    /// `servers`: a line per server — its state, quality and round trip, its load, what it
    /// can run.
    func serversView() -> String {
        let state = store.state
        guard !state.servers.isEmpty else { return "no servers: 'connect [URL]' or 'server add URL'" }
        let width = state.servers.map(\.name.count).max() ?? 0
        return state.servers.map { server in
            let c = server.connection
            var phase = server.status == .lost ? "lost" : c.phase.name
            if case .reconnecting(let attempt, _) = c.phase { phase += " (attempt \(attempt))" }
            if c.breaker == .open { phase += ", breaker open" }
            var quality = c.quality.rawValue
            if let rtt = c.rttMs { quality += " \(JSONWriter.number((rtt * 10).rounded() / 10)) ms" }
            let running = state.queue.runningIDs(on: server.name).count
            let waiting = state.queue.pendingIDs(on: server.name).count
            let load = "\(running) running, \(waiting) waiting (server: \(server.remaining.map(String.init) ?? "?"))"
            let can = server.capabilities.map { $0.isKnown ? "\($0.classes.count) node classes" : "catalogue unreadable: trusted" } ?? "catalogue not read yet"
            return "  " + server.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(phase) · \(quality) · \(load) · \(can)"
        }.joined(separator: "\n") + (state.queue.waitingIDs.isEmpty ? "" : "\n  \(state.queue.waitingIDs.count) job(s) wait in our queue for a server")
    }

    /// `jobs`: the job store's newest jobs.
    func jobsView(_ n: Int) async -> String {
        guard let jobs else { return "no job store this session" }
        do {
            let rows = try await jobs.recent(limit: n)
            return rows.isEmpty ? "no jobs yet" : rows.map { "  " + JobText.line($0) }.joined(separator: "\n")
        } catch {
            return "✘ \(error)"
        }
    }

    /// With `now`, each job of ours that waits says when it is expected to start and end
    /// (`AppState.forecast`).
    func queueView(now: Timestamp? = nil) -> String {
        let state = store.state
        let forecasts = now.map { state.forecast(at: $0) } ?? []
        let forecast = Dictionary(forecasts.map { ($0.promptID, $0) }, uniquingKeysWith: { a, _ in a })
        let running = state.queue.runningIDs
        let pending = state.queue.pendingIDs
        let waiting = state.queue.orderedIDs.filter { id in
            let p = state.queue.prompts[id]!
            return !p.status.isTerminal && !running.contains(id) && !pending.contains(id)
        }
        var lines: [String] = []
        for id in running { lines.append("  ▸ " + promptLine(id, state)) }
        for id in pending { lines.append("  · " + promptLine(id, state) + when(forecast[id])) }
        for id in waiting { lines.append("  ? " + promptLine(id, state) + when(forecast[id])) }
        if lines.isEmpty { lines.append("  (nothing queued or running)") }
        return "queue: \(running.count) running, \(pending.count) pending (server: \(state.queue.remaining.map(String.init) ?? "?") remaining)\n" + lines.joined(separator: "\n")
    }

    /// `  · starts in 3.1 s, ends in 7.6 s` (`≥` where a lower bound, `~` where learned
    /// from other workflows' nodes).
    func when(_ f: JobForecast?) -> String {
        guard let f, let start = f.startsIn else { return "" }
        let mark = EventText.mark(f.basis)
        var text = "  · starts in \(mark)\(EventText.seconds(start))"
        if let end = f.endsIn { text += ", ends in \(mark)\(EventText.seconds(end))" }
        if store.state.servers.count > 1, let server = f.server { text += " on \(server)" }
        return text
    }

    func historyView() -> String {
        let state = store.state
        let done = state.queue.orderedIDs.filter { state.queue.prompts[$0]!.status.isTerminal }
        guard !done.isEmpty else { return "no finished prompts yet" }
        return done.map { "  " + promptLine($0, state) }.joined(separator: "\n")
    }

    func promptLine(_ id: String, _ state: AppState) -> String {
        let p = state.queue.prompts[id]!
        var line = "\(id.prefix(8))  \(p.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(p.owner.rawValue)"
        if let number = p.number { line += "  #\(JSONWriter.number(number))" }
        if !p.outputs.isEmpty { line += "  \(p.outputs.count) output node(s)" }
        if let error = p.error { line += "  \(error.exceptionType ?? "error") at node \(error.nodeID ?? "?")" }
        return line
    }

    func promptView(_ id: String) -> String {
        let state = store.state
        let p = state.queue.prompts[id]!
        var rows: [(String, String)] = [("prompt", id), ("status", p.status.rawValue + (p.fromHistory ? " (confirmed by history)" : "")), ("owner", p.owner.rawValue)]
        if let number = p.number { rows.append(("number", JSONWriter.number(number))) }
        if let start = p.startedAt, let end = p.finishedAt { rows.append(("ran", "\(JSONWriter.number(((end - start) * 10).rounded() / 10)) s")) }
        if !p.cached.isEmpty { rows.append(("cached", p.cached.joined(separator: ", "))) }
        for output in p.outputs {
            let files = (output.value.objectValue ?? []).flatMap { ($0.value.arrayValue ?? []).compactMap { $0["filename"]?.stringValue } }
            rows.append(("node \(output.key)", files.isEmpty ? JSONWriter.string(output.value) : files.joined(separator: ", ")))
        }
        if let error = p.error {
            rows.append(("error", "\(error.exceptionType ?? "error") at node \(error.nodeID ?? "?") (\(error.nodeType ?? "?"))"))
            rows.append(("message", (error.exceptionMessage ?? "").trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        if let stop = p.interrupted { rows.append(("interrupted", "at node \(stop.nodeID ?? "?") (\(stop.nodeType ?? "?"))")) }
        for warning in p.warnings { rows.append(("dropped", EventText.nodeErrorLine(warning))) }
        return table(rows)
    }

    func logView(_ n: Int) -> String {
        let entries = store.state.log.entries.suffix(n)
        guard !entries.isEmpty else { return "the log is empty" }
        return entries.map { entry in
            let level = entry.level == .info ? "" : entry.level == .warning ? style.yellow("warning ") : style.red("error ")
            return "  [\(entry.at)] \(level)\(entry.kind): \(entry.message)"
        }.joined(separator: "\n")
    }

    func table(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
