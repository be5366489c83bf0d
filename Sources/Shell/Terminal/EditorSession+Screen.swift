import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drawing: text printed above the input area, the live line just above it, the prompt.
/// libedit draws the input area itself and knows nothing of the rest, so every change clears
/// from the top of what we drew and has libedit draw its part again.
extension EditorSession {
    /// Text as screen lines: each line ends in "\r\n" (the terminal is in raw mode).
    static func screenLines(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 && lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { line in (line.hasSuffix("\r") ? line.dropLast() : line) + "\r\n" }.joined()
    }

    func processInbox() {
        let requests = inbox.take()
        guard requests.prompt != nil || !requests.printed.isEmpty || requests.live != nil else { return }
        clearArea()
        if let newPrompt = requests.prompt { setPrompt(newPrompt) }
        if let liveChange = requests.live { live = liveChange }
        redraw(printing: requests.printed.map(Self.screenLines).joined())
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
}
