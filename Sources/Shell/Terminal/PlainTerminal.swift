import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Input that is not a terminal (a pipe, a file, /dev/null): no line editor, no prompt, no
/// colours. Lines are read on a background thread and come as `.line`; the end of the input
/// is `.endOfInput`. `printAbove` prints to stdout; the live line and the prompt are ignored.
///
/// Signals are reported like on a terminal, so the REPL has one way to handle them: SIGINT is
/// `.interrupt`, SIGTERM and SIGHUP end the input.
final class PlainTerminal: ShellTerminal {
    let events: AsyncStream<InputEvent>
    var isInteractive: Bool { false }
    var width: Int? { nil }

    private let continuation: AsyncStream<InputEvent>.Continuation
    private let wakePipe: WakePipe?
    private let state = Mutex(State())

    private struct State {
        var started = false
        var stopped = false
        var signals: SignalRouter.Installation?
    }

    init() {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        wakePipe = WakePipe()
    }

    func start(prompt: String) {
        guard let wake = wakePipe else {
            continuation.yield(.endOfInput)
            continuation.finish()
            return
        }
        let begin = state.withLock { s -> Bool in
            guard !s.started && !s.stopped else { return false }
            s.started = true
            s.signals = SignalRouter.install([SIGINT, SIGTERM, SIGHUP], wake: wake)
            return true
        }
        guard begin else { return }
        let thread = Thread { [self] in readLines(wake: wake) }
        thread.name = "comfysh-input"
        thread.start()
    }

    func setPrompt(_ prompt: String) {}

    func printAbove(_ text: String) {
        Terminal.print(text.hasSuffix("\n") ? text : text + "\n")
    }

    func setLiveLine(_ text: String?) {}

    func stop() {
        let signals = state.withLock { s -> SignalRouter.Installation? in
            guard !s.stopped else { return nil }
            s.stopped = true
            defer { s.signals = nil }
            return s.signals
        }
        signals?.restore()
        wakePipe?.wake()
        continuation.finish()
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    /// Reads stdin in chunks (not `readLine`: it blocks in stdio's buffer where `poll()` cannot
    /// see, so a signal or `stop()` could not end the wait).
    private func readLines(wake: WakePipe) {
        SignalRouter.unblock([SIGINT, SIGTERM, SIGHUP])
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var fds = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
        ]
        func emit(_ bytes: ArraySlice<UInt8>) {
            var line = bytes
            if line.last == 0x0D { line = line.dropLast() }
            continuation.yield(.line(String(decoding: line, as: UTF8.self)))
        }
        func end() {
            if !pending.isEmpty { emit(pending[...]) }
            continuation.yield(.endOfInput)
            stop()
        }
        while !stopped {
            fds[0].revents = 0
            fds[1].revents = 0
            if poll(&fds, 2, -1) < 0 && errno != EINTR { return end() }
            if fds[1].revents != 0 { wake.drain() }
            let signals = SignalRouter.take()
            if signals & (SignalRouter.bit(SIGTERM) | SignalRouter.bit(SIGHUP)) != 0 { return end() }
            if signals & SignalRouter.bit(SIGINT) != 0 { continuation.yield(.interrupt) }
            guard fds[0].revents != 0, !stopped else { continue }
            let n = read(STDIN_FILENO, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return end()
            }
            if n == 0 { return end() }
            pending.append(contentsOf: chunk[..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                emit(pending[start..<newline])
                start = newline + 1
            }
            pending.removeFirst(start)
        }
    }
}
