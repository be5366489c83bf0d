import ArgumentParser
import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// `comfysh-bench connection`: how fast the real client stack (WSClient, AsyncHTTPClient,
/// ComfyClient) gets back after the simulator's faults, over loopback, on real time.
///
/// * `reconnect_clean_ms`: the server closes cleanly (1001) and is back at once →
///   connected and resynced again (no backoff: a clean close comes back promptly).
/// * `reconnect_ms`: the connection drops (no close frame) and the server is back at
///   once → connected and resynced again: the first backoff step (full jitter, 0–1 s) plus
///   the connect and resync.
///
/// Each fault hits a connection that has been up for a second.
/// * `dead_peer_ms`: the server stops answering (half-open: socket open, no pongs) →
///   the client has declared the peer dead. The goal is at most two heartbeat intervals.
struct ConnectionCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection",
        abstract: "Reconnect and dead-peer times against the simulator.")

    @Option(help: "Samples per figure.")
    var samples = 5

    @Option(help: "The client's heartbeat interval, in seconds.")
    var heartbeat = 1.0

    @Flag(help: "Also print one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: ClientIdentity.generate())
        configuration.heartbeat = .milliseconds(Int(heartbeat * 1000))
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock())
        await client.start()
        await client.store.until { $0.connection.isOnline }

        var clean: [Double] = []
        var dropped: [Double] = []
        var dead: [Double] = []
        for _ in 0..<samples {
            clean.append(await timeBack(client) { await simulator.closeAllConnections(code: 1001) })
            dropped.append(await timeBack(client) { await simulator.dropAllConnections() })
            try? await Task.sleep(for: .milliseconds(1100))
            let before = client.store.state.connection.connects
            let start = ContinuousClock.now
            let stalledAt = await client.now
            await simulator.setStalled(true)
            // The socket is closed after the stall began (the heartbeat gave up).
            await client.store.until { ($0.connection.lastClose?.at ?? .zero) >= stalledAt }
            dead.append((ContinuousClock.now - start).seconds * 1000)
            await simulator.setStalled(false)
            await client.store.until { $0.connection.isOnline && $0.connection.connects == before + 1 }
        }
        await client.stop()
        await simulator.stop()

        var report = Report()
        report.add("reconnect_clean_ms", median(clean), .milliseconds)
        report.add("reconnect_clean_max_ms", clean.max(), .milliseconds)
        report.add("reconnect_ms", median(dropped), .milliseconds)
        report.add("reconnect_max_ms", dropped.max(), .milliseconds)
        report.add("dead_peer_ms", median(dead), .milliseconds)
        report.add("dead_peer_max_ms", dead.max(), .milliseconds)
        report.add("dead_peer_max_intervals", dead.max().map { $0 / (heartbeat * 1000) }, .ratio)
        report.context = [
            JSONField("heartbeat_s", .number(heartbeat)), JSONField("samples", .number(Double(samples))),
            JSONField("machine", .object(["arch": .string(Machine.architecture), "cores": .number(Double(Machine.cores))])),
            JSONField("date", .string(Machine.date)),
        ]
        report.notes = ["\n\(samples) samples each; heartbeat \(heartbeat) s; simulator on loopback"]
        return report
    }

    /// Milliseconds from `fault` until the client is connected and resynced again. The
    /// connection is first left to settle for a second, so the fault hits a healthy one
    /// (a connection that dies within its first second counts as a failed attempt).
    func timeBack(_ client: ComfyClient, _ fault: () async -> Void) async -> Double {
        try? await Task.sleep(for: .milliseconds(1100))
        let before = client.store.state.connection.connects
        let start = ContinuousClock.now
        await fault()
        await client.store.until { $0.connection.isOnline && $0.connection.connects == before + 1 }
        return (ContinuousClock.now - start).seconds * 1000
    }

    func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

