import ComfyCore
@testable import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// The page's actions, /view and /metrics over HTTP, against the simulator.
@Suite(.timeLimit(.minutes(2))) struct ActionTests {
    func post(_ demo: DemoDashboard, _ path: String, _ body: String = "") async throws -> JSONValue {
        let port = demo.dashboard.port
        let answer = try await RawHTTP.request(
            port: port, "POST", path, headers: [("Origin", "http://127.0.0.1:\(port)"), ("Content-Type", "application/json")],
            body: Array(body.utf8))
        return try JSONValue.parse(answer.text)
    }

    /// Submit, cancel, interrupt and clear say what the shell says: the submission's
    /// outcome in its words, and what the reducer logged for each request.
    @Test func actionsAnswerInTheShellsWords() async throws {
        // Steps of a second: the interrupt below must find the first prompt still running.
        // With 100 ms steps, a full `swift test` on a loaded machine sometimes let it end
        // between seeing it run and the interrupt's arrival ("no running prompt of ours").
        let demo = try await DemoDashboard.start(stepDelay: .seconds(1))
        let unknown = try await post(demo, "/api/cancel", #"{"prompt_id": "zzz"}"#)
        #expect(unknown["ok"] == false)
        #expect(unknown["messages"]?.arrayValue?.first?["text"] == "no prompt matches 'zzz'")
        let nothing = try await post(demo, "/api/interrupt")
        #expect(nothing["messages"]?.arrayValue?.first?["text"] == "no running prompt of ours to interrupt")

        let first = try await post(demo, "/api/submit?demo=1")
        let id = try #require(first["prompt_id"]?.stringValue)
        #expect(first["outcome"] == "accepted")
        #expect(first["message"]?.stringValue?.hasPrefix("submitted \(id) (5 nodes) as #") == true)
        // The next waits in our queue (one waiting per server beyond the one running, by default).
        let second = try await post(demo, "/api/submit?demo=1&front=1")
        let third = try await post(demo, "/api/submit?demo=1")
        let thirdID = try #require(third["prompt_id"]?.stringValue)
        #expect(third["outcome"] == "waiting")
        #expect(third["message"] == .string("\(thirdID) waits in our queue (no server can take it now; it is sent when one can)"))
        _ = second

        let cancelled = try await post(demo, "/api/cancel", #"{"prompt_id": "\#(thirdID.prefix(8))"}"#)
        #expect(cancelled["ok"] == true)
        #expect(cancelled["messages"]?.arrayValue?.first?["text"] == .string("prompt \(thirdID.prefix(8)) cancelled before it was sent"))
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .running }
        // Without an id: our running prompt. The answer waits for the server's (the command
        // passes through the fleet's hand-off to the client first).
        let interrupted = try await post(demo, "/api/interrupt")
        #expect(interrupted["ok"] == true)
        #expect(interrupted["messages"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == ["interrupt sent for \(id.prefix(8))"])
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .interrupted }
        // The second prompt starts meanwhile; only the clear's own line is its answer.
        let cleared = try await post(demo, "/api/clear")
        #expect(cleared["ok"] == true)
        let texts = cleared["messages"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
        #expect(texts.count == 1 && texts.first?.hasPrefix("queue cleared (") == true, "\(texts)")
        await demo.stop()
    }

    /// A file in the editor's format, as `run` and the shell take it: converted with the
    /// server's catalogue, run; a bad one is refused with the converter's sentence.
    @Test func anEditorWorkflowIsConvertedAndRuns() async throws {
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(1))
        await demo.fleet.store.until { $0.servers.contains { $0.capabilities?.catalog != nil } }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        let editor = try String(contentsOf: fixtures.appendingPathComponent("workflows/editor_progress_loop.json"), encoding: .utf8)
        let answer = try await post(demo, "/api/submit?name=editor_progress_loop.json", editor)
        #expect(answer["outcome"] == "accepted", "\(answer)")
        let id = try #require(answer["prompt_id"]?.stringValue)
        await demo.fleet.store.until { $0.queue.prompts[id]?.status.isTerminal == true }
        #expect(demo.fleet.store.state.queue.prompts[id]?.status == .succeeded)
        // The saved graph has a Note: left out, as the editor leaves it out.
        let ran = try #require(await demo.simulator.ranGraph(of: id))
        #expect(ran.objectValue?.map(\.key).sorted() == ["1", "2", "3"])
        var unknownClass = editor.replacingOccurrences(of: #""type": "TestProgressLoop""#, with: #""type": "NoSuchNode""#)
        if unknownClass == editor { unknownClass = editor.replacingOccurrences(of: #""type":"TestProgressLoop""#, with: #""type":"NoSuchNode""#) }
        let refused = try await post(demo, "/api/submit?name=bad.json", unknownClass)
        #expect(refused["ok"] == false)
        #expect(refused["error"]?.stringValue?.hasPrefix("bad.json: ") == true, "\(refused)")
        #expect(refused["error"]?.stringValue?.hasSuffix(": nothing was submitted") == true)
        await demo.stop()
    }

    /// Outputs reach the page through comfysh's /view: only files a prompt's outputs name.
    @Test func viewServesOnlyAPromptsOutputs() async throws {
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(1))
        let port = demo.dashboard.port
        let answer = try await post(demo, "/api/submit?demo=1")
        let id = try #require(answer["prompt_id"]?.stringValue)
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .succeeded && !($0.queue.prompts[id]?.outputs.isEmpty ?? true) }
        let record = try #require(demo.fleet.store.state.queue.prompts[id])
        let node = try #require(record.outputs.first { $0.value["images"] != nil }?.key)
        let image = try await RawHTTP.request(port: port, "GET", "/view?prompt=\(id)&node=\(node)&kind=images&index=0")
        #expect(image.status == 200)
        #expect(image.header("Content-Type") == "image/png")
        #expect(Array(image.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(try await RawHTTP.request(port: port, "GET", "/view?prompt=\(id)&node=\(node)&kind=images&index=9").status == 404)
        #expect(try await RawHTTP.request(port: port, "GET", "/view?prompt=nope&node=1&kind=images&index=0").status == 404)
        #expect(try await RawHTTP.request(port: port, "GET", "/view?filename=x.png").status == 400)
        await demo.stop()
    }

    /// /metrics, in Prometheus' text format: each server's queue depth, connection and
    /// reconnects; prompts by outcome; how long they took.
    @Test func metricsInPrometheusTextFormat() async throws {
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(1))
        let answer = try await post(demo, "/api/submit?demo=1")
        let id = try #require(answer["prompt_id"]?.stringValue)
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .succeeded }
        await demo.simulator.dropAllConnections()
        await demo.fleet.store.until { $0.connection.reconnects > 0 && $0.connection.phase == .connected }
        var text = ""
        for _ in 0..<100 {
            let metrics = try await RawHTTP.request(port: demo.dashboard.port, "GET", "/metrics")
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            text = metrics.text
            if text.contains(#"comfysh_server_up{server="demo"} 1"#), text.contains(#"comfysh_server_reconnects_total{server="demo"} 1"#) { break }
            await demo.fleet.store.until { _ in true }
        }
        for line in [
            #"comfysh_server_queue_depth{server="demo"} 0"#, #"comfysh_server_up{server="demo"} 1"#,
            #"comfysh_server_connection{server="demo",phase="connected"} 1"#, #"comfysh_server_connection{server="demo",phase="reconnecting"} 0"#,
            #"comfysh_server_breaker_open{server="demo"} 0"#, #"comfysh_server_reconnects_total{server="demo"} 1"#,
            #"comfysh_prompts_total{outcome="succeeded"} 1"#, #"comfysh_prompts_total{outcome="failed"} 0"#,
            #"comfysh_prompt_duration_seconds_count 1"#, "# TYPE comfysh_prompt_duration_seconds histogram",
        ] {
            #expect(text.contains(line), "\(line)\n\(text)")
        }
        #expect(text.contains(#"comfysh_prompt_duration_seconds_bucket{le="0.5"}"#))
        await demo.stop()
    }
}

