import ComfyCore
import ComfyLive
import Synchronization

/// The pages' one subscriber to the store, and the fan-out to every page.
///
/// One task reads the store's events and latest state in batches (`run`, from
/// `ComfyStore.eventBatches()`: one wake-up per batch, at most one batch per frame
/// interval, and no previous state held for it): it keeps the latest state, the events not
/// yet told and the latest preview of each server — nothing more, so it keeps up with the
/// store whatever the pages do. Another (`runTicker`) wakes when something changed, at most
/// `updatesPerSecond` times a second, and makes one frame for every page: the core's diff
/// (`StateDiff.between`) from the state last sent to the latest, each line with the keys it
/// names, the events, and the previews. Each page has its own task and a bounded buffer of
/// frames (`PageSession`): a page that cannot keep up skips frames and gets a fresh
/// snapshot, never holding the others back. The store's dispatch only derives the events
/// and adds them to the batch.
final class PageFeed: Sendable {
    /// What a page is sent after its snapshot: one text frame, then the preview images.
    struct Frame: Sendable {
        let seq: Int
        let text: String
        let previews: [[UInt8]]
        /// A full snapshot (the diff could not be placed): the page replaces its state.
        let isSnapshot: Bool
    }

    /// The subscriber's side: what arrived since the last frame.
    private struct Incoming {
        var latest: AppState
        var changed = false
        var events: [ClientEvent] = []
        var droppedEvents = 0
        var previews: [String: PreviewImage] = [:]
        var updates = 0
    }

    /// The fan-out's side: the state every page has (as of `seq`), and the pages.
    private struct Broadcast {
        var seq = 0
        var sent: AppState
        var pages: [Int: AsyncStream<Frame>.Continuation] = [:]
        var nextPage = 0
        var frames = 0
        /// Time spent making frames (diff, keys, JSON), in nanoseconds.
        var making: UInt64 = 0
    }

    /// Events kept between two frames at most; past it the oldest are dropped (and counted).
    static let eventLimit = 256

    private let incoming: Mutex<Incoming>
    private let broadcast: Mutex<Broadcast>
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    let interval: Duration
    /// Frames a page may have waiting before it skips to a fresh snapshot.
    let pageBuffer: Int
    /// Seconds on the fleet's clock (the clock of every time in the state).
    let now: @Sendable () -> Double
    let metrics: DashboardMetrics?
    let context: PageContext

    init(
        initial: AppState, updatesPerSecond: Int, pageBuffer: Int = 64, context: PageContext, metrics: DashboardMetrics?,
        now: @escaping @Sendable () -> Double
    ) {
        incoming = Mutex(Incoming(latest: initial))
        broadcast = Mutex(Broadcast(sent: initial))
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        interval = .nanoseconds(1_000_000_000 / Int64(max(1, updatesPerSecond)))
        self.pageBuffer = pageBuffer
        self.context = context
        self.metrics = metrics
        self.now = now
    }

    // MARK: The subscriber

    /// Reads the store's events and latest state until they end (or the task is
    /// cancelled), a batch at a time and at most one batch per `interval`: between two
    /// reads the store only adds to the batch, and frames go out no faster than that anyway.
    func run(_ batches: EventBatches) async {
        let clock = ContinuousClock()
        for await batch in batches {
            let started = clock.now
            take(batch)
            wake.yield()
            if Task.isCancelled { break }
            do { try await clock.sleep(until: started + interval) } catch { break }
        }
        wake.finish()
    }

    /// A batch into what the next frame tells.
    private func take(_ batch: EventBatch) {
        metrics?.observe(batch.events, state: batch.state)
        incoming.withLock { box in
            box.latest = batch.state
            box.changed = true
            box.updates += batch.changes
            for event in batch.events {
                switch event {
                case .progress:
                    continue  // in the state (progress, nodes): the diff carries it
                case .preview(let image):
                    box.previews[image.server] = image
                default:
                    box.events.append(event)
                }
            }
            if box.events.count > Self.eventLimit {
                box.droppedEvents += box.events.count - Self.eventLimit
                box.events.removeFirst(box.events.count - Self.eventLimit)
            }
        }
    }

    /// The state as it is now (after subscribing: a change made before the subscription
    /// began is not missed until the next one comes).
    func seed(_ state: AppState) {
        incoming.withLock { box in
            box.latest = state
            box.changed = true
        }
        wake.yield()
    }

    /// Store updates read so far, frames made, and the time making them took (for the benchmark).
    var counts: (updates: Int, frames: Int, makingSeconds: Double) {
        let (frames, making) = broadcast.withLock { ($0.frames, $0.making) }
        return (incoming.withLock { $0.updates }, frames, Double(making) / 1e9)
    }

    // MARK: The fan-out

    /// Makes a frame whenever something changed, at most once per `interval`.
    func runTicker() async {
        let clock = ContinuousClock()
        var last = clock.now - interval
        for await _ in wakeups {
            let due = last + interval
            if clock.now < due { try? await Task.sleep(until: due, clock: clock) }
            if Task.isCancelled { break }
            last = clock.now
            flush()
        }
        finishPages()
    }

