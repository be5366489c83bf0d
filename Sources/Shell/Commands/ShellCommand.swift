import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// `comfysh` (no subcommand): the interactive shell.
public struct ShellCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive shell (what `comfysh` runs with no subcommand).",
        discussion: """
            Connects to the server (--server, $COMFY_URL, else http://127.0.0.1:8188) and \
            reads commands: submit, queue, cancel, watch, history, outputs, status, state, \
            trace, record, replay… ('help' lists them). After every command it prints the \
            state diff the command caused; a running prompt shows one live progress line.

            With --demo, a simulated ComfyUI server is started inside the process on a free \
            loopback port and the shell connects to it: 'submit demo' runs a sample workflow.

            On a terminal: line editing, history (kept in $XDG_STATE_HOME/comfysh/history, \
            mode 0600; a line starting with a space is not kept), Tab completion, Ctrl-R \
            search. When stdin is not a terminal, it reads plain lines and prints plain \
            output, and exits 0 at the end of input: `comfysh < script.txt` works.
            """
    )

    @OptionGroup var server: ServerOptions

    @Flag(help: "Start a simulated ComfyUI server inside the process and connect to it.")
    var demo = false

    @Flag(help: "Do not connect at start (use 'connect' later).")
    var noConnect = false

    @Flag(help: "No colours (also when $NO_COLOR is set or output is not a terminal).")
    var noColor = false

    @Option(help: "How many log entries the state keeps.")
    var logCapacity = LogState.defaultCapacity

    @Option(help: ArgumentHelp("The job store (default: $XDG_STATE_HOME/comfysh/jobs.sqlite).", valueName: "file"))
    var jobs: String?

    public init() {}

    public func run() async throws {
        // No server until `connect` (or the start) names them.
        let store = ComfyStore(initialState: AppState(logCapacity: logCapacity, servers: []))
        // Jobs outlive the shell: unfinished ones are taken up again at the next start.
        var jobStore: SQLiteJobStore?
        var jobProblem: String?
        do { jobStore = try SQLiteJobStore(path: jobs ?? SQLiteJobStore.defaultPath) } catch { jobProblem = error.description }
        let historyFile = ClientIdentity.stateDirectory().appendingPathComponent("history")
        let terminal = TerminalFactory.make(historyFile: historyFile, completer: ShellCompletion.completer(store: store))
        let session = ShellSession(
            terminal: terminal, options: ShellOptions(server: server, demo: demo, connect: !noConnect && !demo, noColor: noColor),
            store: store, jobs: jobStore)
        if let jobProblem { Terminal.error("comfysh: \(jobProblem); jobs are not kept this session") }
        let status = await session.run()
        if status != 0 { throw ExitCode(status) }
    }
}
