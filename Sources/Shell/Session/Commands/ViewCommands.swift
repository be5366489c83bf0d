import ArgumentParser
import ComfyCore

extension REPL {
    struct State: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "state", abstract: "the whole state, or one slice",
            usage: "state [connection|queue|nodes|progress|log] [--json]",
            discussion: "Without --json, indented JSON; with --json, one line (the form documented in docs/state.md).")
        static var showsDiff: Bool { false }
        @Argument var slice: String?
        @Flag var json = false

        func validate() throws {
            if let slice, !AppState.sliceNames.contains(slice) {
                throw ValidationError("slices are \(AppState.sliceNames.joined(separator: ", "))")
            }
        }

        func run(in session: ShellSession) async {
            let state = session.store.state.json
            await session.say(JSONWriter.string(slice.map { state[$0]! } ?? state, pretty: !json))
        }
    }

    struct Queue: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "queue", abstract: "what runs and waits on the server, and the prompts we know", usage: "queue")
        static var showsDiff: Bool { false }
        func run(in session: ShellSession) async { await session.showQueue() }
    }

    struct History: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "finished prompts, or one prompt's outcome, outputs and error", usage: "history [ID]")
        static var showsDiff: Bool { false }
        @Argument var id: String?
        func run(in session: ShellSession) async {
            guard let id else { return await session.say(session.historyView()) }
            guard let resolved = await session.resolve(id) else { return }
            await session.say(session.promptView(resolved))
        }
    }

    struct Log: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "log", abstract: "the last N log entries (default 20)", usage: "log [N]")
        static var showsDiff: Bool { false }
        @Argument var count = 20
        func validate() throws {
            guard count > 0 else { throw ValidationError("N must be a positive number") }
        }
        func run(in session: ShellSession) async { await session.say(session.logView(count)) }
    }

    struct Jobs: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "jobs", abstract: "the newest jobs of the job store (every workflow run, kept across crashes)",
            usage: "jobs [N]")
        static var showsDiff: Bool { false }
        @Argument var count = 20
        func run(in session: ShellSession) async { await session.say(session.jobsView(count)) }
    }
}