    /// One frame from what arrived since the last: made once, sent to every page.
    func flush() {
        let (state, events, dropped, previews) = incoming.withLock { box -> (AppState, [ClientEvent], Int, [PreviewImage]) in
            defer {
                box.changed = false
                box.events = []
                box.droppedEvents = 0
                box.previews = [:]
            }
            return (box.latest, box.changed ? box.events : [], box.droppedEvents, Array(box.previews.values))
        }
        let (seq, sent, pages) = broadcast.withLock { ($0.seq, $0.sent, $0.pages.count) }
        metrics?.sample(state)
        let next = seq + 1
        if pages == 0 {
            // Nobody to tell: the next page starts from this state's snapshot (unless one
            // came meanwhile: then it gets the frame).
            let skipped = broadcast.withLock { box in
                guard box.pages.isEmpty else { return false }
                box.seq = next
                box.sent = state
                return true
            }
            if skipped { return }
        }
        let started = ContinuousClock.now
        let text: String
        var isSnapshot = false
        switch diffFrame(from: sent, to: state, seq: next, events: events, dropped: dropped) {
        case .nothing:
            return
        case .frame(let diff):
            text = diff
        case .unplaceable:
            text = snapshotFrame(state, seq: next, events: events)
            isSnapshot = true
        }
        let images = previews.map { PreviewFrame.encode($0, seq: next) }
        let out = Frame(seq: next, text: text, previews: images, isSnapshot: isSnapshot)
        let took = ContinuousClock.now - started
        broadcast.withLock { box in
            box.seq = next
            box.sent = state
            box.frames += 1
            box.making += UInt64(took.components.seconds) * 1_000_000_000 + UInt64(took.components.attoseconds / 1_000_000_000)
            for page in box.pages.values { page.yield(out) }
        }
    }

    enum DiffOutcome: Equatable {
        /// Nothing changed that a page shows, and no event.
        case nothing
        /// `{"type": "diff", …}`.
        case frame(String)
        /// A line could not be placed, or the diff does not carry the change: a snapshot instead.
        case unplaceable
    }

    func diffFrame(from old: AppState, to new: AppState, seq: Int, events: [ClientEvent], dropped: Int) -> DiffOutcome {
        if Self.needsSnapshot(old, new) { return .unplaceable }
        let lines = StateDiff.between(old, new)
        var resolver = DiffKeys(old: old, new: new)
        var out: [JSONValue] = []
        out.reserveCapacity(lines.count)
        let primary = new.servers.first?.name
        for line in lines {
            guard let keys = resolver.keys(line) else { return .unplaceable }
            out.append(Self.json(line, keys: keys))
            // The first server's slices are named as before fleets; the page keeps its
            // `servers.<first>` up to date from the same line.
            if let primary, let first = keys.first, case .member(let slice) = first, ["connection", "nodes", "progress"].contains(slice) {
                out.append(Self.json(line, keys: [.member("servers"), .member(primary)] + keys))
            } else if let primary, new.servers.count == 1, line.path == "queue.remaining" {
                out.append(Self.json(line, keys: [.member("servers"), .member(primary), .member("remaining")]))
            }
        }
        if out.isEmpty, events.isEmpty, dropped == 0 { return .nothing }
        let at = now()
        var fields = [
            JSONField("type", "diff"), JSONField("seq", .number(Double(seq))), JSONField("now", .number(at)),
            JSONField("lines", .array(out)),
        ]
        if let forecast = Self.forecast(new, at: at) { fields.append(forecast) }
        if !events.isEmpty { fields.append(JSONField("events", .array(events.map { context.json($0, state: new) }))) }
        if dropped > 0 { fields.append(JSONField("dropped_events", .number(Double(dropped)))) }
        let graphs = Self.graphs(of: lines.compactMap { line -> PromptRecord? in
            guard line.kind == .added, line.path.hasPrefix("queue.prompts.") else { return nil }
            return new.queue.prompts[String(line.path.dropFirst("queue.prompts.".count))]
        })
        if !graphs.isEmpty { fields.append(JSONField("graphs", .object(graphs))) }
        return .frame(JSONWriter.string(.object(fields)))
    }

    /// What the diff does not carry: the fleet's first server changed, the log was resized,
    /// the queue's policy changed. Rare: the page gets a snapshot then.
    static func needsSnapshot(_ old: AppState, _ new: AppState) -> Bool {
        old.servers.first?.name != new.servers.first?.name || old.log.capacity != new.log.capacity
            || old.queue.resubmitLimit != new.queue.resubmitLimit || old.queue.maxWaitingPerServer != new.queue.maxWaitingPerServer
    }

