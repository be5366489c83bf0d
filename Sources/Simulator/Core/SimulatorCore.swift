import Logging
import NIOCore

/// Everything the simulated server knows — sockets, queue, history, cache, the worker —
/// in one actor, so that every message is produced and routed in one order, as by the
/// real server's single sending loop.
///
/// Extensions split it by concern: sockets (`+Sockets`), HTTP requests (`+Requests`),
/// the worker (`Worker.swift`, `NodeRunner.swift`) and the step gate (`WorkerGate.swift`).
actor SimulatorCore {
    let configuration: SimulatorConfiguration
    let faults: FaultSwitches
    let logger: Logger

    // MARK: Sockets

    /// Every open WebSocket, registered or not.
    var sockets: [Int: SocketConnection] = [:]
    /// `PromptServer.sockets`: client id → the socket registered under it.
    var registry: [String: Int] = [:]
    /// `PromptServer.sockets_metadata`: client id → the flags its client negotiated.
    var clientFlags: [String: PyJSON] = [:]
    var nextSocketID = 0
    /// Bumped by `restart()`: sockets of an earlier generation no longer touch the
    /// registry when they end (their server "died").
    var generation = 0
    var socketCountWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    // MARK: Server state

    var queue = PromptQueue()
    var history = History()
    var cache = OutputCache()
    var files = OutputFiles()
    /// How many times the worker started each prompt id (kept across `restart()`).
    var executionCounts: [String: Int] = [:]
    /// Every run that reached its end (success or error), per prompt id, kept across
    /// `restart()`: the server's own record for checks such as the chaos run's.
    var completedRuns: [String: [CompletedRun]] = [:]

    // MARK: Worker

    var current: PromptRun?
    /// `nodes.interrupt_processing()`: cleared when a prompt starts, consumed when raised.
    var interruptRequested = false
    /// Draws the step-time jitter (`SimulatorConfiguration.stepJitter`).
    lazy var jitter = SeededRandom(seed: configuration.jitterSeed)
    var gate = WorkerGate()
    var workerTask: Task<Void, Never>?
    var workerSignal: AsyncStream<Void>.Continuation?

    init(configuration: SimulatorConfiguration, faults: FaultSwitches, logger: Logger) {
        self.configuration = configuration
        self.faults = faults
        self.logger = logger
    }

    // MARK: Sending

    /// `send_sync(type, data, sid)`: to the socket registered under `sid`, or to every
    /// registered socket when `sid` is nil. A message for an id with no socket is
    /// dropped, as the server drops it.
    func emit(_ type: String, _ data: PyJSON, to sid: String?) {
        deliver(.text(Self.message(type, data)), to: sid)
    }

    func emitBinary(_ bytes: [UInt8], to sid: String?) {
        deliver(.binary(bytes), to: sid)
    }

    static func message(_ type: String, _ data: PyJSON) -> String {
        PyJSON.object(["type": .string(type), "data": data]).serialized
    }

    private func deliver(_ frame: OutgoingFrame.Kind, to sid: String?) {
        if let sid {
            if let id = registry[sid], let socket = sockets[id] { push(frame, to: socket) }
        } else {
            for id in registry.values.sorted() {
                if let socket = sockets[id] { push(frame, to: socket) }
            }
        }
    }

    /// Queues a frame on one socket. While the server is stalled the socket's writer holds
    /// it (bytes in a stuck TCP connection): it arrives if the socket outlives the stall.
    func push(_ frame: OutgoingFrame.Kind, to socket: SocketConnection) {
        socket.outbox.yield(OutgoingFrame(kind: frame, queuedAt: .now))
    }

    /// The `status` broadcast the server sends on every queue change.
    func broadcastStatus() {
        emit("status", .object(["status": statusInfo]), to: nil)
    }

    /// `{"exec_info": {"queue_remaining": N}}`.
    var statusInfo: PyJSON {
        .object(["exec_info": .object(["queue_remaining": .int(queue.remaining)])])
    }
}
