import Foundation
import Synchronization

/// A child process's exit, awaited without holding a thread. `waitUntilExit()` blocks one
/// of the concurrency pool's threads — as many as cores, two here — so two tests waiting
/// for a browser to close at once stalled every other test of the run.
final class ExitWatch: Sendable {
    private struct Box {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let box = Mutex(Box())

    /// Call before `process.run()`: the handler must be in place before it can exit.
    init(_ process: Process) {
        process.terminationHandler = { [self] process in
            let status = process.terminationStatus
            let waiters = self.box.withLock { box in
                box.status = status
                defer { box.waiters = [] }
                return box.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
    }

    /// The exit status, once it has exited.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = box.withLock { box -> Int32? in
                if let status = box.status { return status }
                box.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}
