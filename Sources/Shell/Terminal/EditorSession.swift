import CEditLine
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything libedit: created, used and ended on the terminal thread only. libedit's C
/// callbacks find it through `EL_CLIENTDATA`.
///
/// Here: its state, set-up and tear-down. The thread's loop and key input are in
/// `EditorSession+Loop.swift`, drawing in `+Screen`, signals in `+Signals`, Tab in
/// `+Completion`.
final class EditorSession {
    let inbox: TerminalInbox
    let events: AsyncStream<InputEvent>.Continuation
    let wakePipe: WakePipe?
    let historyFile: URL?
    let completer: @Sendable (_ line: String, _ cursor: Int) -> [String]

    var editor: OpaquePointer?
    var history: HistoryFile?
    var signals: SignalRouter.Installation?
    var savedModes = ceditline_tty_state()

    /// The prompt as given (escape sequences included), its width, and libedit's copy.
    var prompt = ""
    var promptWidth = 0
    var promptForLibedit: UnsafeMutablePointer<CChar>?
    /// The live line wanted, and whether it is on the screen now (just above the input area).
    var live: String?
    var liveShown = false
    var columns = 80

    var pendingSignals: UInt64 = 0
    /// Candidates from the last Tab, printed once libedit has finished the command.
    var listing: [String] = []
    /// Reads done during the current `el_gets`: the first has data waiting, later ones
    /// (incremental search, the rest of an escape sequence) may wait for the user.
    var readsThisStep = 0
    /// While set, a read answers "nothing" at once: used to run the keys libedit pushed back
    /// into its own input (the key that ends a Ctrl-R search) without waiting for stdin.
    var probing = false
    var probeReachedInput = false
    var inputClosed = false
    var finished = false

    init(
        inbox: TerminalInbox, events: AsyncStream<InputEvent>.Continuation, wakePipe: WakePipe?,
        historyFile: URL?, completer: @escaping @Sendable (_ line: String, _ cursor: Int) -> [String]
    ) {
        self.inbox = inbox
        self.events = events
        self.wakePipe = wakePipe
        self.historyFile = historyFile
        self.completer = completer
    }

    deinit {
        free(promptForLibedit)
    }

    // MARK: Set-up and tear-down

    func setUp(prompt: String) -> Bool {
        _ = ceditline_utf8_locale()
        savedModes = ceditline_tty_save(STDIN_FILENO)
        if savedModes.valid != 0 { TerminalModes.remember(savedModes) }
        guard let wake = wakePipe, let el = ceditline_init("comfysh") else { return false }
        editor = el
        let handled = [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT]
        signals = SignalRouter.install(handled, wake: wake)
        SignalRouter.unblock(handled)
        _ = ceditline_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = ceditline_set_editor(el, "emacs")
        _ = ceditline_set_signal(el, 0)  // our handlers, not libedit's (which re-raise to the whole group)
        _ = ceditline_set_getc(el, readCharacterCallback)
        setPrompt(prompt)
        _ = ceditline_set_prompt(el, promptCallback, 1)
        if let history = HistoryFile(file: historyFile) {
            self.history = history
            _ = ceditline_set_history(el, history.handle)
        }
        _ = ceditline_add_function(el, "comfysh-complete", "Complete the word before the cursor", completeCallback)
        _ = ceditline_bind(el, "^I", "comfysh-complete")
        _ = ceditline_bind(el, "^R", "em-inc-search-prev")
        for (keys, function) in [
            ("\\e[1~", "ed-move-to-beg"), ("\\e[4~", "ed-move-to-end"), ("\\e[7~", "ed-move-to-beg"),
            ("\\e[8~", "ed-move-to-end"), ("\\e[H", "ed-move-to-beg"), ("\\e[F", "ed-move-to-end"),
            ("\\eOH", "ed-move-to-beg"), ("\\eOF", "ed-move-to-end"), ("\\e[3~", "ed-delete-next-char"),
            ("\\e[1;5C", "em-next-word"), ("\\e[1;5D", "ed-prev-word"),
        ] {
            _ = ceditline_bind(el, keys, function)
        }
        _ = el_source(el, nil)  // ~/.editrc, as in every libedit program
        columns = currentColumns()
        live = inbox.live
        if let live { write("\r"); writeLive(live) }
        _ = ceditline_set_unbuffered(el, 1)  // raw mode, and the prompt
        return true
    }

    /// Clears what we drew, puts the terminal back, writes the history, ends the events.
    func finish(endOfInput: Bool) {
        guard !finished, let el = editor else { return }
        finished = true
        if !inputClosed { clearArea() }
        _ = ceditline_set_unbuffered(el, 0)
        history?.save()
        el_end(el)
        editor = nil
        history = nil  // ends libedit's history, which the editor used until el_end
        _ = ceditline_tty_restore(STDIN_FILENO, &savedModes)
        TerminalModes.forget()
        signals?.restore()
        // From here on printAbove writes straight to stdout; what was queued before goes first.
        let printed = inbox.close()
        if !inputClosed { write(printed.map(EditorSession.screenLines).joined()) }
        if endOfInput { events.yield(.endOfInput) }
        events.finish()
        inbox.threadFinished()
    }
}

// MARK: - libedit callbacks (C function pointers: no captures, the session comes from EL_CLIENTDATA)

private func session(_ el: OpaquePointer?) -> EditorSession? {
    guard let el, let data = ceditline_clientdata(el) else { return nil }
    return Unmanaged<EditorSession>.fromOpaque(data).takeUnretainedValue()
}

private let promptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { el in
    session(el)?.promptForLibedit
}

private let readCharacterCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = {
    el, out in
    guard let out, let session = session(el) else { return -1 }
    return session.readCharacter(into: out)
}

private let completeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    session(el)?.complete() ?? UInt8(CC_ERROR)
}
