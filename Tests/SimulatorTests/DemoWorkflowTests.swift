import ComfySimulator
import ComfyCore
import Testing

/// The built-in sample graph, at the recorded pace (no `stepDelay`), as `comfysh --demo`
/// will run it.
@Suite(.timeLimit(.minutes(1))) struct DemoWorkflowTests {
    @Test func theDemoWorkflowRunsWithPreviewsAndProgressText() async throws {
        try await FaultTests.withSimulator(.init()) { simulator in
            let socket = TestSocket(
                url: simulator.webSocketURL(clientID: "demo"),
                sendOnOpen: ["{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}"])
            await socket.log.wait(forType: "feature_flags")
            let id = try await FaultTests.submit(simulator, ComfyUISimulator.demoWorkflow, clientID: "demo")
            await socket.log.wait { frames, _ in frames.last?.token == "executing(null)" }
            let tokens = await socket.log.tokens
            #expect(tokens.filter { $0.hasPrefix("progress(") }.count == 10)
            #expect(tokens.filter { $0 == "binary(4)" }.count == 10)
            #expect(tokens.filter { $0.hasPrefix("binary(3:2:step ") }.count == 10)
            #expect(tokens.filter { $0.hasPrefix("executing(") } == [
                "executing(1)", "executing(2)", "executing(5)", "executing(3)", "executing(4)", "executing(null)",
            ])
            #expect(await simulator.historyStatus(of: id) == "success")
            #expect(await simulator.outputs(of: id)?.objectValue?.map(\.key) == ["5", "4"])
            await socket.close()
        }
    }
}
