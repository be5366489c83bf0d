import CEditLine
import Dispatch
import Foundation
import Synchronization

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
/// threads as cores). That thread waits on stdin and on a wake-up pipe. Other threads only
/// queue requests (`printAbove`, `setLiveLine`, `setPrompt`, `stop`) under a lock and write a
/// byte to the pipe; signal handlers only set a bit and write a byte (`SignalRouter`).
///
/// The screen, bottom up: the input area (prompt and what is typed, possibly several rows),
/// the live line just above it when there is one, and everything printed above that. To print,
/// the terminal thread moves the cursor to the top of the live line, clears to the end of the
/// screen, writes the new lines and the live line, and lets libedit redraw the input area.
final class EditLineTerminal: ShellTerminal {
    let events: AsyncStream<InputEvent>
    var isInteractive: Bool { true }
    var width: Int? {
        let n = Int(ceditline_columns(STDOUT_FILENO))
        return n > 0 ? n : nil
    }

    fileprivate let continuation: AsyncStream<InputEvent>.Continuation
    fileprivate let historyFile: URL?
    fileprivate let completer: @Sendable (_ line: String, _ cursor: Int) -> [String]
    fileprivate let wakePipe: WakePipe?
    fileprivate let inbox = TerminalInbox()

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
            let session = EditorSession(owner: self)
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

// MARK: - Pure helpers (tested directly)

extension EditLineTerminal {
    /// Text as screen lines: each line ends in "\r\n" (the terminal is in raw mode).
    static func screenLines(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 && lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { line in (line.hasSuffix("\r") ? line.dropLast() : line) + "\r\n" }.joined()
    }
}

/// The terminal modes from before we touched them, restored at exit even if `stop()` was
/// never called.
enum TerminalModes {
    private static let saved = Mutex<ceditline_tty_state?>(nil)
    private static let registered = Atomic<Bool>(false)

    static func remember(_ state: ceditline_tty_state) {
        saved.withLock { $0 = state }
        if !registered.exchange(true, ordering: .acquiringAndReleasing) {
            atexit { TerminalModes.restoreNow() }
        }
    }

    static func forget() { saved.withLock { $0 = nil } }

    static func restoreNow() {
        guard var state = saved.withLock({ $0 }) else { return }
        _ = ceditline_tty_restore(STDIN_FILENO, &state)
    }
}

// MARK: - The terminal thread

/// Everything libedit: created, used and ended on the terminal thread only. libedit's C
/// callbacks find it through `EL_CLIENTDATA`.
private final class EditorSession {
    let owner: EditLineTerminal
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

    init(owner: EditLineTerminal) {
        self.owner = owner
    }

    deinit {
        free(promptForLibedit)
    }

    func run(prompt: String) {
        guard let wake = owner.wakePipe, setUp(prompt: prompt) else {
            owner.continuation.yield(.endOfInput)
            owner.continuation.finish()
            owner.inbox.threadFinished()
            return
        }
        var fds = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
        ]
        processInbox()
        while !finished {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno != EINTR { inputClosed = true }
            if fds[1].revents != 0 { wake.drain() }
            pendingSignals |= SignalRouter.take()
            // Signals first: the terminal raised SIGINT when ^C was typed and dropped what was
            // typed before it, so whatever is readable now came after the ^C.
            handleSignals()
            if !finished, ready > 0 && fds[0].revents != 0 { readInput() }
            pendingSignals |= SignalRouter.take()
            handleSignals()
            if finished { break }
            if inputClosed || owner.inbox.stopRequested {
                finish(endOfInput: inputClosed)
                break
            }
            processInbox()
        }
    }

    // MARK: Set-up and tear-down

