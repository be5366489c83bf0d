import ComfyLive
import Foundation
import ComfyCore

/// Following the live state while the user types: one progress line, one line per
/// notification, and a prompt that shows the connection.
extension ShellSession {
    func follow() async {
        var lastPercent: [String: Int] = [:]
        let ticker = Task { [weak self] in
            // While reconnecting, the prompt counts down.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.refreshCountdown()
            }
        }
        defer { ticker.cancel() }
        for await update in store.updates() {
            let change = update.change
            if diffMode == .verbose, !isForegroundCommand {
                let lines = StateDiff.between(change.old, change.new).filter { !StateDiff.quietPaths.contains($0.path) }
                if !lines.isEmpty { say(style.dim(change.action.event.summary) + "\n" + lines.map { "  " + style.diff($0) }.joined(separator: "\n")) }
            }
            for event in update.events {
                switch event {
                case .progress(let report):
                    if terminal.isInteractive {
                        liveReport = report
                        terminal.setLiveLine(progressLine(report))
                    } else {
                        // On a pipe: a line at each quarter of the prompt, not a flood.
                        let percent = Int((report.fraction * 100).rounded(.down))
                        if percent / 25 > (lastPercent[report.promptID] ?? -1) / 25 || lastPercent[report.promptID] == nil {
                            lastPercent[report.promptID] = percent
                            say(progressLine(report))
                        }
                    }
                case .finished(let record) where record.status.isTerminal:
                    liveReport = nil
                    terminal.setLiveLine(nil)
                    if let line = EventText.line(event, names: [:]) { say(color(line + outcomeDetails(record))) }
                case .connection(let connection):
                    if let line = connectionNotice(connection) { say(line) }
                    refreshPrompt()
                case .resynced(let findings) where findings.finishedWhileAway > 0:
                    say("· " + findings.message)
                default:
                    continue  // accepted, running, outputs, rejections: shown by the command that caused them
                }
            }
            // The prompt follows the state (running, queued, idle), not only the commands:
            // any change of the queue or the connection may change it; `refreshPrompt`
            // redraws only when its text changed.
            if change.old.queue != change.new.queue || change.old.connection != change.new.connection
                || change.old.servers.count != change.new.servers.count
            {
                refreshPrompt()
            }
            followedLogTotal = change.new.log.total
        }
    }

    /// Lets the follower print what it has not yet printed (a finished prompt's
    /// notification, say) before the command that waited for it prints its diff.
    ///
    /// "Caught up" is measured on the log's running count: every event the follower
    /// announces (an outcome, a connection change, a resync) is logged, while progress
    /// ticks, which are not, need no ordering. Bounded at two seconds so a stalled follower
    /// costs a delay, never a hang.
    func followerCaughtUp() async {
        let target = store.state.log.total
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(2))
        while (followedLogTotal ?? target) < target, clock.now < deadline {
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    var isForegroundCommand: Bool { foreground != nil }

    /// Redraws the prompt when what it shows has changed (the connection's phase, resync,
    /// quality, the queue), not on every change of the connection slice (RTT, counters).
    func refreshPrompt(now: Timestamp? = nil) {
        let text = PromptLine.render(store.state, now: now, style: style)
        guard text != shownPrompt else { return }
        shownPrompt = text
        terminal.setPrompt(text)
    }

    /// While reconnecting, the prompt counts down to the next attempt.
    func refreshCountdown() async {
        if store.state.servers.contains(where: { if case .reconnecting = $0.connection.phase { true } else { false } }) {
            refreshPrompt(now: await fleet?.now)
        }
        // The live line's ETA, counted down from when the state said it.
        // (`liveReport` read again after the await: the prompt may have ended meanwhile,
        // and its cleared line must not come back.)
        if var report = liveReport, let now = await fleet?.now, liveReport?.promptID == report.promptID,
            let server = store.state.server(named: report.server), server.progress.promptID == report.promptID,
            let eta = server.progress.etaSeconds, let said = server.progress.updatedAt
        {
            report.etaSeconds = max(eta - (now - said), 0)
            report.etaBasis = server.progress.etaBasis
            terminal.setLiveLine(progressLine(report))
        }
    }

    /// `▸ 61c72f8c node 2 7/10 70% · prompt 44% · 4.9 steps/s · ETA 1.8 s`
    func progressLine(_ p: ProgressReport) -> String {
        var line = "▸ \(p.promptID.prefix(8)) node \(p.node ?? "?")"
        if p.max > 0 { line += " \(JSONWriter.number(p.value))/\(JSONWriter.number(p.max)) \(Int((p.nodeFraction * 100).rounded()))%" }
        line += " · prompt \(Int((p.fraction * 100).rounded()))%"
        if let rate = p.stepsPerSecond { line += " · \(JSONWriter.number((rate * 10).rounded() / 10)) steps/s" }
        line += " · " + EventText.eta(p.etaSeconds, basis: p.etaBasis)
        return line
    }

    /// ` in 1.5 s · 2 outputs (3 files): 'outputs 513d9bef'` — what a person asks next.
    func outcomeDetails(_ record: PromptRecord?) -> String {
        guard let record else { return "" }
        var parts: [String] = []
        if let start = record.startedAt, let end = record.finishedAt, end >= start {
            parts.append("in \(EventText.seconds(end - start))")
        }
        if record.status == .succeeded, !record.outputs.isEmpty {
            let files = OutputFiles.files(in: record.outputs).count
            parts.append("\(files) file(s) from \(record.outputs.count) output node(s): 'outputs \(record.id.prefix(8))'")
        }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " · ")
    }

    func color(_ line: String) -> String {
        if line.hasPrefix("✔") { return style.green(line) }
        if line.hasPrefix("✘") { return style.red(line) }
        return line
    }

    func connectionNotice(_ change: ConnectionChange) -> String? {
        guard let notice = EventText.connectionNotice(change) else { return nil }
        switch notice.tone {
        case .good: return style.green("● " + notice.text)
        case .warning: return style.yellow("● " + notice.text)
        case .bad: return style.red("● " + notice.text)
        case .quiet: return style.dim("  " + notice.text)
        }
    }
}
