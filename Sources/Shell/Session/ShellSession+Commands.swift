import ArgumentParser
import ComfyCore
import ComfyLive
import Foundation

/// Reading a command line and running it, with the state diff it caused.
extension ShellSession {
    func handle(_ line: String, showingDiff: Bool = true) async {
        defer { refreshPrompt() }
        let words: [String]
        do { words = try Tokenizer.words(line) } catch {
            problem("\(error) in: \(line)")
            return
        }
        guard let name = words.first else { return }
        guard let type = REPL.command(named: name) else {
            let near = REPL.names.filter { $0.hasPrefix(String(name.prefix(2))) }
            problem("unknown command '\(name)'\(near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?") — 'help' lists them")
            return
        }
        let command: any REPLCommand
        do { command = try type.parsed(Array(words.dropFirst())) } catch {
            // `submit --help` and the like: the command's help; anything else: one line.
            if case .success = type.exitCode(for: error) { return say(REPL.help(type)) }
            let why = type.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
            return problem("\(why) — usage: \(type.usage)")
        }
        let before = store.state
        await command.run(in: self)
        guard showingDiff, type.showsDiff, diffMode != .off, !Task.isCancelled || type == REPL.Watch.self else { return }
        await followerCaughtUp()
        let lines = StateDiff.between(before, store.state).filter { line in
            // The stream (progress, node table) has its own live line; the diff is what the command changed.
            diffMode == .verbose || (!StateDiff.quietPaths.contains(line.path) && !line.path.hasPrefix("progress.") && !line.path.hasPrefix("nodes."))
        }
        if !lines.isEmpty { say(lines.map { fitted("  " + style.diff($0)) }.joined(separator: "\n")) }
    }

    func quit() { quitting = true }

    func setDiffMode(_ mode: DiffMode) {
        diffMode = mode
        say("diff \(mode.rawValue)")
    }

    func disconnect() async {
        guard let fleet else { return say("not connected") }
        await fleet.stop()
        self.fleet = nil
        say("disconnected")
    }

    /// `queue`: asked, not remembered — the queue as the server has it now (a resync:
    /// `GET /queue` and the history of what left it), then shown.
    func showQueue() async {
        if let fleet, store.state.servers.contains(where: \.connection.isOnline) { _ = await fleet.resync() }
        say(queueView(now: await fleet?.now))
    }

    func cancel(_ prefix: String) async {
        guard let fleet = connected(), let id = resolve(prefix) else { return }
        await fleet.cancel(id)
    }

    func interrupt(_ prefix: String?) async {
        guard let fleet = connected() else { return }
        var id: String?
        if let prefix {
            guard let resolved = resolve(prefix) else { return }
            id = resolved
        }
        await fleet.interrupt(id)
    }

    func clearQueue() async {
        guard let fleet = connected() else { return }
        await fleet.clear()
    }

    /// The fleet, or a message saying there is none.
    func connected() -> ComfyFleet? {
        if fleet == nil { problem("not connected: 'connect [URL]' first") }
        return fleet
    }

    /// Waits until `condition` holds or a few seconds pass: the diff shows what happened by then.
    func settle(_ condition: @escaping @Sendable (AppState) -> Bool, seconds: Double = 5) async {
        await store.until(condition, within: .milliseconds(Int(seconds * 1000)))
    }

    /// A prompt id from a unique prefix (like git), or a message saying why not.
    func resolve(_ prefix: String) -> String? {
        do { return try PromptIDs.resolve(prefix, in: store.state) } catch {
            problem(error.description)
            return nil
        }
    }
}
