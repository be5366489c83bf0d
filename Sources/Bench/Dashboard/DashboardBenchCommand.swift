import ArgumentParser
import ComfyCore
import ComfyDashboard
import ComfyLive
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// `comfysh-bench dashboard`: the dashboard under a flood, and comfysh's memory with pages open.
///
/// * `throughput`: the fixture frames, from the flood server, as fast as the client takes
///   them, into the real client stack (`ComfyClient` with `InstantHTTP`, as `stream`'s e2e
///   figure): with one `store.updates()` subscriber, one `store.changes()` subscriber, a
///   dashboard with no page, then `cost-runs` pairs of runs with no dashboard and with a
///   dashboard and `pages` page clients, alternating (the median ratio and its range).
///   The page clients run in a child process (`comfysh-bench pages`): what a page spends
///   reading is a browser's work, not the store's.
/// * `cost`: at a steady `rate` (10 000 frames/s), the CPU time this process spends per
///   frame — the flood server's thread taken off — with no dashboard and with the pages,
///   alternating: what the dashboard costs in CPU whatever else the machine is doing.
/// * `steady`: at a steady `rate` (10 000 frames/s): the updates each page receives per second (held
///   to 30 by the coalescing), their bytes, and how long a page waits for its snapshot.
/// * `memory`: `comfysh dashboard --demo` as a subprocess: its resident memory idle, then with
///   `pages` pages connected while demo prompts run.
///
/// A page client here is a WebSocket that reads and counts every frame (swift-websocket's
/// WSClient, as `WSClientTransport`): what the server does for a page is the same for a
/// browser tab; the browser's own cost is the browser's.
struct DashboardBenchCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The dashboard: store throughput with and without pages, updates per page under a flood, comfysh's memory with pages open.")

    // 50 000: with 20 pages, 200 000 did not finish in 15 minutes on this machine under
    // others' load (load average 10–20); 50 000 takes about 40 s in all.
    @Option(help: "Frames per throughput run.")
    var frames = 50_000

    @Option(help: "Frames per second for the steady run.")
    var rate = 10_000.0

    @Option(help: "Seconds of the steady run.")
    var seconds = 6.0

    @Option(help: "Page clients.")
    var pages = 20

    @Option(help: "Pairs of CPU-cost runs (no dashboard, then the pages), alternating; the median of each is reported.")
    var costRuns = 3

    @Option(help: "Parts to run, comma-separated: throughput, steady, cost, memory (default: all).")
    var only: String?

    @Option(help: "Demo prompts run while the pages are open (memory figure).")
    var prompts = 10

    @Option(help: "The comfysh binary (default: next to this one).")
    var comfysh: String?

    @Option(help: "The folder of *.jsonl transcripts to take frames from.")
    var fixtures = "Tests/Fixtures/comfyui"

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        let parts = try selectedParts()
        let set = try FrameSet.load(directory: fixtures)
        let stream = StreamFrames(set)
        let server = try await FloodServer.start()
        var report = Report()
        do {
            if parts.contains("throughput") {
                progress("dashboard: store throughput, one store.updates() subscriber (what watch reads), \(frames) frames")
                let subscriber = try await throughput(server: server, stream: stream, pages: nil, subscriber: .updates)
                progress("dashboard: store throughput, one store.changes() subscriber (changes, no events), \(frames) frames")
                let changesOnly = try await throughput(server: server, stream: stream, pages: nil, subscriber: .changes)
                progress("dashboard: store throughput, a dashboard with no page, \(frames) frames")
                let noPage = try await throughput(server: server, stream: stream, pages: 0)
                let (bare, withPages) = try await alternating(
                    "store throughput, \(frames) frames",
                    without: { try await throughput(server: server, stream: stream, pages: nil).rate },
                    with: { try await throughput(server: server, stream: stream, pages: pages).rate })
                let ratios = zip(withPages, bare).map { $1 > 0 ? $0 / $1 : 0 }.sorted()
                report.add("store_msgs_per_s_no_dashboard", Self.median(bare), .rate)
                report.add("store_msgs_per_s_updates_subscriber", subscriber.rate, .rate)
                report.add("store_msgs_per_s_changes_subscriber", changesOnly.rate, .rate)
                report.add("store_msgs_per_s_dashboard_0_pages", noPage.rate, .rate)
                report.add("store_msgs_per_s_\(pages)_pages", Self.median(withPages), .rate)
                report.add("store_with_pages_vs_without", ratios[ratios.count / 2], .ratio)
                report.add("store_with_pages_vs_without_min", ratios.first, .ratio)
                report.add("store_with_pages_vs_without_max", ratios.last, .ratio)
            }
            if parts.contains("cost") {
                let cost = try await cpuCosts(server: server, stream: stream)
                report.add("store_cpu_us_per_frame_no_dashboard", cost.without / 1000, .microseconds)
                report.add("store_cpu_us_per_frame_\(pages)_pages", cost.with / 1000, .microseconds)
                report.add("dashboard_cpu_cost_share", cost.without > 0 ? cost.with / cost.without - 1 : nil, .ratio)
                report.add("page_updates_per_s_child", cost.pageFramesPerSecond, .rate)
            }
            if parts.contains("steady") {
                progress("dashboard: \(Int(rate)) frames/s for \(seconds) s, \(pages) pages")
                let steady = try await steady(server: server, stream: stream)
                report.add("flood_frames_per_s", steady.storeRate, .rate)
                report.add("page_updates_per_s_mean", steady.mean, .rate)
                report.add("page_updates_per_s_min", steady.min, .rate)
                report.add("page_updates_per_s_max", steady.max, .rate)
                report.add("page_mb_per_s_mean", steady.kilobytesPerSecond / 1000, .megabytesPerSecond)
                report.add("page_snapshot_ms_p50", steady.snapshotMs, .milliseconds)
                report.add("page_snapshots_after_first", Double(steady.resnapshots), .count)
                report.add("frame_making_ms_mean", steady.frameMs, .milliseconds)
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        if parts.contains("memory") {
            progress("dashboard: comfysh dashboard --demo, memory with \(pages) pages and \(prompts) prompts")
            let memory = try await memoryWithPages()
            report.add("comfysh_rss_mb_idle", memory.idle, .megabytes)
            report.add("comfysh_rss_mb_\(pages)_pages", memory.withPages, .megabytes)
            report.add("comfysh_rss_mb_peak", memory.peak, .megabytes)
        }
        report.context = [
            JSONField("dashboard_frames", .number(Double(frames))), JSONField("dashboard_rate", .number(rate)),
            JSONField("dashboard_pages", .number(Double(pages))), JSONField("machine_cores", .number(Double(Machine.cores))),
            JSONField("date", .string(Machine.date)),
        ]
        return report
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static let parts: Set<String> = ["throughput", "steady", "cost", "memory"]

    private func selectedParts() throws -> Set<String> {
        guard let only else { return Self.parts }
        let chosen = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let unknown = chosen.subtracting(Self.parts)
        guard unknown.isEmpty else {
            throw ValidationError("unknown part(s) \(unknown.sorted().joined(separator: ", ")); choose from \(Self.parts.sorted().joined(separator: ", "))")
        }
        return chosen
    }

    // MARK: The flood

    /// A client of the flood server, and (with `pages`) a dashboard of its store with page clients.
    private func connect(_ server: FloodServer) async throws -> ComfyClient {
        let configuration = ClientConfiguration(endpoint: try ServerEndpoint(server.baseURL), clientID: "comfyshbench")
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock(), http: InstantHTTP())
        await client.start()
        return client
    }

    /// `frames` frames as fast as the client takes them; with `pages`, a dashboard follows
    /// the store and that many page clients read it from a child process (`comfysh-bench
    /// pages`), so what the pages themselves spend — a browser's work — is not taken from
    /// the store's cores in this process (it still shares the machine's).
    /// `subscriber`: `.updates` reads `store.updates()` (every change and its events, what
    /// `watch` reads), `.changes` only `store.changes()` (every change, no events): what
    /// being a subscriber costs the store, apart from what a subscriber does.
    private func throughput(server: FloodServer, stream: StreamFrames, pages: Int?, subscriber: Subscriber? = nil) async throws -> (rate: Double, pageFrames: Int) {
        let client = try await connect(server)
        guard let connection = await server.nextConnection() else { throw StreamError("the client did not connect") }
        await client.store.until { $0.connection.isOnline }
        let reading: Task<Void, Never>?
        switch subscriber {
        case .updates?:
            let updates = client.store.updates()
            reading = Task { for await _ in updates {} }
        case .changes?:
            let changes = client.store.changes()
            reading = Task { for await _ in changes {} }
        case nil:
            reading = nil
        }
        var dashboard: Dashboard?
        var children: ChildPages?
        if let pages {
            let d = Dashboard(following: client.store, configuration: DashboardConfiguration(port: 0))
            try await d.start()
            dashboard = d
            if pages > 0 { children = try await ChildPages.start(port: d.port, count: pages) }
        }
        async let flooded = connection.flood(FloodPlan(frames: stream, count: frames, rate: nil))
        while client.store.state.queue.remaining != StreamFrames.sentinelRemaining {
            try await Task.sleep(for: .milliseconds(1))
        }
        let end = Monotonic.now()
        let result = try await flooded
        let seconds = Monotonic.seconds(from: result.startNs, to: end)
        let received = await children?.stop() ?? 0
        await dashboard?.stop()
        await client.stop()
        reading?.cancel()
        return (Double(frames) / seconds, received)
    }

    enum Subscriber { case updates, changes }

    struct Steady {
        var storeRate: Double
        var mean: Double
        var min: Double
        var max: Double
        var kilobytesPerSecond: Double
        var snapshotMs: Double
        var resnapshots: Int
        /// Making one frame (once, for every page): diff, keys, JSON.
        var frameMs: Double
    }

    private func steady(server: FloodServer, stream: StreamFrames) async throws -> Steady {
        let client = try await connect(server)
        guard let connection = await server.nextConnection() else { throw StreamError("the client did not connect") }
        await client.store.until { $0.connection.isOnline }
        let dashboard = Dashboard(following: client.store, configuration: DashboardConfiguration(port: 0))
        try await dashboard.start()
        let readers = (0..<pages).map { _ in PageReader(port: dashboard.port) }
        for reader in readers { await reader.waitForSnapshot() }
        let count = Int(rate * seconds)
        let before = readers.map(\.counts)
        let feedBefore = dashboard.feedCounts
        let result = try await connection.flood(FloodPlan(frames: stream, count: count, rate: rate))
        await client.store.until { $0.queue.remaining == StreamFrames.sentinelRemaining }
        let elapsed = Monotonic.seconds(from: result.startNs, to: Monotonic.now())
        let after = readers.map(\.counts)
        let feedAfter = dashboard.feedCounts
        let framesMade = feedAfter.frames - feedBefore.frames
        let rates = zip(before, after).map { Double($1.frames - $0.frames) / elapsed }
        let bytes = zip(before, after).map { Double($1.bytes - $0.bytes) / elapsed / 1000 }
        let snapshots = readers.map(\.snapshotMs).sorted()
        let resnapshots = after.reduce(0) { $0 + $1.snapshots - 1 }
        for reader in readers { await reader.stop() }
        await dashboard.stop()
        await client.stop()
        return Steady(
            storeRate: Double(count) / elapsed, mean: rates.reduce(0, +) / Double(max(1, rates.count)), min: rates.min() ?? 0,
            max: rates.max() ?? 0, kilobytesPerSecond: bytes.reduce(0, +) / Double(max(1, bytes.count)),
            snapshotMs: snapshots.isEmpty ? 0 : snapshots[snapshots.count / 2], resnapshots: resnapshots,
            frameMs: framesMade > 0 ? (feedAfter.makingSeconds - feedBefore.makingSeconds) / Double(framesMade) * 1000 : 0)
    }

    // MARK: What the pages cost the store, in CPU

    /// One steady run's CPU: the client, its store and (with `pages`) the dashboard —
    /// everything in this process but the flood server's thread — per frame.
    struct CPUCost {
        var nanosecondsPerFrame: Double
        var pageFrames: Int
    }

    /// At `rate` frames/s for `seconds`: this process's CPU time less the flood server's
    /// thread's, per frame, with no dashboard (`pages` nil) or with a dashboard and
    /// `pages` page clients in a child process (`comfysh-bench pages`). CPU time, not
    /// wall time: on a machine shared with other work the throughput of two runs differs
    /// by more than the dashboard costs, the CPU each frame took far less.
    private func cpuCost(server: FloodServer, stream: StreamFrames, pages: Int?) async throws -> CPUCost {
        let client = try await connect(server)
        guard let connection = await server.nextConnection() else { throw StreamError("the client did not connect") }
        await client.store.until { $0.connection.isOnline }
        var dashboard: Dashboard?
        var children: ChildPages?
        if let pages {
            let d = Dashboard(following: client.store, configuration: DashboardConfiguration(port: 0))
            try await d.start()
            dashboard = d
            children = try await ChildPages.start(port: d.port, count: pages)
        }
        let count = Int(rate * seconds)
        let serverBefore = try await server.threadCPU()
        let before = CPUTime.process
        _ = try await connection.flood(FloodPlan(frames: stream, count: count, rate: rate))
        await client.store.until { $0.queue.remaining == StreamFrames.sentinelRemaining }
        let after = CPUTime.process
        let serverAfter = try await server.threadCPU()
        let pageFrames = await children?.stop() ?? 0
        await dashboard?.stop()
        await client.stop()
        let ours = Double(after - before) - Double(serverAfter - serverBefore)
        return CPUCost(nanosecondsPerFrame: ours / Double(count), pageFrames: pageFrames)
    }

    /// `cost-runs` pairs of `cpuCost` runs, without and with the pages: the median of each.
    private func cpuCosts(server: FloodServer, stream: StreamFrames) async throws -> (without: Double, with: Double, pageFramesPerSecond: Double) {
        let (without, with) = try await alternating(
            "CPU per frame at \(Int(rate)) frames/s",
            without: { try await cpuCost(server: server, stream: stream, pages: nil) },
            with: { try await cpuCost(server: server, stream: stream, pages: pages) })
        let pageFrames = with.map { Double($0.pageFrames) / Double(max(1, pages)) / seconds }
        return (Self.median(without.map(\.nanosecondsPerFrame)), Self.median(with.map(\.nanosecondsPerFrame)), Self.median(pageFrames))
    }

    /// `cost-runs` pairs of runs, with no dashboard and then with `pages` pages: the
    /// machine's other work moves both runs of a pair the same way far more than it moves
    /// runs far apart.
    private func alternating<T>(
        _ what: String, without: () async throws -> T, with: () async throws -> T
    ) async throws -> (without: [T], with: [T]) {
        var bare: [T] = []
        var paged: [T] = []
        for run in 1...costRuns {
            progress("dashboard: \(what), no dashboard (\(run)/\(costRuns))")
            bare.append(try await without())
            progress("dashboard: \(what), \(pages) pages in a child process (\(run)/\(costRuns))")
            paged.append(try await with())
        }
        return (bare, paged)
    }

    // MARK: Memory of the real comfysh

    private func memoryWithPages() async throws -> (idle: Double?, withPages: Double?, peak: Double?) {
        let binary = comfysh ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("comfysh").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw StreamError("no comfysh binary at \(binary) (--comfysh)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["dashboard", "--demo", "--listen", "127.0.0.1:0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.interrupt(); process.waitUntilExit() } }
        // Its address, from the line it prints once it listens.
        let port: Int? = await withCheckedContinuation { continuation in
            let text = Mutex((String(), false))
            out.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                let found: (Bool, Int?) = text.withLock { box in
                    guard !box.1 else { return (false, nil) }
                    box.0 += String(decoding: data, as: UTF8.self)
                    if let range = box.0.range(of: #"· dashboard.* at http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                        box.1 = true
                        let digits = box.0[range].split(separator: ":").last.map { $0.dropLast() }
                        return (true, digits.flatMap { Int($0) })
                    }
                    if data.isEmpty {
                        box.1 = true
                        return (true, nil)
                    }
                    return (false, nil)
                }
                if found.0 {
                    handle.readabilityHandler = nil
                    continuation.resume(returning: found.1)
                }
            }
        }
        guard let port else { throw StreamError("comfysh dashboard did not start") }
        let pid = process.processIdentifier
        try await Task.sleep(for: .seconds(1))
        let idle = Self.rss(pid, "VmRSS:")
        let readers = (0..<pages).map { _ in PageReader(port: port) }
        for reader in readers { await reader.waitForSnapshot() }
        for _ in 0..<prompts { _ = try await Self.post(port: port, path: "/api/submit?demo=1") }
        // Until every prompt has finished, as the pages saw it.
        let deadline = ContinuousClock().now + .seconds(120)
        while ContinuousClock().now < deadline, readers[0].succeeded < prompts { try await Task.sleep(for: .milliseconds(100)) }
        let withPages = Self.rss(pid, "VmRSS:")
        let peak = Self.rss(pid, "VmHWM:")
        for reader in readers { await reader.stop() }
        return (idle, withPages, peak)
    }

    static func rss(_ pid: Int32, _ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }.map { $0 / 1024 }
        }
        return nil
    }

    static func post(port: Int, path: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// A page: one WebSocket to the dashboard that reads every frame and counts it.
final class PageReader: Sendable {
    struct Counts: Sendable {
        var frames = 0
        var bytes = 0
        var snapshots = 0
    }

    private let task: Task<Void, Never>
    private let snapshot: AsyncStream<Void>

    /// `countEvents`: count the `succeeded` events in each frame (the memory part waits
    /// for them); off, a page only counts frames and bytes.
    init(port: Int, countEvents: Bool = true) {
        let (snapshot, snapshotSink) = AsyncStream<Void>.makeStream()
        self.snapshot = snapshot
        let box = StateBox(countEvents: countEvents)
        task = Task {
            _ = try? await WSClientTransport().connect(
                url: "ws://127.0.0.1:\(port)/ws", headers: [], options: SocketOptions(maxFrameSize: 64 << 20, heartbeat: .seconds(30))
            ) { channel in
                for try await message in channel.inbound {
                    switch message {
                    case .text(let text):
                        box.text(text)
                        if text.hasPrefix(#"{"type":"snapshot""#) { snapshotSink.yield() }
                    case .binary(let bytes):
                        box.binary(bytes.count)
                    }
                }
            }
            snapshotSink.finish()
        }
        self.box = box
    }

    private let box: StateBox

    final class StateBox: Sendable {
        let value = Mutex((counts: Counts(), firstAt: UInt64(0), succeeded: 0))
        let start = Monotonic.now()
        let countEvents: Bool

        init(countEvents: Bool) { self.countEvents = countEvents }

        func text(_ text: String) {
            let succeeded = countEvents ? text.components(separatedBy: #"{"event":"succeeded""#).count - 1 : 0
            value.withLock {
                $0.counts.frames += 1
                $0.counts.bytes += text.utf8.count
                if text.hasPrefix(#"{"type":"snapshot""#) {
                    $0.counts.snapshots += 1
                    if $0.firstAt == 0 { $0.firstAt = Monotonic.now() }
                } else {
                    $0.succeeded += succeeded
                }
            }
        }

        func binary(_ count: Int) { value.withLock { $0.counts.bytes += count } }
    }

    var counts: Counts { box.value.withLock { $0.counts } }
    /// Finished prompts this page was told of (events).
    var succeeded: Int { box.value.withLock { $0.succeeded } }
    /// From connecting to its snapshot.
    var snapshotMs: Double {
        let first = box.value.withLock { $0.firstAt }
        return first == 0 ? 0 : Monotonic.seconds(from: box.start, to: first) * 1000
    }

    func waitForSnapshot() async {
        for await _ in snapshot { return }
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}