    func setUp(prompt: String) -> Bool {
        _ = ceditline_utf8_locale()
        savedModes = ceditline_tty_save(STDIN_FILENO)
        if savedModes.valid != 0 { TerminalModes.remember(savedModes) }
        guard let wake = owner.wakePipe, let el = ceditline_init("comfysh") else { return false }
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
        if let history = HistoryFile(file: owner.historyFile) {
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
        live = owner.inbox.live
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
        let printed = owner.inbox.close()
        if !inputClosed { write(printed.map(EditLineTerminal.screenLines).joined()) }
        if endOfInput { owner.continuation.yield(.endOfInput) }
        owner.continuation.finish()
        owner.inbox.threadFinished()
    }

    // MARK: Input

    /// One key from stdin (data is waiting), then whatever keys libedit pushed back for itself.
    func readInput() {
        step()
        var rounds = 0
        while !finished && !inputClosed && rounds < 256 {
            probing = true
            probeReachedInput = false
            step()
            probing = false
            if probeReachedInput { break }
            rounds += 1
        }
        if !listing.isEmpty && !finished {
            let rows = listing
            listing = []
            clearArea()
            redraw(printing: rows.map { $0 + "\r\n" }.joined())
        }
    }

    /// One `el_gets` in unbuffered mode: libedit runs one editing command and returns the line
    /// so far; it ends in "\n" when the line was entered, and is a lone ^D for Ctrl-D on an
    /// empty line.
    func step() {
        guard let el = editor else { return }
        readsThisStep = 0
        var count: Int32 = 0
        let line = el_gets(el, &count)
        if inputClosed || finished { return }
        guard let line, count > 0 else { return }
        let bytes = UnsafeRawBufferPointer(start: line, count: Int(count))
        if bytes[Int(count) - 1] == 0x0A {
            accept(String(decoding: bytes.dropLast(), as: UTF8.self))
        }
        else if count == 1 && bytes[0] == 0x04 {
            clearArea()
            reopenLine()
            owner.continuation.yield(.endOfInput)
        }
    }

    func accept(_ text: String) {
        // libedit has moved below the input area and forgotten it. With a live line above,
        // the entered line is written again above the live line, which stays next to the prompt.
        if liveShown {
            let rows = TerminalText.rows(
                width: promptWidth + TerminalText.width(text, controlsAsCaret: true), columns: columns)
            write("\u{1B}[\(rows + 1)A\r\u{1B}[J" + prompt + text + "\r\n")
            liveShown = false
        }
        history?.add(text)
        reopenLine()
        owner.continuation.yield(.line(text))
    }

    /// libedit's read function: one character from stdin, waiting in `poll()` on stdin and the
    /// wake-up pipe so that signals and `stop()` are seen even in the middle of a command.
    func readCharacter(into out: UnsafeMutablePointer<wchar_t>) -> Int32 {
        if probing {
            probeReachedInput = true
            errno = EAGAIN
            return -1
        }
        readsThisStep += 1
        let nested = readsThisStep > 1
        var decoder = UTF8Decoder()
        var fds = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: owner.wakePipe?.readFD ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ending = SignalRouter.bit(SIGTERM) | SignalRouter.bit(SIGHUP)
            if pendingSignals & ending != 0 || owner.inbox.stopRequested {
                errno = EINTR
                return -1
            }
            if nested && decoder.isEmpty && pendingSignals & SignalRouter.bit(SIGINT) != 0 {
                out.pointee = 0x07  // ^G: ends an incremental search; the line is dropped right after
                return 1
            }
            fds[0].revents = 0
            fds[1].revents = 0
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { pendingSignals |= SignalRouter.take(); continue }
                inputClosed = true
                return 0
            }
            if fds[1].revents != 0 {
                owner.wakePipe?.drain()
                pendingSignals |= SignalRouter.take()
                continue
            }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let n = read(STDIN_FILENO, &byte, 1)
            if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                inputClosed = true  // hung up
                return 0
            }
            if n < 0 { continue }
            // A character typed as several bytes may come in several reads.
            guard let value = decoder.add(byte) else { continue }
            out.pointee = wchar_t(bitPattern: value)
            return 1
        }
    }

    // MARK: Signals

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
        owner.continuation.yield(.interrupt)
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

    // MARK: Output

    func processInbox() {
        let requests = owner.inbox.take()
        guard requests.prompt != nil || !requests.printed.isEmpty || requests.live != nil else { return }
        clearArea()
        if let newPrompt = requests.prompt { setPrompt(newPrompt) }
        if let liveChange = requests.live { live = liveChange }
        redraw(printing: requests.printed.map(EditLineTerminal.screenLines).joined())
    }

    /// Moves to the top of the live line (or of the input area) and clears to the end of the
    /// screen, leaving the cursor at column 0 of an empty row.
    func clearArea() {
        guard let el = editor else { return }
        ceditline_flush_stdout()
        let (before, _) = lineBytes(el)
        let beforeWidth = TerminalText.width(String(decoding: before, as: UTF8.self), controlsAsCaret: true)
        var up = TerminalText.rowsAbove(columnsBefore: promptWidth + beforeWidth, columns: columns)
        if liveShown { up += 1 }
        write((up > 0 ? "\u{1B}[\(up)A" : "") + "\r\u{1B}[J")
        liveShown = false
    }

    /// After `clearArea`: prints `text`, the live line, and has libedit draw the input area.
    func redraw(printing text: String) {
        guard let el = editor else { return }
        write(text)
        if let live { writeLive(live) }
        _ = ceditline_refresh(el)
    }

    func writeLive(_ text: String) {
        let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        write(TerminalText.truncate(String(firstLine), toWidth: max(columns - 1, 1)) + "\r\n")
        liveShown = true
    }

    /// Starts a fresh input line (libedit empties its buffer when unbuffered mode is turned back
    /// on), optionally holding `text`. The cursor must be at column 0 of an empty row.
    func reopenLine(text: String = "", charactersAfterCursor: Int = 0) {
        guard let el = editor else { return }
        _ = ceditline_set_unbuffered(el, 0)
        write("\r")
        if let live { writeLive(live) }
        _ = ceditline_set_unbuffered(el, 1)  // raw mode again, empty line, prompt drawn
        if !text.isEmpty {
            _ = el_insertstr(el, text)
            if charactersAfterCursor > 0 { _ = el_cursor(el, -Int32(charactersAfterCursor)) }
            let up = TerminalText.rowsAbove(columnsBefore: promptWidth, columns: columns)
            write((up > 0 ? "\u{1B}[\(up)A" : "") + "\r")
            _ = ceditline_refresh(el)
        }
    }

    func setPrompt(_ text: String) {
        prompt = text
        promptWidth = TerminalText.width(text)
        free(promptForLibedit)
        promptForLibedit = strdup(TerminalText.libeditPrompt(text))
    }

    /// Writes to the terminal after what libedit has written (through stdio) so far.
    func write(_ text: String) {
        guard !text.isEmpty else { return }
        ceditline_flush_stdout()
        var text = text
        _ = text.withUTF8 { writeAll(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
    }

    func currentColumns() -> Int {
        let n = Int(ceditline_columns(STDOUT_FILENO))
        return n > 0 ? n : 80
    }

    /// The line's bytes before and after the cursor.
    func lineBytes(_ el: OpaquePointer) -> (before: [UInt8], after: [UInt8]) {
        guard let info = el_line(el)?.pointee, let start = info.buffer else { return ([], []) }
        let cursor = info.cursor - start
        let end = info.lastchar - start
        let all = UnsafeRawBufferPointer(start: start, count: max(end, 0))
        return (Array(all[..<min(cursor, end)]), Array(all[min(cursor, end)...]))
    }

    /// The line being typed, and how many characters (code points) follow the cursor.
    func currentLine() -> (text: String, charactersAfterCursor: Int) {
        guard let el = editor else { return ("", 0) }
        let (before, after) = lineBytes(el)
        let afterText = String(decoding: after, as: UTF8.self)
        return (String(decoding: before + after, as: UTF8.self), afterText.unicodeScalars.count)
    }

    // MARK: Completion

    func complete() -> UInt8 {
        guard let el = editor else { return UInt8(CC_ERROR) }
        let (beforeBytes, afterBytes) = lineBytes(el)
        let before = String(decoding: beforeBytes, as: UTF8.self)
        let after = String(decoding: afterBytes, as: UTF8.self)
        let candidates = owner.completer(before + after, before.count)
        let word = Completion.word(beforeCursor: before)
        let outcome = Completion.outcome(word: word, candidates: candidates, nextCharacter: after.first)
        if let replacement = outcome.replacement {
            el_deletestr(el, Int32(word.unicodeScalars.count))
            _ = el_insertstr(el, replacement)
        }
        listing = Completion.columns(outcome.listing, width: columns - 1)
        if outcome.replacement == nil && outcome.listing.isEmpty { return UInt8(CC_REFRESH_BEEP) }
        return UInt8(CC_REFRESH)
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
