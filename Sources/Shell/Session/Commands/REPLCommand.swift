import ArgumentParser
import Foundation

/// A command of the interactive shell, as a type: its name, usage and help are its
/// argument-parser configuration, its arguments are parsed as the subcommands' are, and it
/// says whether the state diff it caused is printed after it. The table `help`, Tab
/// completion and the "unknown command" message use is `REPL.commands`: nothing else to
/// keep in step.
protocol REPLCommand: ParsableCommand, Sendable {
    /// Print the state diff the command caused (queries print their own view instead).
    static var showsDiff: Bool { get }
    func run(in session: ShellSession) async
}

extension REPLCommand {
    static var showsDiff: Bool { true }
    static var name: String { configuration.commandName ?? "?" }
    static var usage: String { configuration.usage ?? name }
    static var summary: String { configuration.abstract }
    static var details: String { configuration.discussion }

    /// Parses the words after the command's name.
    static func parsed(_ arguments: [String]) throws -> any REPLCommand { try parse(arguments) }
}

/// The shell's commands.
enum REPL {
    static let commands: [any REPLCommand.Type] = [
        Connect.self, Disconnect.self, Status.self, Servers.self, Server.self, State.self, Queue.self, Submit.self, Cancel.self, Interrupt.self,
        Clear.self, History.self, Jobs.self, Outputs.self, Log.self, Watch.self, Trace.self, Record.self, Replay.self, Diff.self,
        Help.self, Quit.self,
    ]

    static var names: [String] { commands.map { $0.name } }

    /// The command called `name` (`exit` is `quit`).
    static func command(named name: String) -> (any REPLCommand.Type)? {
        commands.first { $0.name == name } ?? (name == "exit" ? Quit.self : nil)
    }

    /// What `help` prints.
    static var overview: String {
        let width = commands.map { $0.usage.count }.max() ?? 0
        return (["Commands:"] + commands.map { "  " + $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }
            + ["", "Keys: Tab completes commands, files and prompt ids; Ctrl-R searches history; Ctrl-C clears the line",
               "or stops watching; Ctrl-D leaves. 'help COMMAND' for details."]).joined(separator: "\n")
    }

    /// What `help COMMAND` prints.
    static func help(_ command: any REPLCommand.Type) -> String {
        [command.usage, "  " + command.summary, command.details.isEmpty ? nil : "  " + command.details]
            .compactMap { $0 }.joined(separator: "\n")
    }
}
