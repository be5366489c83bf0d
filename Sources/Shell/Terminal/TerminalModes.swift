import CEditLine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
