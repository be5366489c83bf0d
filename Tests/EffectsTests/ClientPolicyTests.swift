import Clocks
import ComfyLive
import ComfyCore
import Synchronization
import Testing

/// The connection policies of `ComfyClient`, on a test clock with a scripted socket and
/// HTTP server: nothing waits for real time.
@Suite(.timeLimit(.minutes(1))) struct ClientPolicyTests {
    let me = "0123456789abcdef0123456789abcdef"
    let pid = "aaaaaaaa-0000-4000-8000-000000000001"

    func makeClient(
        _ transport: FakeTransport, _ http: FakeHTTP, _ clock: TestClock<Duration>, random: Double = 1,
        configure: (inout ClientConfiguration) -> Void = { _ in }
    ) throws -> ComfyClient {
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint("http://127.0.0.1:8188"), clientID: me)
        // No grace timer: these tests step the clock by hand and count what sleeps on it.
        configuration.lostAfter = nil
        configure(&configuration)
        return ComfyClient(configuration: configuration, clock: clock, transport: transport, http: http, random: { random })
    }

    func status(_ n: Int, sid: String? = nil) -> String {
        let s = sid.map { #", "sid": "\#($0)""# } ?? ""
        return #"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": \#(n)}}\#(s)}}"#
    }

    /// Opens the next attempt and waits until the client is online (resync applied).
    func connect(_ attempts: inout AsyncStream<FakeTransport.Attempt>.AsyncIterator, _ client: ComfyClient) async -> FakeChannel {
        let channel = await attempts.next()!.open()
        channel.push(status(0, sid: me))
        await client.store.until { $0.connection.isOnline && $0.connection.sessionID != nil }
        return channel
    }

    @Test func theFirstFrameIsFeatureFlagsThenAResyncThenACleanClose() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let attempt = await attempts.next()!
        #expect(attempt.url == "ws://127.0.0.1:8188/ws?clientId=\(me)")
        #expect(attempt.options.maxFrameSize == 64 << 20)
        #expect(attempt.options.heartbeat == .seconds(10))
        let channel = attempt.open()
        channel.push(status(0, sid: me))
        await client.store.until { $0.connection.isOnline && $0.connection.sessionID == me }
        #expect(channel.sent.withLock { $0 } == [#"{"type":"feature_flags","data":{"supports_preview_metadata":true}}"#])
        await client.commandsDone()
        // The resync; what the server is and can run; then, its queue being empty, how far
        // its numbers have gone.
        #expect(http.routes == ["GET /queue", "GET /system_stats", "GET /object_info", "GET /history?max_items=1"])
        #expect(client.store.state.connection.clientFeatures == .object(["supports_preview_metadata": true]))
        await client.stop()
        #expect(channel.closedWith.withLock { $0 } == 1000)
        let state = client.store.state.connection
        #expect(state.phase == .disconnected(reason: .closedByClient("closed by the client")))
        #expect(state.lastClose?.byClient == true)
        #expect(transport.attemptCount == 1)
    }

    @Test func failuresBackOffExponentiallyUpToTheCap() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        // random 1: each delay is its ceiling. The breaker is kept out of the way.
        let client = try makeClient(transport, http, clock) { $0.breaker.threshold = 100 }
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        var delays: [Double] = []
        for n in 1...8 {
            await attempts.next()!.fail()
            await client.store.until {
                if case .reconnecting(let attempt, _) = $0.connection.phase { return attempt == n }
                return false
            }
            guard case .reconnecting(_, let next) = client.store.state.connection.phase else { return }
            let delay = next - (await client.now)
            delays.append(delay)
            await clock.untilSuspended()
            await clock.advance(by: .seconds(delay))
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30, 30])
        #expect(client.store.state.connection.reconnects == 8)
        _ = await attempts.next()  // the ninth attempt came only after the last wait
        #expect(transport.attemptCount == 9)
        await client.stop()
    }

    @Test func jitterSpreadsTheDelayBelowTheCeiling() {
        let backoff = Backoff()
        #expect(backoff.delay(failures: 3, unit: 0.25) == .seconds(1))
        #expect(backoff.delay(failures: 0, unit: 0.9) == .zero)
        #expect(backoff.ceiling(failures: 100) == .seconds(30))
        #expect(Backoff(initial: .milliseconds(200), maximum: .seconds(1)).ceiling(failures: 3) == .milliseconds(800))
    }

    @Test func theBreakerOpensCoolsDownAndProbesBeforeClosing() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        http.set { method, route, body in route == "/system_stats" ? (503, .string("busy")) : FakeHTTP.emptyServer(method, route, body) }
        let client = try makeClient(transport, http, clock) {
            $0.breaker = .init(threshold: 3, coolDown: .seconds(60))
        }
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        for delay in [1.0, 2.0] {
            await attempts.next()!.fail()
            await clock.untilSuspended()
            await clock.advance(by: .seconds(delay))
        }
        await attempts.next()!.fail()
        await client.store.until { $0.connection.breaker == .open }
        #expect(client.store.state.connection.breakerFailures == 3)
        #expect(client.store.state.connection.breakerOpenUntil == Timestamp(seconds: 3 + 60))
        // Cool-down over: the half-open probe fails, so it opens again; no socket attempt.
        await clock.untilSuspended()
        await clock.advance(by: .seconds(60))
        await client.store.until { $0.connection.breakerOpenUntil == Timestamp(seconds: 123) }
        #expect(transport.attemptCount == 3)
        // The next probe succeeds: closed, and the client connects.
        http.set(FakeHTTP.emptyServer)
        await clock.untilSuspended()
        await clock.advance(by: .seconds(60))
        _ = await connect(&attempts, client)
        #expect(client.store.state.connection.breaker == .closed)
        #expect(http.routes.filter { $0 == "GET /system_stats" }.count == 2)
        #expect(transport.attemptCount == 4)
        await client.stop()
    }

    @Test func aForbiddenServerStopsTheReconnectsAtOnce() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        http.set { _, route, _ in route == "/prompt" ? (403, .string("Forbidden")) : nil }
        let client = try makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        await attempts.next()!.fail(FakeError.upgradeFailed)
        await client.store.until { if case .failed = $0.connection.phase { true } else { false } }
        guard case .failed(let reason) = client.store.state.connection.phase else { return }
        #expect(reason == .credentialsRefused(status: 403, retryAfterSeconds: nil))
        #expect(reason.description.contains("Not reconnecting"))
        await clock.advance(by: .seconds(3600))
        #expect(transport.attemptCount == 1)
        #expect(client.store.state.connection.reconnects == 0)
        await client.stop()
    }

    @Test func aCleanCloseByTheServerReconnectsPromptly() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let channel = await connect(&attempts, client)
        await clock.advance(by: .seconds(2))  // a healthy connection
        channel.serverEnds(code: 1001)
        let second = await attempts.next()!  // no clock advance needed
        #expect(client.store.state.connection.lastClose?.code == 1001)
        #expect(client.store.state.connection.reconnects == 1)
        second.open().push(status(0, sid: me))
        await client.store.until { $0.connection.isOnline && $0.connection.connects == 2 }
        await client.stop()
    }

    @Test func aDropBacksOffWithJitter() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try makeClient(transport, http, clock, random: 0.5)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let channel = await connect(&attempts, client)
        await clock.advance(by: .seconds(2))
        channel.serverEnds(code: nil)
        await client.store.until { if case .reconnecting = $0.connection.phase { true } else { false } }
        let state = client.store.state.connection
        #expect(state.phase == .reconnecting(attempt: 1, nextTryAt: Timestamp(seconds: 2.5)))
        #expect(state.lastClose?.reason.hasPrefix("connection lost without a close frame") == true)
        #expect(state.quality == .offline)
        await clock.untilSuspended()
        await clock.advance(by: .milliseconds(500))
        _ = await attempts.next()
        await client.stop()
    }

    /// A server whose sockets drop every half second, each connection resynced first: it
    /// works, so its drops never add up. Counted as failures (under a second each), the
    /// fifth opened the breaker, and a fleet took the server for lost and ran its jobs
    /// elsewhere while it ran them too (`comfysh-bench chaos --fleet`).
    @Test func shortConnectionsThatResyncedNeverOpenTheBreaker() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        // random 1: each delay is its ceiling; the breaker at its default (5 in a row).
        let client = try makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        for n in 1...8 {
            let channel = await connect(&attempts, client)
            await clock.advance(by: .milliseconds(500))
            channel.serverEnds(code: nil)
            await client.store.until { if case .reconnecting = $0.connection.phase { true } else { false } }
            let state = client.store.state.connection
            // One failure (this drop) after the success: the first step of the backoff.
            #expect(state.phase == .reconnecting(attempt: 1, nextTryAt: Timestamp(seconds: Double(n) * 1.5)))
            #expect(state.breaker == .closed)
            await clock.untilSuspended()
            await clock.advance(by: .seconds(1))
        }
        _ = await connect(&attempts, client)
        #expect(client.store.state.connection.breaker == .closed)
        #expect(transport.attemptCount == 9)
        await client.stop()
    }

    @Test func submissionsWaitInOurQueueUntilTheServerIsOnline() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        http.set { method, route, body in
            if method == "POST", route == "/prompt" { return (200, .object(["prompt_id": .string(self.pid), "number": 1, "node_errors": .object([JSONField]())])) }
            return FakeHTTP.emptyServer(method, route, body)
        }
        let client = try makeClient(transport, http, clock)
        let body: JSONValue = .object(["prompt": .object(["1": .object(["class_type": "EmptyImage"])]), "prompt_id": .string(pid)])
        await client.request(.submit(promptID: pid, graph: SubmittedGraph(nodes: [("1", "EmptyImage")], clientID: me), body: body, front: false))
        #expect(client.store.state.queue.waitingIDs == [pid])
        #expect(http.routes.isEmpty)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        _ = await connect(&attempts, client)
        await client.store.until { $0.queue.prompts[self.pid]?.accepted == true }
        await client.commandsDone()
        // Sent once the server is resynced (it was never on it: no history to ask).
        #expect(http.routes == ["GET /queue", "GET /system_stats", "GET /object_info", "GET /history?max_items=1", "POST /prompt"])
        #expect(client.store.state.connection.outbox.isEmpty)
        await client.stop()
    }

    @Test func aSubmitRetriedAcrossADropIsNotEnqueuedTwice() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try makeClient(transport, http, clock, random: 0)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let channel = await connect(&attempts, client)
        // The POST reaches the server, but its answer is lost.
        http.set { method, route, body in method == "POST" ? nil : FakeHTTP.emptyServer(method, route, body) }
        let body: JSONValue = .object(["prompt_id": .string(pid)])
        await client.request(.submit(promptID: pid, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me), body: body, front: false))
        await client.store.until { !$0.connection.outbox.isEmpty }
        await clock.advance(by: .seconds(2))
        channel.serverEnds(code: nil)
        // Back: the server lists the prompt as pending.
        http.set { method, route, body in
            if route == "/queue", method == "GET" {
                return (200, .object(["queue_running": [], "queue_pending": [[7, .string(self.pid), .object([JSONField]()), .object(["client_id": .string(self.me)]), []]]]))
            }
            return FakeHTTP.emptyServer(method, route, body)
        }
        _ = await connect(&attempts, client)
        await client.store.until { $0.queue.prompts[self.pid]?.accepted == true }
        #expect(http.routes.filter { $0 == "POST /prompt" }.count == 1)
        #expect(client.store.state.queue.prompts[pid]?.number == 7)
        #expect(client.store.state.connection.outbox.isEmpty)
        await client.stop()
    }

    @Test func aSilentSocketWhileOurPromptRunsIsProbedAndReplaced() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let client = try makeClient(transport, http, clock)
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let channel = await connect(&attempts, client)
        // While it runs, the server's queue lists it (the status frame asks for the queue).
        http.set { method, route, body in
            if route == "/queue" {
                return (200, .object(["queue_running": [[1, .string(self.pid), .object([JSONField]()), .object(["client_id": .string(self.me)]), []]], "queue_pending": []]))
            }
            return FakeHTTP.emptyServer(method, route, body)
        }
        channel.push(status(1))
        channel.push(#"{"type": "execution_start", "data": {"prompt_id": "\#(pid)", "timestamp": 1}}"#)
        await client.store.until { $0.queue.prompts[self.pid]?.status == .running }
        await client.commandsDone()  // the queue asked for by the status frame has answered
        // The socket goes silent (ComfyUI #16010); meanwhile the prompt finished.
        http.set { method, route, body in
            if route == "/history/\(self.pid)" {
                return (200, .object([JSONField(self.pid, .object([
                    "prompt": [1, .string(self.pid), .object([JSONField]()), .object(["client_id": .string(self.me)]), []],
                    "outputs": .object([JSONField]()),
                    "status": .object(["status_str": "success", "completed": true, "messages": []]),
                ]))]))
            }
            return FakeHTTP.emptyServer(method, route, body)
        }
        for _ in 0..<2 {
            await clock.untilSuspended()
            await clock.advance(by: .seconds(15))
        }
        let second = await attempts.next()!
        #expect(channel.closedWith.withLock { $0 } == 1000)
        let close = try #require(client.store.state.connection.lastClose)
        #expect(close.byClient)
        #expect(close.reason.contains("the queue shows what the socket missed"))
        second.open().push(status(0, sid: me))
        await client.store.until { $0.queue.prompts[self.pid]?.status == .succeeded }
        #expect(client.store.state.queue.prompts[pid]?.fromHistory == true)
        await client.stop()
    }
}

