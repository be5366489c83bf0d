import ComfyCore
import CoreMetrics
import Prometheus
import Synchronization

/// `/metrics`: the fleet in Prometheus' text format, through swift-metrics with a
/// Prometheus factory of the dashboard's own (nothing is bootstrapped process-wide).
///
/// * `comfysh_server_queue_depth{server}`: the server's `queue_remaining` (pending + running, every client's)
/// * `comfysh_server_up{server}`: 1 while connected
/// * `comfysh_server_connection{server,phase}`: 1 for the connection's phase (idle,
///   connecting, connected, reconnecting, disconnected, failed), 0 for the others
/// * `comfysh_server_breaker_open{server}`: 1 while its circuit breaker is open
/// * `comfysh_server_reconnects_total{server}`: reconnect attempts scheduled
/// * `comfysh_prompts_total{outcome}`: prompts that reached a final outcome
/// * `comfysh_prompt_duration_seconds`: from start to outcome, for prompts that ran
/// * `comfysh_dashboard_pages`: pages connected now
///
/// Updated off the store's path: outcomes by the feed's subscriber, the rest when a frame is made.
final class DashboardMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let perServer = Mutex<[String: ServerMetrics]>([:])
    private let outcomes = Mutex<[String: CoreMetrics.Counter]>([:])
    private let duration: CoreMetrics.Timer
    private let pageGauge: CoreMetrics.Gauge

    static let phases = ["idle", "connecting", "connected", "reconnecting", "disconnected", "failed"]

    private final class ServerMetrics: Sendable {
        let depth: CoreMetrics.Gauge
        let up: CoreMetrics.Gauge
        let phase: [String: CoreMetrics.Gauge]
        let breaker: CoreMetrics.Gauge
        let reconnects: CoreMetrics.Counter
        let counted = Mutex(0)

        init(_ name: String, factory: any MetricsFactory) {
            let server = [("server", name)]
            depth = Gauge(label: "comfysh_server_queue_depth", dimensions: server, factory: factory)
            up = Gauge(label: "comfysh_server_up", dimensions: server, factory: factory)
            phase = Dictionary(uniqueKeysWithValues: DashboardMetrics.phases.map {
                ($0, Gauge(label: "comfysh_server_connection", dimensions: server + [("phase", $0)], factory: factory))
            })
            breaker = Gauge(label: "comfysh_server_breaker_open", dimensions: server, factory: factory)
            reconnects = Counter(label: "comfysh_server_reconnects_total", dimensions: server, factory: factory)
        }
    }

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["comfysh_prompt_duration_seconds"] = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600].map {
            Duration.milliseconds(Int64($0 * 1000))
        }
        self.factory = factory
        duration = Timer(label: "comfysh_prompt_duration_seconds", factory: factory)
        pageGauge = Gauge(label: "comfysh_dashboard_pages", factory: factory)
        for outcome in ["succeeded", "failed", "interrupted", "cancelled", "lost", "ended"] { _ = counter(outcome) }
    }

    private func counter(_ outcome: String) -> CoreMetrics.Counter {
        outcomes.withLock { counters in
            if let counter = counters[outcome] { return counter }
            let counter = Counter(label: "comfysh_prompts_total", dimensions: [("outcome", outcome)], factory: factory)
            counters[outcome] = counter
            return counter
        }
    }

    private func server(_ name: String) -> ServerMetrics {
        perServer.withLock { servers in
            if let metrics = servers[name] { return metrics }
            let metrics = ServerMetrics(name, factory: factory)
            servers[name] = metrics
            return metrics
        }
    }

    /// Outcomes, as the core tells them (each prompt once).
    func observe(_ events: [ClientEvent], state: AppState) {
        for event in events {
            guard case .finished(let record) = event, record.isSettled else { continue }
            counter(record.status.rawValue).increment()
            if let start = record.startedAt, let end = record.finishedAt, end >= start {
                duration.recordNanoseconds(Int64(((end - start) * 1e9).rounded()))
            }
        }
    }

    /// Each server's gauges as `state` has them.
    func sample(_ state: AppState) {
        for server in state.servers {
            let metrics = self.server(server.name)
            metrics.depth.record(server.remaining ?? 0)
            let phase = server.connection.phase.name
            metrics.up.record(phase == "connected" ? 1 : 0)
            for (name, gauge) in metrics.phase { gauge.record(name == phase ? 1 : 0) }
            metrics.breaker.record(server.connection.breaker == .open ? 1 : 0)
            let reconnects = server.connection.reconnects
            let delta = metrics.counted.withLock { counted in
                defer { counted = max(counted, reconnects) }
                return reconnects - counted
            }
            if delta > 0 { metrics.reconnects.increment(by: delta) }
        }
    }

    func pages(_ count: Int) { pageGauge.record(count) }

    /// The Prometheus text exposition.
    func text() -> String { registry.emitToString() }
}
