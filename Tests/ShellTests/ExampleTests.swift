import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// `Examples/MiniWatch` — the code of the article "A front end in 50 lines" — runs against
/// the simulator and tells a prompt's life; the article shows exactly that code.
@Suite(.timeLimit(.minutes(1))) struct ExampleTests {
    @Test func theMiniWatcherFollowsAPromptToItsEnd() async throws {
        let folder = try TestFolder()
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(10)))
        try await simulator.start()
        let watcher = try Subprocess([simulator.baseURL, "1"], environment: folder.environment, program: "miniwatch")
        await simulator.waitForConnectionCount(1)
        let other = AsyncHTTPComfyHTTP(endpoint: try ServerEndpoint(simulator.baseURL))
        let id = Workflow.newPromptID()
        let body = JSONValue.object([JSONField("prompt", LiveWorkflow.graph(steps: 2)), JSONField("prompt_id", .string(id))])
        #expect(await other.send(.submit(body: body), timeout: .seconds(10)).status == 200)
        await other.shutdown()
        let (lines, status) = await watcher.finish()
        await simulator.stop()
        #expect(status == 0)
        let short = String(id.prefix(8))
        #expect(lines.first == "watching \(simulator.baseURL)")
        #expect(lines.contains("\(short) running (observed)"))
        #expect(lines.contains { $0.hasPrefix("\(short) ") && $0.hasSuffix("%") })
        #expect(lines.last == "\(short) succeeded with 1 output node(s)")
    }

    @Test func theArticleShowsTheExampleAsItIs() throws {
        let root = Subprocess.root
        let example = try String(contentsOf: root.appendingPathComponent("Examples/MiniWatch/main.swift"), encoding: .utf8)
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/Store/ComfyCore.docc/AFrontEndIn50Lines.md"), encoding: .utf8)
        let code = try #require(article.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
        #expect(code == example)
    }
}
