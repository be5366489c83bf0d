import ComfyCore
@testable import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// Who may use the dashboard, and what it never gives away (issue 12, "Security").
@Suite(.timeLimit(.minutes(2))) struct SecurityTests {
    /// Anyone on the network could drive the servers: a non-loopback address without a
    /// token does not start, and says why.
    @Test func aNonLoopbackAddressWithoutATokenRefusesToStart() async throws {
        for listen in ["0.0.0.0:0", "192.0.2.10:8190", "[::]:0"] {
            let comfysh = try ComfyshProcess(["dashboard", "--listen", listen, "--server", "http://127.0.0.1:9"])
            #expect(await comfysh.status() == 2)
            let host = listen.hasPrefix("[") ? "::" : String(listen.split(separator: ":")[0])
            #expect(comfysh.stderr.contains("comfysh dashboard: refusing to listen on \(host): it is not a loopback address"), "\(comfysh.stderr)")
            #expect(comfysh.stderr.contains("--token (or $COMFYSH_DASHBOARD_TOKEN)"))
        }
        // An empty token is no token.
        let empty = try ComfyshProcess(["dashboard", "--listen", "0.0.0.0:0", "--token", ""])
        #expect(await empty.status() == 2)
        #expect(empty.stderr.contains("the dashboard token is empty"))
    }

    /// With a token, every request and the WebSocket need it: a wrong or missing one gets
    /// 401 and nothing else. Opening the page once with `?token=` sets a session cookie —
    /// not the token — and takes the token out of the address.
    @Test func aWrongOrMissingTokenGets401AndNothingElse() async throws {
        let comfysh = try ComfyshProcess(
            ["dashboard", "--demo", "--listen", "127.0.0.1:0"], environment: ["COMFYSH_DASHBOARD_TOKEN": "s3cret-token-value"])
        guard let port = await comfysh.dashboardPort() else {
            Issue.record("no dashboard: \(comfysh.stderr)")
            return
        }
        for (method, path) in [("GET", "/"), ("GET", "/dashboard.js"), ("GET", "/metrics"), ("GET", "/nope"), ("POST", "/api/clear"), ("GET", "/view?prompt=x&node=1&kind=images&index=0")] {
            for headers in [[], [("Authorization", "Bearer wrong")], [("Cookie", "comfysh_dashboard=s3cret-token-value")], [("Authorization", "Basic s3cret-token-value")]] {
                let answer = try await RawHTTP.request(port: port, method, path, headers: headers)
                #expect(answer.status == 401, "\(method) \(path) \(headers)")
                #expect(answer.body.isEmpty, "\(method) \(path): \(answer.text)")
            }
        }
        #expect(try await RawHTTP.request(port: port, "GET", "/?token=wrong").status == 401)
        // The WebSocket: refused without the token (Hummingbird answers a refused upgrade 400, empty).
        let refused = try await RawHTTP.upgrade(port: port, headers: [("Origin", "http://127.0.0.1:\(port)")])
        #expect(refused.status != 101)
        #expect(refused.body.isEmpty)

        // A script: the bearer token.
        let page = try await RawHTTP.request(port: port, "GET", "/", headers: [("Authorization", "Bearer s3cret-token-value")])
        #expect(page.status == 200)
        #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(!page.text.contains("s3cret-token-value"))

        // A person: ?token= once, then the cookie.
        let opened = try await RawHTTP.request(port: port, "GET", "/?token=s3cret-token-value")
        #expect(opened.status == 303)
        #expect(opened.header("Location") == "/")
        let cookie = try #require(opened.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        #expect(!cookie.contains("s3cret-token-value"))
        let session = String(cookie.split(separator: ";")[0])
        #expect(try await RawHTTP.request(port: port, "GET", "/dashboard.js", headers: [("Cookie", session)]).status == 200)
        let upgraded = try await RawHTTP.upgrade(port: port, headers: [("Cookie", session), ("Origin", "http://127.0.0.1:\(port)")])
        #expect(upgraded.status == 101)
        #expect(await comfysh.stop() == 0)
    }

    /// Another site's page cannot drive the dashboard: its WebSocket and its requests that
    /// change something are refused by their Origin, and a page that reaches 127.0.0.1
    /// under its own name (DNS rebinding) by its Host. Nothing is changed.
    @Test func anotherSitesPageIsRefused() async throws {
        let demo = try await DemoDashboard.start()
        let port = demo.dashboard.port
        let foreign = try await RawHTTP.upgrade(port: port, headers: [("Origin", "http://evil.example")])
        #expect(foreign.status != 101)
        let twoOrigins = try await RawHTTP.upgrade(port: port, headers: [("Origin", "ws://127.0.0.1"), ("Origin", "http://evil.example")])
        #expect(twoOrigins.status != 101)
        let own = try await RawHTTP.upgrade(port: port, headers: [("Origin", "http://127.0.0.1:\(port)")])
        #expect(own.status == 101)

        let before = demo.fleet.store.state.queue
        let post = try await RawHTTP.request(port: port, "POST", "/api/submit?demo=1", headers: [("Origin", "http://evil.example")])
        #expect(post.status == 403)
        #expect(post.text.contains("cross-origin request refused"))
        let rebinding = try await RawHTTP.request(port: port, "GET", "/", host: "evil.example:\(port)")
        #expect(rebinding.status == 403)
        let rebindingSocket = try await RawHTTP.upgrade(port: port, headers: [("Origin", "http://evil.example:\(port)")])
        #expect(rebindingSocket.status != 101)
        #expect(demo.fleet.store.state.queue == before)
        await demo.stop()
    }

    /// An unknown route, an upload past `max_upload_size`, a file that is not a workflow:
    /// a sentence, and nothing submitted.
    @Test func badRequestsGetAClearErrorAndChangeNothing() async throws {
        let demo = try await DemoDashboard.start(configuration: DashboardConfiguration(port: 0, demo: true))
        let port = demo.dashboard.port
        let origin = ("Origin", "http://127.0.0.1:\(port)")
        let unknown = try await RawHTTP.request(port: port, "GET", "/nope")
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("no such page: GET /nope"))

        let notJSON = try await RawHTTP.request(port: port, "POST", "/api/submit?name=notes.txt", headers: [origin], body: Array("hello".utf8))
        #expect(notJSON.status == 400)
        #expect(notJSON.text.contains("notes.txt: not JSON"))
        let editor = try await RawHTTP.request(
            port: port, "POST", "/api/submit?name=ui.json", headers: [origin], body: Array(#"{"nodes": [], "links": []}"#.utf8))
        #expect(editor.status == 400)
        // Either format is taken; an editor file with nothing in it is still nothing.
        #expect(editor.text == #"{"ok":false,"error":"ui.json: the workflow has no nodes: nothing was submitted"}"#)
        // The limit is the server's: the simulator says max_upload_size = 100 MiB, as ComfyUI does.
        #expect(Dashboard.maxUpload(demo.fleet.store.state, fallback: 1) == 104_857_600)
        #expect(demo.fleet.store.state.queue.prompts.isEmpty)
        await demo.stop()
    }

    /// An upload larger than the limit is refused: by its length, or as it is read when it
    /// said none in advance.
    @Test func anUploadLargerThanTheLimitIsRefused() async throws {
        // A server that has not said its limit: the dashboard's own (here 1 KiB).
        let fleet = ComfyFleet(servers: [try ServerSettings(url: "http://127.0.0.1:9").configuration()], clock: ContinuousClock())
        let dashboard = Dashboard(fleet: fleet, configuration: DashboardConfiguration(port: 0, defaultMaxUpload: 1024))
        try await dashboard.start()
        let body = Array(JSONWriter.string(ComfyUISimulator.demoWorkflow).utf8)
        let big = body + Array(repeating: UInt8(ascii: " "), count: 4096)
        let origin = ("Origin", "http://127.0.0.1:\(dashboard.port)")
        let said = try await RawHTTP.request(port: dashboard.port, "POST", "/api/submit?name=big.json", headers: [origin], body: big)
        #expect(said.status == 413)
        #expect(said.text.contains("larger than the server's max_upload_size (1024 bytes): nothing was submitted"))
        let streamed = try await RawHTTP.request(
            port: dashboard.port, "POST", "/api/submit", headers: [origin, ("Transfer-Encoding", "chunked")],
            body: Array(String(big.count, radix: 16).utf8) + [13, 10] + big + [13, 10] + Array("0\r\n\r\n".utf8))
        #expect(streamed.status == 413)
        #expect(fleet.store.state.queue.prompts.isEmpty)
        await dashboard.stop()
        await fleet.stop()
    }

    /// The headers and token given for ComfyUI never reach the page: not in its files, not
    /// in the state it is sent — though the server received them.
    @Test func theServersHeadersAndTokenNeverReachThePage() async throws {
        let simulator = ComfyUISimulator()
        try await simulator.start()
        await simulator.setRecordingHeaders(["x-planted", "authorization"])
        let comfysh = try ComfyshProcess(
            ["dashboard", "--listen", "127.0.0.1:0", "--server", simulator.baseURL, "--header", "X-Planted: planted-header-secret"],
            environment: ["COMFY_TOKEN": "planted-token-secret"])
        guard let port = await comfysh.dashboardPort() else {
            Issue.record("no dashboard: \(comfysh.stderr)")
            return
        }
        var texts: [String] = []
        for path in ["/", "/dashboard.js", "/dashboard.css", "/metrics"] {
            texts.append(try await RawHTTP.request(port: port, "GET", path).text)
        }
        // The state, as the page gets it (once the server is connected).
        let received = await firstFrames(port: port, until: { $0.contains(#""phase":"connected""#) })
        texts += received
        #expect(received.contains { $0.contains(#""phase":"connected""#) })
        for text in texts {
            #expect(!text.contains("planted-header-secret"))
            #expect(!text.contains("planted-token-secret"))
        }
        let seen = await simulator.receivedHeaders
        #expect(seen.contains { $0.value.contains("planted-header-secret") })
        #expect(seen.contains { $0.value.contains("planted-token-secret") })
        #expect(await comfysh.stop() == 0)
        await simulator.stop()
    }

    /// The page's WebSocket frames (text), until one satisfies `done` or 15 s pass.
    func firstFrames(port: Int, until done: @escaping @Sendable (String) -> Bool) async -> [String] {
        let frames = FrameBox()
        _ = try? await WSClientTransport().connect(
            url: "ws://127.0.0.1:\(port)/ws", headers: [], options: SocketOptions(maxFrameSize: 16 << 20, heartbeat: .seconds(30))
        ) { channel in
            let deadline = ContinuousClock().now + .seconds(15)
            for try await message in channel.inbound {
                if case .text(let text) = message {
                    frames.append(text)
                    if done(text) { break }
                }
                if ContinuousClock().now > deadline { break }
            }
            await channel.close(code: 1000, reason: "")
        }
        return frames.all
    }
}

final class FrameBox: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [String] = []
    func append(_ text: String) { lock.withLock { frames.append(text) } }
    var all: [String] { lock.withLock { frames } }
}
