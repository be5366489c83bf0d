import ComfyLive
@testable import ComfyCore
import Testing

/// Whatever bytes arrive, the decoders return an action and the reducer a state: no
/// crash, no hang. Seeded, so a failure is reproducible.
@Suite struct PropertyTests {
    @Test func randomBytesNeverCrashTheDecoders() {
        var rng = SplitMix64(seed: 1)
        var state = AppState(logCapacity: 50)
        for i in 0..<20_000 {
            let count = Int(rng.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            state.apply(FrameDecoder.decode(utf8: bytes, at: Timestamp(seconds: Double(i))))
            state.apply(BinaryDecoder.decode(bytes, at: Timestamp(seconds: Double(i))))
        }
        #expect(state.log.total > 0)
    }

    @Test func randomJSONNeverCrashesTheDecoderOrTheReducer() {
        var rng = SplitMix64(seed: 2)
        var state = AppState(logCapacity: 50)
        let types = ["status", "progress", "progress_state", "executing", "executed", "execution_start", "execution_cached",
                     "execution_success", "execution_error", "execution_interrupted", "feature_flags", "logs", "other"]
        for i in 0..<20_000 {
            let type = types[Int(rng.next() % UInt64(types.count))]
            let data = randomValue(&rng, depth: 0, keys: ["prompt_id", "node", "nodes", "value", "max", "status", "exec_info",
                                                          "queue_remaining", "output", "entries", "sid", "state", "executed"])
            let frame = JSONValue.object(["type": .string(type), "data": data])
            state.apply(FrameDecoder.decode(text: JSONWriter.string(frame), at: Timestamp(seconds: Double(i))))
        }
        #expect(state.log.total > 0)
    }

    @Test func mutatedRecordedFramesNeverCrash() throws {
        let (texts, binaries) = try Fixture.incomingFrames()
        var rng = SplitMix64(seed: 3)
        var state = AppState(logCapacity: 50)
        for round in 0..<20 {
            for text in texts {
                var bytes = Array(text.utf8)
                for _ in 0..<(1 + Int(rng.next() % 3)) where !bytes.isEmpty {
                    let i = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: i)
                    default: bytes = Array(bytes.prefix(i))
                    }
                }
                state.apply(FrameDecoder.decode(utf8: bytes, at: Timestamp(seconds: Double(round))))
            }
            for frame in binaries {
                var bytes = frame
                let i = Int(rng.next() % UInt64(bytes.count))
                if rng.next() % 2 == 0 { bytes = Array(bytes.prefix(i)) } else { bytes[i] ^= 0xFF }
                state.apply(BinaryDecoder.decode(bytes, at: Timestamp(seconds: Double(round))))
            }
        }
        #expect(state.log.total > 0)
    }

    @Test func replayingTheSameActionsTwiceGivesTheSameState() throws {
        var rng = SplitMix64(seed: 4)
        // Interleave all transcripts' actions at random: an order no server produces.
        var pools = try Fixture.all.map { try Fixture.actions($0).map(\.action) }
        var mixed: [ComfyAction] = []
        while pools.contains(where: { !$0.isEmpty }) {
            let candidates = pools.indices.filter { !pools[$0].isEmpty }
            let k = candidates[Int(rng.next() % UInt64(candidates.count))]
            mixed.append(pools[k].removeFirst())
        }
        var a = AppState()
        var b = AppState()
        let commandsA = mixed.map { a.apply($0) }
        let commandsB = mixed.map { b.apply($0) }
        #expect(a == b)
        #expect(commandsA == commandsB)
        #expect(JSONWriter.string(a.json) == JSONWriter.string(b.json))
    }

    func randomValue(_ rng: inout SplitMix64, depth: Int, keys: [String]) -> JSONValue {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number([0, 1, -1, 2.5, 1e300, .nan, .infinity][Int(rng.next() % 7)])
        case 3: return .string(["1", "2", "p1", "", "running", "finished", "é"][Int(rng.next() % 7)])
        case 4: return .number(Double(rng.next() % 10))
        case 5:
            return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1, keys: keys) })
        default:
            return .object((0..<Int(rng.next() % 5)).map { _ in
                JSONField(keys[Int(rng.next() % UInt64(keys.count))], randomValue(&rng, depth: depth + 1, keys: keys))
            })
        }
    }
}
