import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal thread's loop: wait in `poll()` on stdin and the wake-up pipe, then act on
/// signals, keys and the inbox, until the session finishes.
extension EditorSession {
    func run(prompt: String) {
        guard let wake = wakePipe, setUp(prompt: prompt) else {
            events.yield(.endOfInput)
            events.finish()
            inbox.threadFinished()
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
            if inputClosed || inbox.stopRequested {
                finish(endOfInput: inputClosed)
                break
            }
            processInbox()
        }
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
            events.yield(.endOfInput)
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
        events.yield(.line(text))
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
            pollfd(fd: wakePipe?.readFD ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ending = SignalRouter.bit(SIGTERM) | SignalRouter.bit(SIGHUP)
            if pendingSignals & ending != 0 || inbox.stopRequested {
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
                wakePipe?.drain()
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
}
