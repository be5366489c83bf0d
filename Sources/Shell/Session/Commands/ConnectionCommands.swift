import ArgumentParser

extension REPL {
    struct Connect: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "connect", abstract: "connect to a server (default: --server, $COMFY_URL or http://127.0.0.1:8188)",
            usage: "connect [URL]",
            discussion: "Reconnects by itself after drops, with backoff; the prompt shows how it is doing.")
        @Argument var url: String?
        func run(in session: ShellSession) async { await session.connect(to: url) }
    }

    struct Disconnect: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "disconnect", abstract: "close the connection cleanly", usage: "disconnect")
        func run(in session: ShellSession) async { await session.disconnect() }
    }

    struct Status: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "the connection, its quality and round trip, the server and the queue", usage: "status")
        static var showsDiff: Bool { false }
        func run(in session: ShellSession) async { await session.say(session.statusView()) }
    }
}
