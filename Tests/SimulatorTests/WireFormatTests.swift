import Foundation
import ComfyCore
import Testing

/// The simulator writes what the real server writes, byte for byte: Python's JSON
/// separators, key order, `0.0` versus `0`, the binary layouts. Checked frame by frame
/// against the recordings, with ids, timestamps and file counters blanked out.
@Suite(.timeLimit(.minutes(1))) struct WireFormatTests {
    @Test(arguments: [
        ("connect_idle", [Int: Int]()), ("success_progress", [:]), ("success_progress_legacy", [:]), ("cached_rerun", [:]),
        ("execution_error", [:]), ("interrupt", [2: 2]), ("reconnect_midrun", [2: 2, 3: 4]), ("history", [:]),
        ("invalid_prompt", [:]),
    ])
    func textFramesMatchTheRecording(name: String, holds: [Int: Int]) async throws {
        let (recording, result) = try await ScenarioChecks.play(name, holds: holds)
        for (socket, recorded) in recording.incomingFrames {
            let actual = result.frames[socket] ?? []
            try #require(actual.count == recorded.count, "socket \(socket)")
            for (expected, got) in zip(recorded, actual) {
                switch (expected.kind, got.kind) {
                case (.text(let a), .text(let b)):
                    let normalize = expected.type == "execution_error" ? Normalizer.normalizeError : Normalizer.normalize
                    #expect(normalize(b) == normalize(a), "socket \(socket)")
                case (.binary(let a), .binary(let b)):
                    #expect(binaryHeader(b) == binaryHeader(a), "socket \(socket)")
                default:
                    Issue.record("socket \(socket): \(expected.token) versus \(got.token)")
                }
            }
        }
    }

    /// History entries (as JSON; the fixture keeps them parsed) match the recorded ones.
    @Test(arguments: [("execution_error", [Int: Int]()), ("interrupt", [2: 2]), ("reconnect_midrun", [2: 2, 3: 4]), ("history", [:])])
    func historyEntriesMatchTheRecording(name: String, holds: [Int: Int]) async throws {
        let (_, result) = try await ScenarioChecks.play(name, holds: holds)
        let entries = result.exchanges.filter { $0.method == "GET" && $0.path.hasPrefix("/history/") }
        #expect(!entries.isEmpty)
        for exchange in entries {
            var recorded = Normalizer.normalize(JSONWriter.string(exchange.recordedResponse))
            var actual = Normalizer.normalize(exchange.reply.json.map { JSONWriter.string($0) } ?? "")
            if name == "execution_error" {
                // The failed node's inputs are a tensor printout on the server.
                recorded = recorded.replacingOccurrences(of: "\"image\":\\[\"tensor[^\"]*\"\\]", with: "", options: .regularExpression)
                actual = actual.replacingOccurrences(of: "\"image\":\\[\"tensor[^\"]*\"\\]", with: "", options: .regularExpression)
                recorded = recorded.replacingOccurrences(of: "\"current_outputs\":\\[[^]]*\\]", with: "", options: .regularExpression)
                actual = actual.replacingOccurrences(of: "\"current_outputs\":\\[[^]]*\\]", with: "", options: .regularExpression)
            }
            #expect(actual == recorded)
        }
    }

    /// Type and, for previews with metadata, the metadata JSON; for progress text, all.
    private func binaryHeader(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 8 else { return "short" }
        let type = Int(bytes[3])
        switch type {
        case 4:
            let length = Int(bytes[4]) << 24 | Int(bytes[5]) << 16 | Int(bytes[6]) << 8 | Int(bytes[7])
            guard bytes.count >= 8 + length else { return "4: truncated" }
            let metadata = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            let image = Array(bytes[(8 + length)...].prefix(3))
            return "4: \(Normalizer.normalize(metadata)) \(image)"
        case 1:
            return "1: \(Array(bytes[4..<11]))"
        default:
            return "\(type): \(bytes)"
        }
    }
}
