import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe that wakes one thread blocked in `poll()`: other threads (and signal handlers)
/// write a byte, the waiting thread reads them all. Both ends are non-blocking, so a writer
/// never waits and a full pipe only means the reader is already due to wake.
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    func wake() {
        var byte: UInt8 = 0
        _ = write(writeFD, &byte, 1)
    }

    /// Reads whatever is in the pipe.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}

/// Signals as a bit mask plus a poke on a `WakePipe`. The handler only does what is safe in a
/// handler (an atomic OR and a `write`); the waiting thread takes the mask and acts on it.
/// One set of handlers is active in the process at a time (the terminal's).
enum SignalRouter {
    private static let pending = Atomic<UInt64>(0)
    private static let wakeFD = Atomic<Int32>(-1)

    /// Installs the handlers (with `sigaction`, no `SA_RESTART`: a blocked read or poll returns
    /// EINTR) and returns what to restore.
    static func install(_ signals: [Int32], wake: WakePipe) -> Installation {
        _ = pending.load(ordering: .relaxed)  // initialise the statics before any handler runs
        wakeFD.store(wake.writeFD, ordering: .sequentiallyConsistent)
        var saved: [(Int32, sigaction)] = []
        for number in signals {
            var old = sigaction()
            if handle(number, previous: &old) { saved.append((number, old)) }
        }
        return Installation(saved: saved)
    }

    /// Lets the calling thread receive these signals even if the process started with them
    /// blocked (a blocked mask is inherited through exec), so at least one thread takes them.
    static func unblock(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Points one signal at the handler.
    @discardableResult
    static func handle(_ number: Int32) -> Bool {
        var old = sigaction()
        return handle(number, previous: &old)
    }

    private static func handle(_ number: Int32, previous: inout sigaction) -> Bool {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = signalHandler
        #else
        action.__sigaction_u.__sa_handler = signalHandler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        return sigaction(number, &action, &previous) == 0
    }

    /// The signals that arrived since the last call.
    static func take() -> UInt64 {
        pending.exchange(0, ordering: .acquiringAndReleasing)
    }

    static func bit(_ signal: Int32) -> UInt64 { UInt64(1) << UInt64(signal & 63) }

    fileprivate static let signalHandler: @convention(c) (Int32) -> Void = { number in
        let savedErrno = errno
        SignalRouter.pending.bitwiseOr(SignalRouter.bit(number), ordering: .acquiringAndReleasing)
        let fd = SignalRouter.wakeFD.load(ordering: .relaxed)
        if fd >= 0 {
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(fd, &byte, 1)
        }
        errno = savedErrno
    }

    /// The handlers that were there before; `restore()` puts them back (once).
    final class Installation: Sendable {
        private let saved: Mutex<[(Int32, sigaction)]?>

        fileprivate init(saved: [(Int32, sigaction)]) {
            self.saved = Mutex(saved)
        }

        func restore() {
            guard let entries = saved.withLock({ s in defer { s = nil }; return s }) else { return }
            SignalRouter.wakeFD.store(-1, ordering: .sequentiallyConsistent)
            for (number, old) in entries {
                var old = old
                sigaction(number, &old, nil)
            }
        }

        /// Puts back the previous handler of one signal now (e.g. SIGTSTP before stopping).
        func restore(_ number: Int32) -> Bool {
            guard let old = saved.withLock({ $0?.first(where: { $0.0 == number })?.1 }) else { return false }
            var action = old
            return sigaction(number, &action, nil) == 0
        }
    }
}
