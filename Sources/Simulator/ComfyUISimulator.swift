import Logging
// `ServiceGroup` comes from swift-service-lifecycle, a dependency of Hummingbird that
// Package.swift does not list for this target (nor NIOWebSocket, used by
// WebSocketSession); SwiftPM builds both before this target, so the imports resolve.
import ServiceLifecycle
import Synchronization

/// A ComfyUI server in the same process, on loopback, that speaks the real-time protocol
/// as ComfyUI 0.33.0 does in the recorded transcripts: HTTP routes (`/prompt`, `/queue`,
/// `/interrupt`, `/history`, `/view`, …, each also under `/api`), the WebSocket at `/ws`,
/// one worker running simulated nodes, an output cache, and the server's quirks
/// (double `status` on take, cached `executed` without `executing`, #16010 on request).
///
/// On top it takes faults on command (drop, close, stall, refuse, restart, raw frames,
/// frame delay; and bad answers: a route's canned answer, refused upgrades, history
/// entries missing keys), a step gate to hold the worker at an exact point, and
/// inspection (including the request headers it received, when asked).
///
/// ```swift
/// let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(1)))
/// try await simulator.start()
/// // connect to simulator.webSocketURL(clientID: "me"), POST to simulator.baseURL + "/prompt"
/// await simulator.stop()
/// ```
public final class ComfyUISimulator: Sendable {
    /// The configuration it was created with.
    public let configuration: SimulatorConfiguration
    let core: SimulatorCore
    let faults: FaultSwitches
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var port: Int?
        var group: ServiceGroup?
        var task: Task<Void, Never>?
    }

    /// - Parameters:
    ///   - configuration: where to listen, how fast nodes run, which bugs to emulate.
    ///   - logger: for the HTTP server and the simulator; warnings and up by default.
    public init(configuration: SimulatorConfiguration = .init(), logger: Logger = ComfyUISimulator.defaultLogger) {
        self.configuration = configuration
        self.logger = logger
        self.faults = FaultSwitches()
        self.core = SimulatorCore(configuration: configuration, faults: faults, logger: logger)
    }

    /// A logger that reports warnings and errors only.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "comfysh.simulator")
        logger.logLevel = .warning
        return logger
    }

    /// Starts listening and returns once the port is bound. Throws if it cannot bind.
    public func start() async throws {
        guard lifecycle.withLock({ $0.task == nil }) else { return }
        let started = StartupSignal()
        let application = try SimulatorServer.application(
            core: core, faults: faults, configuration: configuration, logger: logger,
            onRunning: { started.succeed($0) })
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do {
                try await group.run()
                started.fail(SimulatorError.stoppedBeforeListening)
            } catch {
                started.fail(error)
            }
        }
        lifecycle.withLock {
            $0.group = group
            $0.task = task
        }
        do {
            let port = try await started.wait()
            lifecycle.withLock { $0.port = port }
            await core.startWorker()
        } catch {
            await stop()
            throw error
        }
    }

    /// The bound port; `0` before ``start()`` returned.
    public var port: Int { lifecycle.withLock { $0.port ?? 0 } }

    /// `http://127.0.0.1:PORT` (`https` with TLS), the base for HTTP routes.
    public var baseURL: String { "\(configuration.tls == nil ? "http" : "https")://\(configuration.host):\(port)" }

    /// `ws://127.0.0.1:PORT/ws` (`wss` with TLS), with `?clientId=` when an id is given.
    public func webSocketURL(clientID: String? = nil) -> String {
        let base = "\(configuration.tls == nil ? "ws" : "wss")://\(configuration.host):\(port)/ws"
        guard let clientID else { return base }
        return base + "?clientId=" + (clientID.addingPercentEncodingForQuery)
    }

    /// Stops the worker (abandoning a running prompt), closes every socket without a
    /// close frame, as a server process that exits, and shuts the HTTP server down
    /// gracefully. Returns when nothing of the simulator runs any more.
    public func stop() async {
        let (group, task) = lifecycle.withLock { state in
            defer {
                state.group = nil
                state.task = nil
            }
            return (state.group, state.task)
        }
        await core.shutdown()
        await group?.triggerGracefulShutdown()
        await task?.value
    }
}

/// Why ``ComfyUISimulator/start()`` failed.
public enum SimulatorError: Error, Sendable {
    /// The server stopped before it was listening.
    case stoppedBeforeListening
}

/// Hands the bound port (or a failure) from the server's task to `start()`, whichever
/// comes first and whoever waits first.
private final class StartupSignal: Sendable {
    private enum State {
        case pending(CheckedContinuation<Int, any Error>?)
        case done(Result<Int, any Error>)
    }

    private let state = Mutex(State.pending(nil))

    func succeed(_ port: Int) { complete(.success(port)) }
    func fail(_ error: any Error) { complete(.failure(error)) }

    private func complete(_ result: Result<Int, any Error>) {
        let waiter: CheckedContinuation<Int, any Error>? = state.withLock { state in
            guard case .pending(let waiter) = state else { return nil }
            state = .done(result)
            return waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .done(let result): return result
                case .pending:
                    state = .pending(continuation)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

extension String {
    /// Percent-encodes what may not stand in a query value.
    fileprivate var addingPercentEncodingForQuery: String {
        var out = ""
        for byte in utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }

    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
