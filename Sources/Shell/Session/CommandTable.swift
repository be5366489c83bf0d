import Foundation

/// Every command of the shell, with the help it prints. One table, so `help`, completion
/// and the "unknown command" message can never disagree.
struct CommandInfo: Sendable {
    var name: String
    var usage: String
    var summary: String
    var details: String = ""
}

enum CommandTable {
    static let all: [CommandInfo] = [
        .init(name: "connect", usage: "connect [URL]", summary: "connect to a server (default: --server, $COMFY_URL or http://127.0.0.1:8188)",
              details: "Reconnects by itself after drops, with backoff; the prompt shows how it is doing."),
        .init(name: "disconnect", usage: "disconnect", summary: "close the connection cleanly"),
        .init(name: "status", usage: "status", summary: "the connection, its quality and round trip, the server and the queue"),
        .init(name: "state", usage: "state [connection|queue|nodes|progress|log] [--json]", summary: "the whole state, or one slice",
              details: "Without --json, indented JSON; with --json, one line (the form documented in docs/state.md)."),
        .init(name: "queue", usage: "queue", summary: "what runs and waits on the server, and the prompts we know"),
        .init(name: "submit", usage: "submit FILE|demo [--front] [--watch]", summary: "submit an API-format workflow ('demo': the built-in sample)",
              details: "--front jumps the queue; --watch follows the prompt until it ends (Ctrl-C stops following, not the prompt)."),
        .init(name: "cancel", usage: "cancel ID", summary: "cancel a prompt: dequeue it if pending, interrupt it if running",
              details: "Prompt ids may be shortened to a unique prefix, like git hashes."),
        .init(name: "interrupt", usage: "interrupt [ID]", summary: "interrupt our running prompt (never a bare global interrupt)"),
        .init(name: "clear", usage: "clear", summary: "remove every pending prompt from the server's queue"),
        .init(name: "history", usage: "history [ID]", summary: "finished prompts, or one prompt's outcome, outputs and error"),
        .init(name: "outputs", usage: "outputs ID [--to DIR]", summary: "a prompt's output files; --to downloads them into DIR",
              details: "File names from the server are checked: no '..', no absolute paths, no links out of DIR, nothing overwritten."),
        .init(name: "log", usage: "log [N]", summary: "the last N log entries (default 20)"),
        .init(name: "watch", usage: "watch", summary: "follow progress live until Ctrl-C"),
        .init(name: "trace", usage: "trace on|off", summary: "print every frame and HTTP exchange as it passes (headers never shown)"),
        .init(name: "record", usage: "record FILE | record stop", summary: "write the traffic to FILE in the transcript format (for replay)"),
        .init(name: "replay", usage: "replay FILE", summary: "replay a transcript through the decoder and reducers, with its diffs"),
        .init(name: "diff", usage: "diff on|off|verbose", summary: "show the state diff after each command; verbose also shows every change"),
        .init(name: "help", usage: "help [COMMAND]", summary: "this list, or one command in detail"),
        .init(name: "quit", usage: "quit", summary: "leave (Ctrl-D too)"),
    ]

    static func named(_ name: String) -> CommandInfo? {
        all.first { $0.name == name } ?? (name == "exit" ? named("quit") : nil)
    }

    static var overview: String {
        let width = all.map(\.usage.count).max() ?? 0
        return (["Commands:"] + all.map { "  " + $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }
            + ["", "Keys: Tab completes commands, files and prompt ids; Ctrl-R searches history; Ctrl-C clears the line",
               "or stops watching; Ctrl-D leaves. 'help COMMAND' for details."]).joined(separator: "\n")
    }
}
