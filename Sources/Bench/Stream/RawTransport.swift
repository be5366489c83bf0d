import ComfyLive
import Synchronization

/// The ceiling: the same stream read by the same WebSocket client (`WSClientTransport`,
/// with its reader task and hand-off stream) and nothing else — no decoding, no store.
enum RawTransport {
    static func throughput(server: FloodServer, frames: StreamFrames, count: Int) async throws -> Double {
        let end = Atomic<UInt64>(0)
        let total = count + 1
        let reader = Task {
            try await WSClientTransport().connect(
                url: server.webSocketURL, headers: [], options: SocketOptions(maxFrameSize: 64 << 20, heartbeat: .seconds(10))
            ) { channel in
                var n = 0
                for try await _ in channel.inbound {
                    n += 1
                    if n == total {
                        end.store(Monotonic.now(), ordering: .relaxed)
                        // The transport's reader runs until the socket closes.
                        await channel.close(code: 1000, reason: "done")
                        return
                    }
                }
            }
        }
        guard let connection = await server.nextConnection() else {
            reader.cancel()
            throw StreamError("the raw client did not connect to the flood server")
        }
        let result = try await connection.flood(FloodPlan(frames: frames, count: count, rate: nil))
        _ = try await reader.value
        let stop = end.load(ordering: .relaxed)
        guard stop > 0 else { throw StreamError("the raw client's stream ended early") }
        return Double(count) / Monotonic.seconds(from: result.startNs, to: stop)
    }
}
