import ComfyCore
@testable import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation
import Synchronization
import Testing

/// The page feed: what a page applies gives the state; frames are coalesced; a page that
/// falls behind starts again from a snapshot.
@Suite(.timeLimit(.minutes(2))) struct FeedTests {
    /// Every change of a live fleet of two servers (names with dots in them, a short log that
    /// wraps, prompts run, cancelled, interrupted, a dropped connection), taken in windows as
    /// the feed coalesces them: the diff frame applied to the first state's JSON — by its
    /// keys, as the page does — gives the last state's JSON, key for key.
    @Test func aDiffFrameAppliedToTheStateGivesTheNextState() async throws {
        let simulators = [ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5))), ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5)))]
        for simulator in simulators { try await simulator.start() }
        let configurations = try simulators.enumerated().map { index, simulator in
            var settings = ServerSettings(url: simulator.baseURL)
            settings.clientID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            var configuration = try settings.configuration()
            configuration.name = "127.0.0.\(index + 1):8188"
            return configuration
        }
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock(), logCapacity: 20)
        let collected = Mutex<[AppState]>([fleet.store.state])
        let updates = fleet.updates()
        let collector = Task {
            for await update in updates { collected.withLock { $0.append(update.state) } }
        }
        _ = try await fleet.open()
        var submitted: [String] = []
        for i in 0..<6 { submitted.append(await fleet.submit(Workflow(name: "w\(i).json", graph: ComfyUISimulator.demoWorkflow))) }
        let ids = submitted
        await fleet.cancel(ids[5])
        await fleet.store.until { state in state.queue.prompts[ids[0]]?.status == .running || state.queue.prompts[ids[1]]?.status == .running }
        await simulators[0].dropAllConnections()
        await fleet.store.until { state in ids.prefix(5).allSatisfy { state.queue.prompts[$0]?.isSettled ?? false } }
        await fleet.commandsDone()
        await fleet.stop()
        for simulator in simulators { await simulator.stop() }
        collector.cancel()
        let states = collected.withLock { $0 }
        #expect(states.count > 50)

        let feed = PageFeed(initial: states[0], updatesPerSecond: 30, context: PageContext(demo: false, version: "test", maxUpload: { 0 }), metrics: nil, now: { 0 })
        var generator = SeededRandom(seed: 12)
        var checked = 0
        var snapshots = 0
        var i = 0
        while i < states.count - 1 {
            let j = min(states.count - 1, i + 1 + Int(generator.next() % 6))
            switch feed.diffFrame(from: states[i], to: states[j], seq: 1, events: [], dropped: 0) {
            case .nothing:
                #expect(Canonical(states[i].json) == Canonical(states[j].json), "no frame, yet the states differ (\(i) → \(j))")
            case .unplaceable:
                snapshots += 1
            case .frame(let text):
                let frame = try JSONValue.parse(text)
                var json = states[i].json
                for line in frame["lines"]?.arrayValue ?? [] { try PageState.apply(line, to: &json) }
                let expected = Canonical(states[j].json)
                let got = Canonical(json)
                #expect(got == expected, "states \(i) → \(j): \(Canonical.firstDifference(got.value, expected.value) ?? "?")")
                checked += 1
            }
            i = j
        }
        #expect(checked > 20)
        // The first server changed, a log resized, the policy changed: only then a snapshot.
        #expect(snapshots <= 1)
    }

    /// A flood of changes reaches a page as at most `updatesPerSecond` frames a second, in
    /// sequence, the last of which has the final state.
    @Test func aFloodIsCoalescedToThirtyFramesASecond() async throws {
        let store = ComfyStore(initialState: AppState())
        let feed = PageFeed(initial: store.state, updatesPerSecond: 30, context: PageContext(demo: false, version: "test", maxUpload: { 0 }), metrics: nil, now: { 0 })
        let subscriber = Task { await feed.run(store.eventBatches()) }
        let ticker = Task { await feed.runTicker() }
        let page = feed.subscribe()
        let received = Mutex<[PageFeed.Frame]>([])
        let reader = Task { for await frame in page.frames { received.withLock { $0.append(frame) } } }
        let clock = ContinuousClock()
        let start = clock.now
        // 20 000 changes as fast as this machine dispatches them (about a second here, more under load).
        var n = 0
        while n < 20_000 {
            for _ in 0..<200 {
                n += 1
                _ = store.dispatch(ComfyAction(at: Timestamp(seconds: Double(n) / 1e4), .server(.status(.init(queueRemaining: n)))))
            }
            await Task.yield()
        }
        let final = store.state.queue.remaining
        await store.until { _ in true }
        // The last frame says the final count (one more frame at most after the flood).
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline, received.withLock({ $0.last?.text.contains("\"new\":\(final!)") }) != true { await Task.yield() }
        let elapsed = (clock.now - start).seconds
        subscriber.cancel()
        ticker.cancel()
        _ = await ticker.value
        reader.cancel()
        let frames = received.withLock { $0 }
        #expect(frames.count <= Int(elapsed * 30) + 2, "\(frames.count) frames in \(elapsed) s")
        #expect(frames.count >= 2)
        #expect(frames.map(\.seq) == Array(1...frames.count))
        #expect(frames.last?.text.contains("\"new\":\(final!)") == true)
    }

    /// With no page open, a change makes no frame (nobody would read it); the page that opens
    /// next starts from a snapshot with that change in it, and the frame after is a diff from it.
    @Test func withNoPageNoFrameIsMadeAndTheNextPageStartsFromTheLatestState() throws {
        let store = ComfyStore(initialState: AppState())
        let feed = PageFeed(initial: store.state, updatesPerSecond: 30, context: PageContext(demo: false, version: "test", maxUpload: { 0 }), metrics: nil, now: { 0 })
        _ = store.dispatch(ComfyAction(at: Timestamp(seconds: 1), .server(.status(.init(queueRemaining: 3)))))
        feed.seed(store.state)
        feed.flush()
        #expect(feed.counts.frames == 0)
        let page = feed.subscribe()
        #expect(page.seq == 1)
        let snapshot = try JSONValue.parse(page.snapshot)
        #expect(snapshot["state"]?["queue"]?["remaining"] == .number(3))
        _ = store.dispatch(ComfyAction(at: Timestamp(seconds: 2), .server(.status(.init(queueRemaining: 4)))))
        feed.seed(store.state)
        feed.flush()
        #expect(feed.counts.frames == 1)
        feed.unsubscribe(page.id)
    }

    /// A page is told when each waiting job of ours should start and end (the core's
    /// forecast, whole in each frame), and nothing when none waits.
    @Test func framesCarryTheQueueForecast() throws {
        let store = ComfyStore(initialState: AppState())
        let feed = PageFeed(initial: store.state, updatesPerSecond: 30, context: PageContext(demo: false, version: "test", maxUpload: { 0 }), metrics: nil, now: { 5 })
        #expect(try JSONValue.parse(feed.subscribe().snapshot)["forecast"] == nil)
        let graph = JSONValue.object([JSONField("1", .object([JSONField("class_type", "EmptyImage"), JSONField("inputs", .object([]))]))])
        for id in ["p1", "p2"] {
            _ = store.dispatch(ComfyAction(at: Timestamp(seconds: 1), .user(.submitJob(JobRequest(
                promptID: id, graph: SubmittedGraph(nodes: [("1", "EmptyImage")], clientID: "me"), body: .object([JSONField("prompt", graph)]))))))
        }
        let snapshot = try JSONValue.parse(feed.snapshotFrame(store.state, seq: 1))
        // Never run: no run time is known, so each starts no earlier than said (≥ 0 s).
        #expect(snapshot["forecast"] == .array([
            .object([JSONField("prompt_id", "p1"), JSONField("server", "default"), JSONField("starts_in", 0), JSONField("ends_in", .null), JSONField("basis", "lower_bound")]),
            .object([JSONField("prompt_id", "p2"), JSONField("server", "default"), JSONField("starts_in", 0), JSONField("ends_in", .null), JSONField("basis", "lower_bound")]),
        ]))
    }

    /// A page whose buffer overflowed finds a gap and is sent a snapshot instead; frames it
    /// already has are not sent again.
    @Test func aPageThatFellBehindStartsAgainFromASnapshot() {
        func frame(_ seq: Int, snapshot: Bool = false) -> PageFeed.Frame {
            PageFeed.Frame(seq: seq, text: "f\(seq)", previews: seq == 2 ? [[1, 2]] : [], isSnapshot: snapshot)
        }
        var cursor = PageCursor(seq: 0)
        #expect(cursor.take(frame(1), snapshot: { (9, "s9") }) == [.text("f1")])
        #expect(cursor.take(frame(2), snapshot: { (9, "s9") }) == [.text("f2"), .binary([1, 2])])
        #expect(cursor.take(frame(5), snapshot: { (7, "s7") }) == [.text("s7")])
        #expect(cursor.seq == 7)
        #expect(cursor.take(frame(6), snapshot: { (9, "s9") }) == [])
        #expect(cursor.take(frame(7), snapshot: { (9, "s9") }) == [])
        #expect(cursor.take(frame(8), snapshot: { (9, "s9") }) == [.text("f8")])
        #expect(cursor.take(frame(10, snapshot: true), snapshot: { (11, "s11") }) == [.text("f10")])
    }

    /// Paths the core writes with dots in names: a server `127.0.0.1:8188`, a node `12.0.1`.
    @Test func keysAreFoundForNamesWithDots() {
        var old = AppState(servers: ["a.b", "127.0.0.1:8188"])
        var new = old
        let action = ComfyAction(at: Timestamp(seconds: 1), server: "127.0.0.1:8188", .server(.status(.init(queueRemaining: 3))))
        _ = ComfyReducer.reduce(&new, action)
        var resolver = DiffKeys(old: old, new: new)
        let lines = StateDiff.between(old, new)
        #expect(!lines.isEmpty)
        for line in lines {
            let keys = resolver.keys(line)
            #expect(keys != nil, "\(line.path)")
            if line.path.hasPrefix("servers.127.0.0.1:8188.") {
                #expect(keys?.prefix(2) == [.member("servers"), .member("127.0.0.1:8188")])
            }
        }
        old = new
        #expect(DiffKeys.resolve(".x.y[1].z", in: .object(["x.y": .array([1, .object(["z": 2])]), "x": .object(["y": 3])])) == [.member("x.y"), .index(1), .member("z")])
        #expect(DiffKeys.candidates("12.0.1.state", where: { ["12", "12.0.1"].contains($0) }) == ["12.0.1", "12"])
    }
}

