import ComfyLive
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the user did at the prompt.
enum InputEvent: Sendable, Equatable {
    /// A line was entered (without its newline).
    case line(String)
    /// Ctrl-C (SIGINT): the line being typed, if any, was discarded. Comes at any time, also
    /// while a command runs: that is how to cancel it.
    case interrupt
    /// Ctrl-D on an empty line, end of input, the terminal hung up, or SIGTERM.
    case endOfInput
}

/// Where input comes from and output goes, so the REPL works the same on a terminal and a pipe.
///
/// While started, a terminal owns SIGINT, SIGTERM and SIGHUP (and, on a terminal, SIGWINCH,
/// SIGTSTP and SIGCONT) and reports them as events: do not use `Interrupts.stream()` at the same
/// time. All output must go through `printAbove` while it runs; anything written straight to
/// stdout or stderr lands in the middle of the input line.
protocol ShellTerminal: Sendable {
    /// Typed lines, Ctrl-C (`interrupt`, the current line is discarded) and Ctrl-D / end of input.
    var events: AsyncStream<InputEvent> { get }
    /// Starts reading (shows the prompt on a terminal).
    func start(prompt: String)
    /// Replaces the prompt and redraws the input line (keeping what the user is typing).
    func setPrompt(_ prompt: String)
    /// Prints text above the input line without corrupting what the user is typing. Safe from any thread/task.
    func printAbove(_ text: String)
    /// Replaces a single "live" status line shown above the prompt (progress), redrawn in place; nil removes it.
    /// On a pipe: ignored (the REPL prints milestones with printAbove instead).
    func setLiveLine(_ text: String?)
    /// Restores the terminal, writes the history file. Idempotent.
    func stop()
    /// Whether this is an interactive terminal (colours and cursor tricks allowed).
    var isInteractive: Bool { get }
    /// The terminal's width in columns now; nil when output is not a terminal.
    var width: Int? { get }
}

enum TerminalFactory {
    /// A line editor when stdin and stdout are both a terminal, plain line reading otherwise.
    static func make(
        historyFile: URL?,
        completer: @escaping @Sendable (_ line: String, _ cursor: Int) -> [String]
    ) -> any ShellTerminal {
        if isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 {
            return EditLineTerminal(historyFile: historyFile, completer: completer)
        }
        return PlainTerminal()
    }

    /// `$XDG_STATE_HOME/comfysh/history` (or `~/.local/state/comfysh/history`), next to the client id.
    static func defaultHistoryFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        ClientIdentity.stateDirectory(environment: environment).appendingPathComponent("history")
    }
}
