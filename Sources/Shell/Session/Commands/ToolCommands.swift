import ArgumentParser

extension REPL {
    struct Trace: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace", abstract: "print every frame and HTTP exchange as it passes (headers never shown)",
            usage: "trace on|off")
        @Argument var setting: Switch
        func run(in session: ShellSession) async { await session.setTracing(setting == .on) }
    }

    enum Switch: String, ExpressibleByArgument, Sendable { case on, off }

    struct Record: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "record", abstract: "write the traffic to FILE in the transcript format (for replay)",
            usage: "record FILE | record stop")
        @Argument var file: String
        func run(in session: ShellSession) async {
            if file == "stop" { await session.stopRecording() } else { await session.record(to: file) }
        }
    }

    struct Replay: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay", abstract: "replay a transcript through the decoder and reducers, with its diffs",
            usage: "replay FILE")
        static var showsDiff: Bool { false }
        @Argument var file: String
        func run(in session: ShellSession) async { await session.replay(file) }
    }

    struct Diff: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff", abstract: "show the state diff after each command; verbose also shows every change",
            usage: "diff on|off|verbose")
        static var showsDiff: Bool { false }
        @Argument var mode: ShellSession.DiffMode
        func run(in session: ShellSession) async { await session.setDiffMode(mode) }
    }

    struct Help: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "help", abstract: "this list, or one command in detail", usage: "help [COMMAND]")
        static var showsDiff: Bool { false }
        @Argument var topic: String?
        func validate() throws {
            if let topic, REPL.command(named: topic) == nil { throw ValidationError("no command '\(topic)'") }
        }
        func run(in session: ShellSession) async {
            await session.say(topic.flatMap(REPL.command(named:)).map(REPL.help) ?? REPL.overview)
        }
    }

    struct Quit: REPLCommand {
        static let configuration = CommandConfiguration(commandName: "quit", abstract: "leave (Ctrl-D too)", usage: "quit")
        static var showsDiff: Bool { false }
        func run(in session: ShellSession) async { await session.quit() }
    }
}