/// The page's `apply` (dashboard.js), in Swift: set, add or remove the value a diff
/// line's keys name; the log's lines append an entry.
enum PageState {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func apply(_ line: JSONValue, to state: inout JSONValue) throws {
        guard let keys = line["keys"]?.arrayValue, let kind = line["kind"]?.stringValue else { throw Failure(description: "no keys: \(line)") }
        if keys == ["log"] {
            guard let entry = line["new"] else { throw Failure(description: "a log line without an entry") }
            try update(&state, ["log"]) { log in
                var entries = log["entries"]?.arrayValue ?? []
                entries.append(entry)
                let capacity = log["capacity"]?.intValue ?? .max
                if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
                set(&log, "entries", .array(entries))
                set(&log, "total", entry["seq"] ?? .null)
            }
            return
        }
        try update(&state, Array(keys.dropLast())) { parent in
            let last = keys.last!
            if kind == "-" {
                if case .object(var fields) = parent, let name = last.stringValue {
                    fields.removeAll { $0.key == name }
                    parent = .object(fields)
                } else if case .array(var items) = parent, let i = last.intValue, items.indices.contains(i) {
                    items.remove(at: i)
                    parent = .array(items)
                }
            } else {
                let value = line["new"] ?? .null
                if let name = last.stringValue {
                    if case .null = parent { parent = .object([]) }
                    set(&parent, name, value)
                } else if let i = last.intValue, case .array(var items) = parent {
                    while items.count <= i { items.append(.null) }
                    items[i] = value
                    parent = .array(items)
                }
            }
        }
    }