/// The page the binary serves is the page in Sources/Dashboard/Page (embedded by SwiftPM).
@Suite struct PageAssetsTests {
    @Test func theEmbeddedPageIsTheFilesPage() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Dashboard/Page")
        for (file, embedded) in [("index.html", PageAssets.indexHTML), ("dashboard.css", PageAssets.dashboardCSS), ("dashboard.js", PageAssets.dashboardJS)] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(embedded == text, "\(file)")
        }
    }

    /// No framework, no CDN, nothing inline the CSP would block.
    @Test func thePageLoadsNothingFromElsewhere() {
        for text in [PageAssets.indexHTML, PageAssets.dashboardCSS, PageAssets.dashboardJS] {
            #expect(!text.contains("http://") && !text.contains("https://"))
        }
        #expect(!PageAssets.indexHTML.contains("<script>") && !PageAssets.indexHTML.contains("style="))
    }
}

/// The page and the shell tell the same facts from the same events of the core: what a
/// page is sent equals what `comfysh watch --json` prints for the same fleet (the core's
/// `ClientEvent`s; progress and previews are in the page's state and images instead), and
/// the page's texts are `watch`'s lines.
@Suite(.timeLimit(.minutes(2))) struct SameFactsTests {
    @Test func thePageIsToldWhatWatchPrints() async throws {
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(5))
        // What `watch` reads: the fleet's events.
        let events = demo.fleet.events()
        let watched = Task {
            var lines: [(JSONValue, String?)] = []
            for await event in events {
                if case .progress = event { continue }
                guard let json = event.json else { continue }
                lines.append((json, EventText.line(event, names: [:])))
                if case .finished(let record) = event, record.isSettled { break }
            }
            return lines
        }
        let page = PageEvents(port: demo.dashboard.port)
        await page.waitForSnapshot()
        let answer = try await RawHTTP.request(
            port: demo.dashboard.port, "POST", "/api/submit?demo=1", headers: [("Origin", "http://127.0.0.1:\(demo.dashboard.port)")])
        #expect(answer.status == 200)
        let expected = await watched.value
        let told = await page.events(until: { $0.count >= expected.count })
        #expect(told.map(\.0) == expected.map(\.0))
        // The texts: watch's lines (the page names the workflow: "demo").
        #expect(told.map { $0.1?.replacingOccurrences(of: #"([0-9a-f]{8}) demo:"#, with: "$1:", options: .regularExpression) } == expected.map(\.1))
        await page.stop()
        await demo.stop()
    }
}

