import ComfyLive
import Foundation
import ComfyCore
import Synchronization

/// 1 MiB binary previews at 30 per second, from the flood server to `ComfyClient`, with
/// this process's resident memory sampled every 20 ms.
enum PreviewStream {
    struct Result {
        var startMB: Double?
        /// One second into the stream, when the buffers along the way have grown to size.
        var warmMB: Double?
        var peakMB: Double?
        var endMB: Double?
        var frames: Int
        var growthMB: Double? {
            guard let startMB, let endMB else { return nil }
            return endMB - startMB
        }
    }

    static func run(seconds: Double) async throws -> Result {
        let server = try await FloodServer.start()
        // A type-1 preview (4-byte type, 4-byte format 1 = JPEG) of 1 MiB, bytes varied so
        // nothing along the way can share or compress them.
        var payload: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1]
        var x: UInt32 = 2_463_534_242
        for _ in 0..<(1 << 20) {
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            payload.append(UInt8(truncatingIfNeeded: x))
        }
        let frames = StreamFrames(repeating: payload)
        let count = max(1, Int(seconds * 30))

        let http = InstantHTTP()
        let configuration = ClientConfiguration(endpoint: try ServerEndpoint(server.baseURL), clientID: "comfyshbench")
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock(), http: http)
        await client.start()
        guard let connection = await server.nextConnection() else {
            await client.stop()
            await server.stop()
            throw StreamError("the client did not connect to the flood server")
        }
        await client.store.until { $0.connection.isOnline }
        let start = ResidentMemory.currentMB
        // Sampled rather than VmHWM, which counts everything the process did before.
        let peak = Mutex(start ?? 0)
        let warm = Mutex<Double?>(nil)
        let sampling = Atomic<Bool>(true)
        let sampler = Task.detached {
            let began = ContinuousClock.now
            while sampling.load(ordering: .relaxed) {
                if let now = ResidentMemory.currentMB {
                    peak.withLock { $0 = max($0, now) }
                    if ContinuousClock.now - began >= .seconds(1) { warm.withLock { if $0 == nil { $0 = now } } }
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        _ = try await connection.flood(FloodPlan(frames: frames, count: count, rate: 30))
        while client.store.state.queue.remaining != StreamFrames.sentinelRemaining {
            try await Task.sleep(for: .milliseconds(5))
        }
        let end = ResidentMemory.currentMB
        sampling.store(false, ordering: .relaxed)
        await sampler.value
        await client.stop()
        await server.stop()
        return Result(startMB: start, warmMB: warm.withLock { $0 }, peakMB: peak.withLock { $0 }, endMB: end, frames: count)
    }
}
