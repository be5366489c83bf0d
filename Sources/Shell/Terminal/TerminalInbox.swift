import Dispatch
import Synchronization

/// Where the other threads leave requests for the terminal thread: the prompt, the lines to
/// print above the input, the live line, and the request to stop. Everything is under one
/// lock; each request says whether the terminal thread must be woken (`WakePipe`), which is
/// only while it runs: before, the request is kept for its start; after, there is no thread.
final class TerminalInbox: Sendable {
    enum Phase { case idle, running, stopping, stopped }

    /// What the terminal thread takes in one go; nil: unchanged since the last take.
    struct Requests: Equatable {
        var prompt: String?
        var printed: [String]
        /// `.some(nil)`: the live line was removed.
        var live: String??
    }

    private struct State {
        var phase = Phase.idle
        var prompt = ""
        var promptChanged = false
        var printed: [String] = []
        var live: String?
        var liveChanged = false
    }

    private let state = Mutex(State())
    private let threadDone = DispatchSemaphore(value: 0)

    // MARK: - From any thread

    var phase: Phase { state.withLock { $0.phase } }

    /// Idle → running, with this prompt. False when already started (or stopped).
    func begin(prompt: String) -> Bool {
        state.withLock { box in
            guard box.phase == .idle else { return false }
            box.phase = .running
            box.prompt = prompt
            box.promptChanged = false
            return true
        }
    }

    /// Returns whether to wake the terminal thread.
    func setPrompt(_ prompt: String) -> Bool {
        state.withLock { box in
            guard box.prompt != prompt else { return false }
            box.prompt = prompt
            box.promptChanged = true
            return box.phase == .running
        }
    }

    /// Queues text to print above the input. False when the terminal thread is not running:
    /// then the caller prints it itself.
    func print(_ text: String) -> Bool {
        state.withLock { box in
            guard box.phase == .running else { return false }
            box.printed.append(text)
            return true
        }
    }

    /// Returns whether to wake the terminal thread.
    func setLive(_ text: String?) -> Bool {
        state.withLock { box in
            guard box.live != text else { return false }
            box.live = text
            box.liveChanged = true
            return box.phase == .running
        }
    }

    /// Asks the terminal thread to stop (a terminal never started is stopped at once).
    /// Returns the phase it was in.
    func requestStop() -> Phase {
        state.withLock { box in
            let phase = box.phase
            switch phase {
            case .idle: box.phase = .stopped
            case .running: box.phase = .stopping
            case .stopping, .stopped: break
            }
            return phase
        }
    }

    /// Waits for `threadFinished()`; false on timeout. A waiter that got through lets the
    /// next one through too, so concurrent `stop()`s all return.
    func waitForThread(timeout: DispatchTime) -> Bool {
        guard threadDone.wait(timeout: timeout) == .success else { return false }
        threadDone.signal()
        return true
    }

    // MARK: - From the terminal thread

    var stopRequested: Bool { state.withLock { $0.phase == .stopping } }

    var live: String? { state.withLock { $0.live } }

    /// What changed since the last take.
    func take() -> Requests {
        state.withLock { box in
            defer {
                box.printed = []
                box.promptChanged = false
                box.liveChanged = false
            }
            return Requests(
                prompt: box.promptChanged ? box.prompt : nil, printed: box.printed,
                live: box.liveChanged ? .some(box.live) : .none)
        }
    }

    /// Marks the terminal stopped and returns what was still queued for printing.
    func close() -> [String] {
        state.withLock { box in
            box.phase = .stopped
            defer { box.printed = [] }
            return box.printed
        }
    }

    func threadFinished() {
        state.withLock { $0.phase = .stopped }
        threadDone.signal()
    }
}
