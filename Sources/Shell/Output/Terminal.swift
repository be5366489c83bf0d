/// Where the shell's text goes: straight to file descriptors 1 and 2 (unbuffered, so a
/// pipe sees each line as it happens and stdout/stderr stay in order).
enum Terminal {
    static func print(_ text: String) {
        guard !text.isEmpty else { return }
        write(fd: 1, text.hasSuffix("\n") ? text : text + "\n")
    }

    /// `line` (UTF-8) and a line break, in one write: a large output (a long replay's
    /// state) is written from its bytes, without a `String` or a copy made of it.
    static func printLine(_ line: consuming [UInt8]) {
        line.append(0x0A)
        _ = line.withUnsafeBytes { writeAll(1, $0) }
    }

    static func error(_ text: String) {
        write(fd: 2, text + "\n")
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        // A failed write (EPIPE: the reader went away) is dropped: nothing useful to do.
        _ = text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    }
}
