import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// `comfysh watch` on a shared server: prompts another program submits — one without a
/// client id, one under another client's id — appear with their final status (issue 10,
/// "Observers see everything that passes through the server").
@Suite(.timeLimit(.minutes(1))) struct WatchObserverTests {
    @Test func everyPromptThatPassesThroughTheServerIsReportedWithItsOutcome() async throws {
        let folder = try TestFolder()
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(20)))
        try await simulator.start()
        let watch = try Subprocess(["watch", "--server", simulator.baseURL], environment: folder.environment)
        var lines = watch.lines.makeAsyncIterator()
        // Ready (connected, resynced, and the server's queue numbers known) once it says so.
        #expect(await lines.next() == "· watching \(simulator.baseURL) (Ctrl-C to stop)")
        // Another program, over plain HTTP, with no socket of its own.
        let other = AsyncHTTPComfyHTTP(endpoint: try ServerEndpoint(simulator.baseURL))
        let graph = LiveWorkflow.graph(steps: 3)
        let anonymous = Workflow.newPromptID()
        let foreign = Workflow.newPromptID()
        for (id, clientID) in [(anonymous, nil), (foreign, "someoneelse0000000000000000000001")] as [(String, String?)] {
            var body: [JSONField] = [JSONField("prompt", graph), JSONField("prompt_id", .string(id))]
            if let clientID { body.append(JSONField("client_id", .string(clientID))) }
            let answer = await other.send(.submit(body: .object(body)), timeout: .seconds(10))
            #expect(answer.status == 200)
        }
        await other.shutdown()
        var succeeded: Set<String> = []
        let wanted = Set([anonymous, foreign].map { String($0.prefix(8)) })
        while succeeded != wanted, let line = await lines.next() {
            if line.hasPrefix("✔ "), line.hasSuffix(": succeeded") { succeeded.insert(String(line.dropFirst(2).prefix(8))) }
        }
        watch.process.interrupt()
        #expect(await watch.status() == 0)
        await simulator.stop()
        #expect(succeeded == wanted)
    }
}

/// A small graph the simulator runs without model files.
enum LiveWorkflow {
    static func graph(steps: Int) -> JSONValue {
        .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])]),
            "2": .object(["class_type": "TestProgressLoop", "inputs": .object([
                "image": ["1", 0], "steps": .number(Double(steps)), "delay": 0.01, "preview": true, "preview_size": 16,
                "progress_text": false, "seed": .number(Double.random(in: 0..<1e9).rounded()),
            ])]),
            "3": .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "comfy_test/observed"])]),
        ])
    }
}
