import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

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
        let args = Array(words.dropFirst())
        guard let info = CommandTable.named(name) else {
            let near = CommandTable.all.map(\.name).filter { $0.hasPrefix(String(name.prefix(2))) }
            problem("unknown command '\(name)'\(near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?") — 'help' lists them")
            return
        }
        let before = store.state
        await run(info.name, args, usage: info.usage)
        guard showingDiff, diffMode != .off, !Task.isCancelled || info.name == "watch" else { return }
        await followerCaughtUp()
        let lines = StateDiff.between(before, store.state).filter { line in
            // The stream (progress, node table) has its own live line; the diff is what the command changed.
            diffMode == .verbose || (!StateDiff.quietPaths.contains(line.path) && !line.path.hasPrefix("progress.") && !line.path.hasPrefix("nodes."))
        }
        if !lines.isEmpty, !["state", "help", "log", "status", "queue", "history", "diff", "replay"].contains(info.name) {
            say(lines.map { fitted("  " + style.diff($0)) }.joined(separator: "\n"))
        }
    }

    func run(_ name: String, _ args: [String], usage: String) async {
        func bad(_ why: String) { problem("\(why) — usage: \(usage)") }
        switch name {
        case "help":
            if let topic = args.first {
                guard let info = CommandTable.named(topic) else { return bad("no command '\(topic)'") }
                say([info.usage, "  " + info.summary, info.details.isEmpty ? nil : "  " + info.details].compactMap { $0 }.joined(separator: "\n"))
            } else {
                say(CommandTable.overview)
            }
        case "quit":
            quitting = true
        case "connect":
            guard args.count <= 1 else { return bad("one URL at most") }
            await connect(to: args.first)
        case "disconnect":
            guard let client else { return say("not connected") }
            await client.stop()
            self.client = nil
            say("disconnected")
        case "status":
            say(statusView())
        case "state":
            var rest = args
            let json = rest.contains("--json")
            rest.removeAll { $0 == "--json" }
            let value: JSONValue
            if let slice = rest.first {
                guard AppState.sliceNames.contains(slice), rest.count == 1 else { return bad("slices are \(AppState.sliceNames.joined(separator: ", "))") }
                value = store.state.json[slice]!
            } else {
                value = store.state.json
            }
            say(JSONWriter.string(value, pretty: !json))
        case "queue":
            // Asked, not remembered: the queue as the server has it now (GET /queue and
            // the history of what left it), then shown.
            if let client, store.state.connection.isOnline {
                let total = store.state.log.total
                await client.request(.resync)
                await settle({ !$0.connection.resyncing && $0.log.entries(after: total).contains { $0.kind == "resync" } }, seconds: 3)
            }
            say(queueView())
        case "submit":
            await submit(args, usage: usage)
        case "cancel":
            guard args.count == 1 else { return bad("one prompt id") }
            guard let id = resolve(args[0]) else { return }
            let total = store.state.log.total
            await request(.cancel(promptID: id)) { $0.queue.prompts[id]?.status.isTerminal == true || $0.log.total > total }
        case "interrupt":
            guard args.count <= 1 else { return bad("one prompt id at most") }
            var id: String?
            if let prefix = args.first {
                guard let resolved = resolve(prefix) else { return }
                id = resolved
            }
            let total = store.state.log.total
            await request(.interrupt(promptID: id)) { $0.log.total > total }
        case "clear":
            guard args.isEmpty else { return bad("no arguments") }
            let total = store.state.log.total
            await request(.clearQueue) { $0.log.total > total }
        case "history":
            guard args.count <= 1 else { return bad("one prompt id at most") }
            if let prefix = args.first {
                guard let id = resolve(prefix) else { return }
                say(promptView(id))
            } else {
                say(historyView())
            }
        case "outputs":
            await outputs(args, usage: usage)
        case "log":
            let n = args.isEmpty ? 20 : (Int(args[0]) ?? 0)
            guard args.count <= 1, n > 0 else { return bad("N must be a positive number") }
            say(logView(n))
        case "watch":
            guard args.isEmpty else { return bad("no arguments") }
            await watch(until: nil)
        case "trace":
            guard args.count == 1, ["on", "off"].contains(args[0]) else { return bad("on or off") }
            tracing = args[0] == "on"
            await updateTap()
            say("trace \(args[0])")
        case "record":
            await record(args, usage: usage)
        case "replay":
            guard args.count == 1 else { return bad("one transcript file") }
            replay(args[0])
        case "diff":
            guard args.count == 1, let mode = DiffMode(rawValue: args[0]) else { return bad("on, off or verbose") }
            diffMode = mode
            say("diff \(mode.rawValue)")
        default:
            bad("not implemented")
        }
    }

    /// Sends a request and waits (bounded) until its effect shows in the state, so the
    /// diff printed after the command contains what it caused.
    func request(_ request: UserRequest, settled: @escaping @Sendable (AppState) -> Bool) async {
        guard let client else {
            store.dispatch(ComfyAction(at: .zero, .user(request)))
            return
        }
        await client.request(request)
        await settle(settled)
    }

    /// Waits until `condition` holds or a few seconds pass: the diff shows what happened by then.
    func settle(_ condition: @escaping @Sendable (AppState) -> Bool, seconds: Double = 5) async {
        await store.until(condition, within: .milliseconds(Int(seconds * 1000)))
    }

    /// A prompt id from a unique prefix (like git), or a message saying why not.
    func resolve(_ prefix: String) -> String? {
        let ids = store.state.queue.prompts.keys.filter { $0.hasPrefix(prefix.lowercased()) }
        if ids.count == 1 { return ids[0] }
        if ids.isEmpty {
            problem("no prompt matches '\(prefix)'")
        } else {
            problem("'\(prefix)' is ambiguous: \(ids.sorted().map { String($0.prefix(12)) }.joined(separator: ", "))")
        }
        return nil
    }
}
