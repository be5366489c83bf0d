import CEditLine
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interactive terminal: libedit (emacs keys, history, Ctrl-R search, Tab completion)
/// with output printed above the input line while the user types.
///
/// libedit is not thread-safe, so everything that touches it runs on one dedicated thread
/// (a `Thread`, not a `Task`: it blocks in `poll()`, and the cooperative pool has only as many
/// threads as cores), in an `EditorSession`. That thread waits on stdin and on a wake-up pipe.
/// Other threads only queue requests (`printAbove`, `setLiveLine`, `setPrompt`, `stop`) in the
/// `TerminalInbox` and write a byte to the pipe; signal handlers only set a bit and write a
/// byte (`SignalRouter`).
///
/// The screen, bottom up: the input area (prompt and what is typed, possibly several rows),
/// the live line just above it when there is one, and everything printed above that. To print,
/// the terminal thread moves the cursor to the top of the live line, clears to the end of the
/// screen, writes the new lines and the live line, and lets libedit redraw the input area
/// (`EditorSession+Screen.swift`).
final class EditLineTerminal: ShellTerminal {
    let events: AsyncStream<InputEvent>
    var isInteractive: Bool { true }
    var width: Int? {
        let n = Int(ceditline_columns(STDOUT_FILENO))
        return n > 0 ? n : nil
    }

    private let continuation: AsyncStream<InputEvent>.Continuation
    private let historyFile: URL?
    private let completer: @Sendable (_ line: String, _ cursor: Int) -> [String]
    private let wakePipe: WakePipe?
    private let inbox = TerminalInbox()

    /// - Parameters:
    ///   - historyFile: where history is kept (created with its folder, mode 0600); nil: none.
    ///   - completer: called on Tab, on the terminal thread (so it must be quick), with the
    ///     whole line and the cursor position counted in `Character`s; returns the full
    ///     replacements for the word before the cursor (from the last blank to the cursor).
    init(historyFile: URL?, completer: @escaping @Sendable (_ line: String, _ cursor: Int) -> [String]) {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.historyFile = historyFile
        self.completer = completer
        self.wakePipe = WakePipe()
    }

    func start(prompt: String) {
        guard inbox.begin(prompt: prompt) else { return }
        let thread = Thread { [self] in
            let session = EditorSession(
                inbox: inbox, events: continuation, wakePipe: wakePipe, historyFile: historyFile,
                completer: completer)
            session.run(prompt: prompt)
        }
        thread.name = "comfysh-terminal"
        thread.start()
    }

    func setPrompt(_ prompt: String) {
        if inbox.setPrompt(prompt) { wakePipe?.wake() }
    }

    func printAbove(_ text: String) {
        if inbox.print(text) { wakePipe?.wake() } else { Terminal.print(text.hasSuffix("\n") ? text : text + "\n") }
    }

    func setLiveLine(_ text: String?) {
        if inbox.setLive(text) { wakePipe?.wake() }
    }

    func stop() {
        let before = inbox.requestStop()
        switch before {
        case .idle:
            continuation.finish()
        case .running, .stopping:
            if before == .running { wakePipe?.wake() }
            // The thread answers within milliseconds; if it cannot (it never should), put the
            // terminal back from here rather than leave it in raw mode.
            if !inbox.waitForThread(timeout: .now() + .seconds(2)) {
                TerminalModes.restoreNow()
            }
        case .stopped:
            break
        }
    }
}
