import ArgumentParser
import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// The interactive shell: reads commands from a `ShellTerminal`, runs them against one
/// `ComfyStore` (and, once connected, a `ComfyClient`), prints the state diff each command
/// caused, and follows the live state: one progress line, notifications, the prompt.
///
/// Commands run one at a time, in order, as a foreground task; Ctrl-C cancels the one
/// running (e.g. `watch`) without leaving the shell, and lines typed meanwhile wait
/// their turn (so a piped script runs top to bottom).
actor ShellSession {
    enum DiffMode: String, ExpressibleByArgument, Sendable { case off, on, verbose }

    let terminal: any ShellTerminal
    let options: ShellOptions
    let store: ComfyStore
    let style: Style
    /// The servers followed (one, or a fleet); nil before `connect`.
    var fleet: ComfyFleet?
    /// Where jobs are kept across crashes (nil: it could not be opened; said at start).
    let jobs: SQLiteJobStore?
    /// Every fleet of the session counts time from here, so a reconnect keeps one scale.
    let origin = ContinuousClock.now
    var simulator: ComfyUISimulator?
    var diffMode = DiffMode.on
    var tracing = false
    var recorder: TranscriptWriter?
    /// The job store's orphans were taken up (once a session).
    var resumed = false
    var foreground: Task<Void, Never>?
    var pending: [String] = []
    var inputEnded = false
    var quitting = false
    /// The log's running count as of the last change the follower has shown: a command
    /// waits for it to catch up before printing its diff, so notifications and the diff
    /// come out in the order they happened.
    var followedLogTotal: Int?
    /// The prompt as last drawn.
    var shownPrompt = ""
    /// The live line's progress, counted down between events (a node without steps
    /// reports nothing until its end).
    var liveReport: ProgressReport?
    let events: AsyncStream<SessionEvent>
    let eventSink: AsyncStream<SessionEvent>.Continuation

    enum SessionEvent: Sendable {
        case input(InputEvent)
        case commandFinished
    }

    init(terminal: any ShellTerminal, options: ShellOptions, store: ComfyStore, jobs: SQLiteJobStore? = nil) {
        self.jobs = jobs
        self.terminal = terminal
        self.options = options
        self.store = store
        self.style = Style.decide(interactive: terminal.isInteractive, noColorFlag: options.noColor)
        (events, eventSink) = AsyncStream.makeStream()
    }

    /// Runs until `quit`, Ctrl-D or the end of piped input. Returns the exit status.
    func run() async -> Int32 {
        let follower = Task { await self.follow() }
        let input = Task {
            for await event in terminal.events { eventSink.yield(.input(event)) }
            eventSink.yield(.input(.endOfInput))
        }
        if terminal.isInteractive {
            terminal.printAbove("comfysh \(Comfysh.configuration.version) — type 'help' for commands, Ctrl-D to leave")
        }
        if options.demo { await startDemo() } else if options.connect { await runNow("connect") }
        terminal.start(prompt: promptText())
        for await event in events {
            switch event {
            case .input(.line(let line)):
                pending.append(line)
            case .input(.interrupt):
                // Ctrl-C stops the running command; with nothing running on a pipe, it
                // ends the script as it would any program.
                if let foreground { foreground.cancel() } else if !terminal.isInteractive { quitting = true }
            case .input(.endOfInput):
                inputEnded = true
            case .commandFinished:
                foreground = nil
            }
            if foreground == nil, !pending.isEmpty, !quitting {
                let line = pending.removeFirst()
                foreground = Task {
                    await self.handle(line)
                    self.eventSink.yield(.commandFinished)
                }
            }
            if foreground == nil, pending.isEmpty, inputEnded || quitting { break }
        }
        input.cancel()
        follower.cancel()
        await shutdown()
        terminal.stop()
        return 0
    }

    /// Runs a command line at start-up (before the prompt). Its diff is not shown: the
    /// user typed nothing yet, and the notification says what happened.
    func runNow(_ line: String) async { await handle(line, showingDiff: false) }

    func shutdown() async {
        recorder?.close()
        recorder = nil
        await fleet?.stop()
        fleet = nil
        await simulator?.stop()
        simulator = nil
    }

    func promptText() -> String {
        PromptLine.render(store.state, now: nil, style: style)
    }

    /// Prints a block of text above the prompt (or on stdout, on a pipe).
    func say(_ text: String) {
        terminal.printAbove(text)
    }

    /// `text` cut to the terminal's width (with "…"), so a long value cannot wrap and push
    /// the screen around; on a pipe, unchanged.
    func fitted(_ text: String) -> String {
        guard let width = terminal.width, width > 2 else { return text }
        return TerminalText.fit(text, toWidth: width - 1)
    }

    func problem(_ text: String) {
        terminal.printAbove(style.red("✘ ") + text)
    }
}
