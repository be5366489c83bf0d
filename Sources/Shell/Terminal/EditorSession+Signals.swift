import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the signals do, acted on by the terminal thread (the handlers only set a bit in
/// `SignalRouter` and wake it): SIGTERM and SIGHUP end the session, SIGWINCH redraws for the
/// new width, SIGTSTP and SIGCONT suspend and resume, SIGINT drops the line.
extension EditorSession {
    func handleSignals() {
        let signals = pendingSignals
        pendingSignals = 0
        guard signals != 0, !finished else { return }
        if signals & (SignalRouter.bit(SIGTERM) | SignalRouter.bit(SIGHUP)) != 0 {
            if signals & SignalRouter.bit(SIGHUP) != 0 { inputClosed = true }
            finish(endOfInput: true)
            return
        }
        if signals & SignalRouter.bit(SIGWINCH) != 0 { resized() }
        if signals & SignalRouter.bit(SIGTSTP) != 0 {
            suspend()
        }
        else if signals & SignalRouter.bit(SIGCONT) != 0 {
            let (text, after) = currentLine()
            clearArea()
            reopenLine(text: text, charactersAfterCursor: after)
        }
        if signals & SignalRouter.bit(SIGINT) != 0 { interrupted() }
    }

    /// Ctrl-C: the line stays on the screen marked ^C, a fresh prompt comes, the REPL hears of it.
    func interrupted() {
        let (text, _) = currentLine()
        clearArea()
        write(prompt + text + "^C\r\n")
        reopenLine()
        events.yield(.interrupt)
    }

    func resized() {
        clearArea()  // computed with the old width: the best guess once the terminal has reflowed
        if let el = editor { el_resize(el) }
        columns = currentColumns()
        redraw(printing: "")
    }

    /// Ctrl-Z: put the terminal back, stop, and on `fg` take it again with the line as it was.
    func suspend() {
        guard let el = editor else { return }
        let (text, after) = currentLine()
        clearArea()
        _ = ceditline_set_unbuffered(el, 0)
        _ = ceditline_tty_restore(STDIN_FILENO, &savedModes)
        if signals?.restore(SIGTSTP) == true {
            kill(getpid(), SIGTSTP)  // stops here (ignored by the kernel in an orphaned process group)
            SignalRouter.handle(SIGTSTP)
        }
        pendingSignals |= SignalRouter.take()
        pendingSignals &= ~SignalRouter.bit(SIGCONT)
        el_resize(el)
        columns = currentColumns()
        reopenLine(text: text, charactersAfterCursor: after)
    }
}