/// A page's WebSocket, keeping the events it is told.
final class PageEvents: Sendable {
    private let box = FrameBox()
    private let task: Task<Void, Never>
    private let snapshot: AsyncStream<Void>

    init(port: Int) {
        let (snapshot, sink) = AsyncStream<Void>.makeStream()
        self.snapshot = snapshot
        let box = box
        task = Task {
            _ = try? await WSClientTransport().connect(
                url: "ws://127.0.0.1:\(port)/ws", headers: [], options: SocketOptions(maxFrameSize: 16 << 20, heartbeat: .seconds(30))
            ) { channel in
                for try await message in channel.inbound {
                    guard case .text(let text) = message else { continue }
                    box.append(text)
                    sink.yield()
                }
            }
            sink.finish()
        }
    }

    func waitForSnapshot() async { for await _ in snapshot { return } }

    /// The events of every frame so far (`event`, `text`), once `done` holds.
    func events(until done: ([(JSONValue, String?)]) -> Bool) async -> [(JSONValue, String?)] {
        var events: [(JSONValue, String?)] = []
        for await _ in snapshot {
            events = box.all.flatMap { text -> [(JSONValue, String?)] in
                guard let frame = try? JSONValue.parse(text) else { return [] }
                return (frame["events"]?.arrayValue ?? []).map { ($0["event"] ?? .null, $0["text"]?.stringValue) }
            }
            if done(events) { break }
        }
        return events
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}
