import ComfyLive
import ComfyCore

/// The real client stack on the stream: `ComfyClient` (its actor, `WSClientTransport`,
/// the decoders) dispatching every frame into its `ComfyStore`, as `comfysh run` and `watch` do.
/// HTTP is `InstantHTTP` (see there).
enum EndToEnd {
    struct Throughput {
        var perSecond: Double
        var seconds: Double
        var httpCalls: Int
        var prompts: Int
    }

    /// `count` frames as fast as the client takes them. Timed from the server's first write
    /// until the store holds the sentinel's `queue_remaining` (polled every millisecond;
    /// no subscriber, so the store does no extra work per frame).
    static func throughput(server: FloodServer, frames: StreamFrames, count: Int) async throws -> Throughput {
        let (client, http, connection) = try await connect(server)
        async let flooded = connection.flood(FloodPlan(frames: frames, count: count, rate: nil))
        while client.store.state.queue.remaining != StreamFrames.sentinelRemaining {
            try await Task.sleep(for: .milliseconds(1))
        }
        let end = Monotonic.now()
        let result = try await flooded
        let prompts = client.store.state.queue.prompts.count
        await client.stop()
        let seconds = Monotonic.seconds(from: result.startNs, to: end)
        return Throughput(perSecond: Double(count) / seconds, seconds: seconds, httpCalls: http.count, prompts: prompts)
    }

    /// Per-frame latency at a steady `rate`: from the server's write of a frame until a
    /// subscriber of the store receives the change it caused (where a front end would
    /// draw it). Returns one latency per frame, in microseconds.
    static func latency(server: FloodServer, frames: StreamFrames, count: Int, rate: Double) async throws -> [Double] {
        let (client, _, connection) = try await connect(server)
        let changes = client.store.changes()
        let received = Task {
            var times: [UInt64] = []
            times.reserveCapacity(count + 1)
            for await change in changes where change.action.isFrame {
                times.append(Monotonic.now())
                if times.count == count + 1 { break }
            }
            return times
        }
        let result = try await connection.flood(FloodPlan(frames: frames, count: count, rate: rate))
        let times = await received.value
        await client.stop()
        guard times.count == count + 1 else { return [] }
        return (0..<count).map { i in Double(Int64(bitPattern: times[i] &- result.sendTimes[i])) / 1000 }
    }

    private static func connect(_ server: FloodServer) async throws -> (ComfyClient, InstantHTTP, FloodConnection) {
        let http = InstantHTTP()
        let configuration = ClientConfiguration(endpoint: try ServerEndpoint(server.baseURL), clientID: "comfyshbench")
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock(), http: http)
        await client.start()
        guard let connection = await server.nextConnection() else {
            await client.stop()
            throw StreamError("the client did not connect to the flood server")
        }
        await client.store.until { $0.connection.isOnline }
        return (client, http, connection)
    }
}

struct StreamError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ComfyAction {
    /// Dispatched for an incoming frame (every frame becomes exactly one such action).
    var isFrame: Bool {
        switch event {
        case .server, .binary, .unknown, .protocolError: true
        case .connection, .http, .user, .fleet: false
        }
    }
}
