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

    struct Servers: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "servers", abstract: "a line per server: its state, quality, load and what it can run", usage: "servers")
        static var showsDiff: Bool { false }
        func run(in session: ShellSession) async { await session.say(session.serversView()) }
    }

    struct Server: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "server", abstract: "add a server to the fleet, or remove one",
            usage: "server add URL [--name NAME] | server remove NAME",
            discussion: "A removed server's waiting jobs go to the others; what it ran stays in the record.")
        @Argument var action: Action
        @Argument var target: String
        @Option var name: String?
        enum Action: String, ExpressibleByArgument, Sendable { case add, remove }
        func validate() throws {
            if action == .remove, name != nil { throw ValidationError("--name is for 'server add'") }
        }
        func run(in session: ShellSession) async {
            switch action {
            case .add: await session.addServer(target, name: name)
            case .remove: await session.removeServer(target)
            }
        }
    }
}
