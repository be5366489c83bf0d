import ComfySimulator
import ComfyCore
import Testing

/// Comparing a simulated run with its recording.
enum ScenarioChecks {
    /// Plays `name` against a fresh simulator (1 ms per step) and returns the result.
    static func play(_ name: String, holds: [Int: Int] = [:]) async throws -> (Recording, ScenarioRunner.Result) {
        let recording = try Recording(name)
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(1)))
        try await simulator.start()
        do {
            let result = try await ScenarioRunner(recording: recording, simulator: simulator, holds: holds).run()
            await simulator.stop()
            return (recording, result)
        } catch {
            await simulator.stop()
            throw error
        }
    }

    /// Every socket received exactly the recorded sequence.
    static func expectSameFrames(_ recording: Recording, _ result: ScenarioRunner.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        for (socket, expected) in recording.incoming.sorted(by: { $0.key < $1.key }) {
            #expect(result.received[socket] == expected, "socket \(socket)", sourceLocation: sourceLocation)
        }
    }

    /// The same, except that `status` broadcasts may sit elsewhere among the worker's
    /// messages (they race with it on the real server): the other frames must match in
    /// order, and the `status` frames in order among themselves.
    static func expectSameFramesAnyStatusPosition(_ recording: Recording, _ result: ScenarioRunner.Result) {
        for (socket, expected) in recording.incoming {
            let actual = result.received[socket] ?? []
            #expect(actual.filter { !$0.hasPrefix("status(") } == expected.filter { !$0.hasPrefix("status(") }, "socket \(socket)")
            #expect(actual.filter { $0.hasPrefix("status(") } == expected.filter { $0.hasPrefix("status(") }, "socket \(socket)")
        }
    }

    /// Every HTTP answer has the recorded status, and the parts of its body that do not
    /// depend on ids, times or the server's earlier history match.
    static func expectSameHTTP(_ result: ScenarioRunner.Result) {
        for exchange in result.exchanges where !exchange.path.hasPrefix("/api/jobs") {
            let where_ = "\(exchange.method) \(exchange.path)"
            #expect(exchange.reply.status == exchange.recordedStatus, "\(where_)")
            let recorded = exchange.recordedResponse
            let actual = exchange.reply.json ?? .null
            switch (exchange.method, exchange.recordedStatus) {
            case (_, 400):
                #expect(actual == recorded, "\(where_)")
            case ("POST", 200) where exchange.path.hasSuffix("/prompt"):
                #expect(actual["node_errors"] == recorded["node_errors"], "\(where_)")
            case ("GET", 200) where exchange.path.hasPrefix("/history/"):
                #expect(historySummary(actual) == historySummary(recorded), "\(where_)")
            case ("GET", 200) where exchange.path.hasPrefix("/queue"):
                #expect(queueIDs(actual) == queueIDs(recorded).map { $0.map { result.promptIDs[$0] ?? $0 } }, "\(where_)")
            case ("POST", 200), ("POST", _):
                #expect(exchange.reply.text == (recorded.stringValue ?? exchange.reply.text), "\(where_)")
            default:
                break
            }
        }
    }

    /// What a history entry says about the run, without ids and times.
    static func historySummary(_ json: JSONValue) -> [String] {
        (json.objectValue ?? []).flatMap { field -> [String] in
            let entry = field.value
            let status = entry["status"]
            let messages = (status?["messages"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.stringValue }
            return [
                "status_str=\(status?["status_str"]?.stringValue ?? "?")",
                "completed=\(status?["completed"]?.boolValue.map(String.init) ?? "?")",
                "messages=\(messages.joined(separator: ","))",
                "outputs=\((entry["outputs"]?.objectValue ?? []).map(\.key).joined(separator: ","))",
                "meta=\((entry["meta"]?.objectValue ?? []).map(\.key).joined(separator: ","))",
                "to_execute=\((entry["prompt"]?.arrayValue?.last?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))",
                "keys=\((entry.objectValue ?? []).map(\.key).joined(separator: ","))",
            ]
        }
    }

    /// `[running ids, pending ids]`, pending sorted by run order.
    static func queueIDs(_ json: JSONValue) -> [[String]] {
        ["queue_running", "queue_pending"].map { key in
            (json[key]?.arrayValue ?? []).compactMap { $0.arrayValue?[1].stringValue }
        }
    }
}
