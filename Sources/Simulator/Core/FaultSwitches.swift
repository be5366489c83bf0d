import Synchronization

/// The fault switches that the per-socket writers and the upgrade check read on every
/// frame or request. They live behind a lock rather than in the actor so that a writer
/// can consult them without a hop per frame.
final class FaultSwitches: Sendable {
    private struct State {
        var stalled = false
        var refusingStatus: Int?
        var frameDelay: Duration?
        var httpDelay: Duration?
    }

    private let state = Mutex(State())

    var isStalled: Bool {
        get { state.withLock { $0.stalled } }
        set { state.withLock { $0.stalled = newValue } }
    }

    var refusingStatus: Int? {
        get { state.withLock { $0.refusingStatus } }
        set { state.withLock { $0.refusingStatus = newValue } }
    }

    var frameDelay: Duration? {
        get { state.withLock { $0.frameDelay } }
        set { state.withLock { $0.frameDelay = newValue } }
    }

    var httpDelay: Duration? {
        get { state.withLock { $0.httpDelay } }
        set { state.withLock { $0.httpDelay = newValue } }
    }
}