    static func set(_ object: inout JSONValue, _ name: String, _ value: JSONValue) {
        guard case .object(var fields) = object else { return }
        if let i = fields.firstIndex(where: { $0.key == name }) { fields[i].value = value } else { fields.append(JSONField(name, value)) }
        object = .object(fields)
    }

    static func update(_ value: inout JSONValue, _ keys: [JSONValue], _ body: (inout JSONValue) throws -> Void) throws {
        guard let first = keys.first else { return try body(&value) }
        let rest = Array(keys.dropFirst())
        if let name = first.stringValue {
            if case .null = value { value = .object([]) }
            guard case .object(var fields) = value else { throw Failure(description: "\(name): not an object") }
            if let i = fields.firstIndex(where: { $0.key == name }) {
                try update(&fields[i].value, rest, body)
            } else {
                var child = JSONValue.null
                try update(&child, rest, body)
                fields.append(JSONField(name, child))
            }
            value = .object(fields)
        } else if let i = first.intValue {
            guard case .array(var items) = value, items.indices.contains(i) else { throw Failure(description: "[\(i)]: no such element") }
            try update(&items[i], rest, body)
            value = .array(items)
        }
    }
}

/// JSON compared as the page sees it: object members in any order.
struct Canonical: Equatable {
    let value: JSONValue
    init(_ value: JSONValue) { self.value = Self.sorted(value) }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields): .object(fields.map { JSONField($0.key, sorted($0.value)) }.sorted { $0.key < $1.key })
        case .array(let items): .array(items.map(sorted))
        default: value
        }
    }

    /// Where two canonical values first differ, for a failure's message.
    static func firstDifference(_ a: JSONValue, _ b: JSONValue, at path: String = "") -> String? {
        if a == b { return nil }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.map(\.key)).union(y.map(\.key)).sorted() {
                let p = path + "." + key
                guard let u = x.first(where: { $0.key == key })?.value else { return "\(p): missing in the page's copy" }
                guard let v = y.first(where: { $0.key == key })?.value else { return "\(p): extra in the page's copy" }
                if let d = firstDifference(u, v, at: p) { return d }
            }
            return path
        case (.array(let x), .array(let y)) where x.count == y.count:
            for i in x.indices { if let d = firstDifference(x[i], y[i], at: "\(path)[\(i)]") { return d } }
            return path
        default:
            return "\(path): \(JSONWriter.string(a)) ≠ \(JSONWriter.string(b))"
        }
    }
}