    /// `{"type": "snapshot", "seq", "now", "state", "graphs", "dashboard"}`.
    /// `forecast`: when each waiting job of ours should start and end (`AppState.forecast`),
    /// `[{prompt_id, server, starts_in, ends_in, basis}]`, seconds from the frame's `now`;
    /// nil when none waits. Sent whole with each frame: it moves with time, not with diffs.
    static func forecast(_ state: AppState, at now: Double) -> JSONField? {
        let jobs = state.forecast(at: Timestamp(seconds: now), limit: 200)
        guard !jobs.isEmpty else { return nil }
        return JSONField("forecast", .array(jobs.map { f in
            .object([
                JSONField("prompt_id", .string(f.promptID)), JSONField("server", f.server.json), JSONField("starts_in", f.startsIn.json),
                JSONField("ends_in", f.endsIn.json), JSONField("basis", .string(f.basis.rawValue)),
            ])
        }))
    }

    func snapshotFrame(_ state: AppState, seq: Int, events: [ClientEvent] = []) -> String {
        let at = now()
        var fields = [
            JSONField("type", "snapshot"), JSONField("seq", .number(Double(seq))), JSONField("now", .number(at)),
            JSONField("state", state.json),
            JSONField("graphs", .object(Self.graphs(of: Array(state.queue.prompts.values)))),
            JSONField("dashboard", context.json),
        ]
        if let forecast = Self.forecast(state, at: at) { fields.append(forecast) }
        if !events.isEmpty { fields.append(JSONField("events", .array(events.map { context.json($0, state: state) }))) }
        return JSONWriter.string(.object(fields))
    }

    /// `{"kind": "~", "path", "keys", "old", "new"}`.
    static func json(_ line: DiffLine, keys: [DiffKeys.Key]) -> JSONValue {
        var fields = [
            JSONField("kind", .string(line.kind == .added ? "+" : line.kind == .removed ? "-" : "~")),
            JSONField("path", .string(line.path)),
            JSONField("keys", .array(keys.map(\.json))),
        ]
        if let old = line.old { fields.append(JSONField("old", old)) }
        if let new = line.new { fields.append(JSONField("new", new)) }
        return .object(fields)
    }

    /// For each prompt whose graph we have: node id → `[class_type, title]`, so the page can
    /// name the executing node. Observed prompts (someone else's) have no graph here.
    static func graphs(of records: [PromptRecord]) -> [JSONField] {
        records.compactMap { record in
            guard let graph = record.body?["prompt"]?.objectValue else { return nil }
            let nodes = graph.map { node in
                JSONField(node.key, .array([
                    node.value["class_type"] ?? .null, node.value["_meta"]?["title"] ?? .null,
                ]))
            }
            return JSONField(record.id, .object(nodes))
        }
    }

    // MARK: Pages

    /// A new page: its snapshot (as of the last frame sent), and every frame after it.
    func subscribe() -> (id: Int, seq: Int, snapshot: String, frames: AsyncStream<Frame>) {
        let (frames, continuation) = AsyncStream<Frame>.makeStream(bufferingPolicy: .bufferingNewest(pageBuffer))
        let (id, seq, state) = broadcast.withLock { box in
            let id = box.nextPage
            box.nextPage += 1
            box.pages[id] = continuation
            return (id, box.seq, box.sent)
        }
        metrics?.pages(broadcast.withLock { $0.pages.count })
        return (id, seq, snapshotFrame(state, seq: seq), frames)
    }

    /// The state pages have now, as a snapshot (a page that fell behind starts again from it).
    func snapshot() -> (seq: Int, text: String) {
        let (seq, state) = broadcast.withLock { ($0.seq, $0.sent) }
        return (seq, snapshotFrame(state, seq: seq))
    }

    func unsubscribe(_ id: Int) {
        let count = broadcast.withLock { box in
            box.pages.removeValue(forKey: id)?.finish()
            return box.pages.count
        }
        metrics?.pages(count)
    }

    var pageCount: Int { broadcast.withLock { $0.pages.count } }

    private func finishPages() {
        let pages = broadcast.withLock { box in
            defer { box.pages = [:] }
            return Array(box.pages.values)
        }
        for page in pages { page.finish() }
    }
}

/// A preview image as one binary WebSocket frame: a 4-byte big-endian length, a JSON header
/// (`{"server", "prompt_id", "node_id", "mime_type", "seq"}`), then the image as the server sent it.
enum PreviewFrame {
    static func encode(_ image: PreviewImage, seq: Int) -> [UInt8] {
        let header = Array(JSONWriter.string(.object([
            JSONField("server", .string(image.server)), JSONField("prompt_id", image.promptID.json),
            JSONField("node_id", image.nodeID.json), JSONField("mime_type", .string(image.mimeType)),
            JSONField("seq", .number(Double(seq))),
        ])).utf8)
        let n = UInt32(header.count)
        var bytes: [UInt8] = [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
        bytes.reserveCapacity(4 + header.count + image.bytes.count)
        bytes += header
        bytes += image.bytes
        return bytes
    }
}
