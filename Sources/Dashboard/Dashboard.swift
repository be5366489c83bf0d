import ComfyCore
import ComfyLive
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import Synchronization

/// The web dashboard: one page, served from this process, that follows a fleet live.
///
/// The second front end on the core: it reads the fleet's store updates (one subscriber,
/// `PageFeed`) and asks through the fleet's library API (`submit`, `cancel`, `interrupt`,
/// `clear`), like the shell; nothing of the shell is used but the words both say
/// (`EventText`, `SubmissionOutcome`).
///
/// ```swift
/// let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock())
/// _ = try await fleet.open()
/// let dashboard = Dashboard(fleet: fleet, configuration: .init(port: 8190))
/// try await dashboard.start()          // listening; `dashboard.url`
/// …
/// await dashboard.stop()
/// ```
public final class Dashboard: Sendable {
    public let configuration: DashboardConfiguration
    /// The fleet it acts on; nil for a dashboard that only follows a store (read-only).
    let fleet: ComfyFleet?
    let store: ComfyStore
    let feed: PageFeed
    let metrics = DashboardMetrics()
    let gate: Gate
    let logger: Logger
    private let lifecycle = Mutex(Lifecycle())
    /// The fleet's clock (every time in the state is on it), read once at `start()`.
    private let fleetClock = FleetClock()

    private struct Lifecycle {
        var port: Int?
        var group: ServiceGroup?
        var tasks: [Task<Void, Never>] = []
    }

    /// The version shown on the page.
    public static let version = "0.1.0"

    public convenience init(fleet: ComfyFleet, configuration: DashboardConfiguration, logger: Logger = Dashboard.defaultLogger) {
        self.init(fleet: fleet, store: fleet.store, configuration: configuration, logger: logger)
    }

    /// A dashboard that follows `store` and cannot act (no submit, cancel, interrupt,
    /// clear or `/view`: they answer 503): for a front end of its own, a `ComfyClient`'s
    /// store, a benchmark. Times count from `start()`.
    public convenience init(following store: ComfyStore, configuration: DashboardConfiguration, logger: Logger = Dashboard.defaultLogger) {
        self.init(fleet: nil, store: store, configuration: configuration, logger: logger)
    }

    private init(fleet: ComfyFleet?, store: ComfyStore, configuration: DashboardConfiguration, logger: Logger) {
        self.fleet = fleet
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.gate = Gate(token: configuration.token)
        let fallback = configuration.defaultMaxUpload
        let clock = fleetClock
        let context = PageContext(
            demo: configuration.demo, version: Self.version,
            maxUpload: { Self.maxUpload(store.state, fallback: fallback) })
        let metrics = metrics
        self.feed = PageFeed(
            initial: store.state, updatesPerSecond: configuration.updatesPerSecond, context: context, metrics: metrics,
            now: { clock.now })
    }

    public static var defaultLogger: Logger {
        var logger = Logger(label: "comfysh.dashboard")
        logger.logLevel = .warning
        return logger
    }

    /// The smallest `max_upload_size` any server said (`GET /features`), else `fallback`.
    static func maxUpload(_ state: AppState, fallback: Int) -> Int {
        state.servers.compactMap { $0.connection.serverFeatures?["max_upload_size"]?.intValue }.min() ?? fallback
    }

    /// Checks the configuration (a non-loopback address needs a token), binds, and starts
    /// following the fleet. Returns once it listens.
    public func start() async throws {
        try configuration.check()
        guard lifecycle.withLock({ $0.group == nil }) else { return }
        fleetClock.set(await fleet?.now.seconds ?? 0)
        let updates = store.eventBatches()
        let feed = feed
        feed.seed(store.state)
        let subscriber = Task { await feed.run(updates) }
        let ticker = Task { await feed.runTicker() }
        let (portStream, portSink) = AsyncStream<Int>.makeStream()
        let application = DashboardServer.application(dashboard: self, onRunning: { portSink.yield($0); portSink.finish() })
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let failure = Mutex<(any Error)?>(nil)
        let server = Task {
            do { try await group.run() } catch { failure.withLock { $0 = error } }
            portSink.finish()
        }
        lifecycle.withLock {
            $0.group = group
            $0.tasks = [subscriber, ticker, server]
        }
        var port: Int?
        for await bound in portStream {
            port = bound
            break
        }
        guard let port else {
            await stop()
            throw failure.withLock { $0 } ?? DashboardConfiguration.Problem("the dashboard stopped before it was listening")
        }
        lifecycle.withLock { $0.port = port }
    }

    /// The bound port (0 before `start()` returned).
    public var port: Int { lifecycle.withLock { $0.port ?? 0 } }

    /// `http://HOST:PORT/`.
    public var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)/"
    }

    /// Pages connected now.
    public var pageCount: Int { feed.pageCount }

    /// Store updates the feed has read, frames it has made (each sent to every page), and
    /// the seconds making them took.
    public var feedCounts: (updates: Int, frames: Int, makingSeconds: Double) { feed.counts }

    /// Closes every page and stops listening. The fleet is the caller's to stop.
    public func stop() async {
        let (group, tasks) = lifecycle.withLock { box in
            defer {
                box.group = nil
                box.tasks = []
            }
            return (box.group, box.tasks)
        }
        for task in tasks.prefix(2) { task.cancel() }
        await group?.triggerGracefulShutdown()
        for task in tasks { await task.value }
    }
}

/// Seconds on the fleet's clock, from one reading of it and this process's monotonic clock.
private final class FleetClock: Sendable {
    private let reading = Mutex((at: 0.0, since: ContinuousClock().now))

    func set(_ seconds: Double) { reading.withLock { $0 = (seconds, ContinuousClock().now) } }

    var now: Double { reading.withLock { $0.at + (ContinuousClock().now - $0.since).seconds } }
}
