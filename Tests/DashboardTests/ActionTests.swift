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
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(100))
        let unknown = try await post(demo, "/api/cancel", #"{"prompt_id": "zzz"}"#)
        #expect(unknown["ok"] == false)
        #expect(unknown["messages"]?.arrayValue?.first?["text"] == "no prompt matches 'zzz'")
        let nothing = try await post(demo, "/api/interrupt")
        #expect(nothing["messages"]?.arrayValue?.first?["text"] == "no running prompt of ours to interrupt")

        let first = try await post(demo, "/api/submit?demo=1")
        let id = try #require(first["prompt_id"]?.stringValue)
        #expect(first["outcome"] == "accepted")
        #expect(first["message"]?.stringValue?.hasPrefix("submitted \(id) (5 nodes) as #") == true)
        // The next waits in comfysh's queue (one waiting per server beyond the one running, by default).
        let second = try await post(demo, "/api/submit?demo=1&front=1")
        let third = try await post(demo, "/api/submit?demo=1")
        let thirdID = try #require(third["prompt_id"]?.stringValue)
        #expect(third["outcome"] == "waiting")
        #expect(third["message"] == .string("\(thirdID) waits in comfysh's queue until a server has room"))
        _ = second

        let cancelled = try await post(demo, "/api/cancel", #"{"prompt_id": "\#(thirdID.prefix(8))"}"#)
        #expect(cancelled["ok"] == true)
        #expect(cancelled["messages"]?.arrayValue?.first?["text"] == .string("prompt \(thirdID.prefix(8)) cancelled before it was sent"))
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .running }
        let interrupted = try await post(demo, "/api/interrupt", #"{"prompt_id": "\#(id)"}"#)
        #expect(interrupted["ok"] == true)
        await demo.fleet.store.until { $0.queue.prompts[id]?.status == .interrupted }
        let cleared = try await post(demo, "/api/clear")
        #expect(cleared["ok"] == true)
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

/// The page the binary serves is the page in Sources/Dashboard/Page (scripts/embed-page.sh).
@Suite struct PageAssetsTests {
    @Test func theEmbeddedPageIsTheFilesPage() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Dashboard/Page")
        for (file, embedded) in [("index.html", PageAssets.indexHTML), ("dashboard.css", PageAssets.dashboardCSS), ("dashboard.js", PageAssets.dashboardJS)] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(embedded + "\n" == text, "\(file) changed: run scripts/embed-page.sh")
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
