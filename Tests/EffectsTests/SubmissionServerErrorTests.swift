import Clocks
import ComfyLive
import ComfyCore
import Testing

/// A 5xx on `POST /prompt` says the server (or a proxy) failed, not whether the prompt was
/// queued: the client asks by its own prompt id before calling it refused. And a secure
/// endpoint is dialled over `wss` only.
@Suite(.timeLimit(.minutes(1))) struct SubmissionServerErrorTests {
    let policy = ClientPolicyTests()
    var me: String { policy.me }
    var pid: String { policy.pid }

    func submit(_ client: ComfyClient) async {
        await client.request(.submit(promptID: pid, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me),
                                     body: .object(["prompt_id": .string(pid)]), front: false))
    }

    @Test func a5xxForAPromptTheServerHoldsIsFollowedNotRefused() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try policy.makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        _ = await policy.connect(&attempts, client)
        // A gateway timeout after ComfyUI took the prompt: the queue lists it.
        let (me, pid) = (me, pid)
        http.set { method, route, body in
            switch (method, route) {
            case ("POST", "/prompt"): (504, .string("<html>Gateway Time-out</html>"))
            case ("GET", "/queue"):
                (200, .object(["queue_running": [[4, .string(pid), .object([JSONField]()), .object(["client_id": .string(me)]), []]], "queue_pending": []]))
            default: FakeHTTP.emptyServer(method, route, body)
            }
        }
        await submit(client)
        await client.store.until { $0.queue.prompts[pid]?.accepted == true }
        let state = client.store.state
        #expect(state.queue.prompts[pid]?.status == .running)
        #expect(state.queue.prompts[pid]?.number == 4)
        #expect(state.queue.rejected.isEmpty)
        #expect(http.routes.suffix(2) == ["POST /prompt", "GET /queue"])
        await client.stop()
    }

    @Test func a5xxForAPromptTheServerDoesNotHoldIsRecordedAsRefused() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try policy.makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        _ = await policy.connect(&attempts, client)
        http.set { method, route, body in
            method == "POST" && route == "/prompt"
                ? (500, .string("500 Internal Server Error\n\nServer got itself in trouble")) : FakeHTTP.emptyServer(method, route, body)
        }
        await submit(client)
        await client.store.until { !$0.queue.rejected.isEmpty }
        let state = client.store.state
        let rejection = try #require(state.queue.rejected.first)
        #expect(rejection.promptID == pid && rejection.status == 500 && rejection.type == "http_500")
        #expect(rejection.message == "500 Internal Server Error\n\nServer got itself in trouble")
        #expect(state.queue.prompts[pid] == nil)
        // Asked first (queue, then history), and not posted again.
        #expect(http.routes.suffix(3) == ["POST /prompt", "GET /queue", "GET /history/\(pid)"])
        await client.stop()
    }

    @Test func aSecureEndpointIsDialledOverWSSOnly() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint("https://comfy.example:8443/base"), clientID: me)
        configuration.extraCAFile = "/etc/comfy-ca.pem"
        let client = ComfyClient(configuration: configuration, clock: clock, transport: transport, http: http, random: { 1 })
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let first = await attempts.next()!
        #expect(first.url == "wss://comfy.example:8443/base/ws?clientId=\(me)")
        #expect(first.options.extraCAFile == "/etc/comfy-ca.pem")
        first.fail(FakeError.upgradeFailed)
        // The retry is `wss` again: never a plain `ws` fallback.
        await client.store.until { if case .reconnecting = $0.connection.phase { true } else { false } }
        await clock.untilSuspended()
        await clock.advance(by: .seconds(2))
        let second = await attempts.next()!
        #expect(second.url == first.url)
        await client.stop()
    }
}
