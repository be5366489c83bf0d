import Clocks
import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// Learned durations (issue 15) outlive the process: the job store keeps them, and the next
/// fleet on the same store predicts a workflow it has never run itself from what the last
/// one learned — its first run's ETA says `workflow`, not `lower_bound`.
@Suite(.timeLimit(.minutes(2)), .serialized) struct LearnedDurationsLiveTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-durations-\(UUID().uuidString)")

    var databasePath: String { dir.appendingPathComponent("jobs.sqlite").path }

    /// An empty image through a ten-step loop, saved; `seed` keeps the cache from answering.
    static func job(_ seed: Int) -> Workflow {
        Workflow(
            name: "eta-\(seed)",
            graph: .object([
                JSONField("1", .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])])),
                JSONField("2", .object(["class_type": "TestProgressLoop", "inputs": .object([
                    "image": ["1", 0], "steps": 10, "delay": 0.01, "preview": false, "preview_size": 16, "progress_text": false, "seed": .number(Double(seed)),
                ])])),
                JSONField("3", .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "comfy_test/eta"])])),
            ]))
    }

    @Test func theJobStoreKeepsLearnedDurationsAndReplacesThemByKey() async throws {
        let store = try SQLiteJobStore(path: databasePath)
        let a = DurationEntry(key: "w\u{1F}*\u{1F}abc", stat: .init(seconds: 2.5, runs: 3, perStep: nil, tail: nil))
        let b = DurationEntry(key: "n\u{1F}s\u{1F}abc\u{1F}2", stat: .init(seconds: 1.5, runs: 1, perStep: 0.15, tail: 0.02))
        try await store.saveDurations([a, b])
        #expect(try await store.durations().sorted { $0.key < $1.key } == [b, a].sorted { $0.key < $1.key })
        var newer = a
        newer.stat.seconds = 3
        try await store.saveDurations([newer])
        #expect(try await store.durations().first { $0.key == a.key }?.stat.seconds == 3)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func aNewFleetOnTheSameJobStorePredictsAWorkflowTheLastOneLearned() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5)))
        try await simulator.start()
        defer { Task { await simulator.stop() } }
        func newFleet() throws -> ComfyFleet {
            var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: ClientIdentity.generate())
            configuration.heartbeat = .seconds(5)
            configuration.followUpInterval = .zero
            return ComfyFleet(servers: [configuration], clock: TestClock(), jobs: try SQLiteJobStore(path: databasePath))
        }

        // The first process: one run, learned, written at stop.
        let first = try newFleet()
        await first.start()
        #expect(await first.store.until({ $0.servers.allSatisfy(\.isUsable) }, within: .seconds(30)))
        let one = await first.submit(Self.job(1))
        #expect(await first.store.until({ $0.queue.prompts[one]?.status == .succeeded }, within: .seconds(30)))
        let learned = first.store.state.estimates.entries
        #expect(!learned.isEmpty)
        await first.stop()
        #expect(await first.jobStoreError == nil)

        // The next process reads them back before its server connects, and its first run of
        // the same workflow (another seed) is predicted from them.
        let second = try newFleet()
        await second.start()
        #expect(Set(second.store.state.estimates.entries.keys) == Set(learned.keys))
        #expect(await second.store.until({ $0.servers.allSatisfy(\.isUsable) }, within: .seconds(30)))
        let two = await second.submit(Self.job(2))
        #expect(await second.store.until({ $0.progress.promptID == two && $0.progress.etaBasis == .workflow }, within: .seconds(30)))
        #expect(await second.store.until({ $0.queue.prompts[two]?.status == .succeeded }, within: .seconds(30)))
        await second.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}
