#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `bytes` to `fd`: the one way the shell writes to the terminal (the line
/// editor's screen, `Terminal.print` and `Terminal.error`), so every write survives the same
/// things. A write may take only part of the bytes (a pipe or a terminal with little room):
/// the rest follows. EINTR (our signal handlers are installed without `SA_RESTART`) means try
/// again. EAGAIN (someone made the descriptor non-blocking) means wait in `poll()` until it
/// takes more, rather than spin or drop the rest. Any other error (EPIPE: the reader went
/// away) ends the write: there is nowhere else to report it.
///
/// - Returns: whether every byte was written.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, base + offset, bytes.count - offset)
        if n >= 0 {
            offset += n
            continue
        }
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK {
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&ready, 1, -1)  // EINTR or an error here: the next write tells
            continue
        }
        return false
    }
    return true
}