/// A server that accepts the connection but never answers the upgrade.
@Suite(.timeLimit(.minutes(1))) struct ConnectTimeoutTests {
    @Test func anUnansweredUpgradeIsGivenUpAndRetried() async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint("http://127.0.0.1:8188"), clientID: "me")
        configuration.connectTimeout = .milliseconds(50)
        let client = ComfyClient(configuration: configuration, clock: clock, transport: transport, http: http, random: { 1 })
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        _ = await attempts.next()  // never decided: the upgrade hangs
        await client.store.until { if case .reconnecting = $0.connection.phase { true } else { false } }
        #expect(client.store.state.log.entries.contains { $0.message == "connection attempt failed: no answer to the WebSocket upgrade within 0.05 s" })
        await clock.untilSuspended()
        await clock.advance(by: .seconds(1))
        _ = await attempts.next()
        #expect(transport.attemptCount == 2)
        await client.stop()
    }
}

/// "Not now" answers to `POST /prompt` (a proxy or gateway that is overloaded, or refusing
/// for a while) keep the prompt: it waits in the outbox and goes out after a resync that
/// the client asks for itself, even though the socket never dropped.
@Suite(.timeLimit(.minutes(1))) struct TransientSubmitTests {
    let me = "me0000000000000000000000000000001"
    let id = "aaaaaaaa-0000-4000-8000-000000000001"

    @Test(arguments: [503, 429, 504])
    func aNotNowAnswerWaitsAndIsSentAgain(status: Int) async throws {
        let (clock, transport, http) = (TestClock(), FakeTransport(), FakeHTTP())
        let posts = Mutex(0)
        http.set { method, route, body in
            guard method == "POST", route == "/prompt" else { return FakeHTTP.emptyServer(method, route, body) }
            let n = posts.withLock { $0 += 1; return $0 }
            return n == 1 ? (status, .string("busy")) : (200, .object(["prompt_id": .string(self.id), "number": 4, "node_errors": .object([])]))
        }
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint("http://127.0.0.1:8188"), clientID: me)
        configuration.backoff = Backoff(initial: .seconds(1), maximum: .seconds(8))
        let client = ComfyClient(configuration: configuration, clock: clock, transport: transport, http: http, random: { 1 })
        await client.start()
        var attempts = transport.attempts.makeAsyncIterator()
        let channel = await attempts.next()!.open()
        channel.push(#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "\#(me)"}}"#)
        await client.store.until { $0.connection.isOnline }
        let body: JSONValue = .object(["prompt_id": .string(id), "prompt": .object([:])])
        await client.request(.submit(promptID: id, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me), body: body, front: false))
        await client.store.until { $0.connection.outbox.count == 1 }
        #expect(client.store.state.queue.rejected.isEmpty)
        #expect(client.store.state.queue.prompts[id]?.status == .queued)
        // One backoff step later (full jitter at 1 × 2 s), a resync sends it: accepted.
        // (Stepped until it is: the retry task may register its sleep on the test clock
        // only after `untilSuspended` returned, and then a single step would miss it.)
        for _ in 0..<5 where client.store.state.queue.prompts[id]?.accepted != true {
            await clock.untilSuspended()
            await clock.advance(by: .seconds(2))
            _ = await client.store.until({ $0.queue.prompts[self.id]?.accepted == true }, within: .milliseconds(500))
        }
        await client.store.until { $0.queue.prompts[self.id]?.accepted == true }
        #expect(client.store.state.queue.prompts[id]?.number == 4)
        #expect(client.store.state.connection.outbox.isEmpty)
        #expect(posts.withLock { $0 } == 2)
        await client.stop()
    }
}
