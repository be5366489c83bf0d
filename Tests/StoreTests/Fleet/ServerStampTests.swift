@testable import ComfyCore
import Testing

/// The diff tells a server the action did not touch by its stamp (`ServerStamp`,
/// `StateDiff.sameValue`) instead of copying and comparing it: the lines must be the ones
/// `==` gives. Checked against the same diff with every server of the new state written
/// back equal (its stamp reset, so `==` decides), on random fleet histories with progress
/// ticks — some of them NaN, which Python sends and which `==` finds unequal to itself.
@Suite struct ServerStampTests {
    /// `state` with each server written back equal: its stamp reset.
    func rebuilt(_ state: AppState) -> AppState {
        func copy(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }
        var state = state
        for i in state.servers.indices {
            state.servers[i].name = copy(state.servers[i].name)
        }
        return state
    }

    /// Every stored property of a server resets its stamp when written (the rule the diff
    /// relies on), and the reducer stamps what it wrote.
    @Test func everyWriteResetsTheStamp() throws {
        var state = AppState(servers: ["a", "b"])
        state.apply(ComfyAction(at: Timestamp(seconds: 1), server: "a", .server(.status(.init(queueRemaining: 2)))))
        let stamped = state.servers[0]
        #expect(stamped.stamp.value != 0)
        #expect(ServerStamp.same(stamped.stamp, state.servers[0].stamp))
        let writes: [(inout ServerState) -> Void] = [
            { $0.name = "c" }, { $0.connection.lastFrameAt = Timestamp(seconds: 9) }, { $0.remaining = 7 },
            { $0.nodes.executing = "3" }, { $0.progress.value = 4 }, { $0.capabilities = nil }, { $0.status = .lost },
            { $0.highestNumber = 3 }, { $0.historyWasEmpty = true }, { $0.unidentified = 2 },
        ]
        for (i, write) in writes.enumerated() {
            var server = stamped
            write(&server)
            #expect(server.stamp.value == 0, "write \(i)")
            #expect(!ServerStamp.same(stamped.stamp, server.stamp))
        }
        // One write per stored property but the stamp: a new property needs its `didSet`
        // (and a line above).
        #expect(Mirror(reflecting: stamped).children.count == writes.count + 1)
        #expect(ServerStamp.same(ServerStamp(), ServerStamp()) == false)
    }

    /// The lines as text, NaN included (a NaN value is not `==` to itself, so lines holding
    /// one are compared by what they hold).
    func text(_ lines: [DiffLine]) -> [String] {
        lines.map { "\($0.kind) \($0.path) \(String(describing: $0.old)) \(String(describing: $0.new))" }
    }

    func bits(_ a: AppState, _ b: AppState, at index: Int) -> Bool {
        a.servers.withUnsafeBufferPointer { x in b.servers.withUnsafeBufferPointer { y in StateDiff.sameValue(x, y, at: index) } }
    }

    @Test(arguments: [1, 2, 3, 4]) func untouchedServersGiveTheLinesEqualityGives(seed: Int) throws {
        let fleet = FleetIndexTests()
        var state = AppState(servers: fleet.names)
        state.apply(ComfyAction(at: fleet.at(0), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        for name in fleet.names {
            state.apply(ComfyAction(at: fleet.at(0), server: name, .connection(.opened(socket: 1, path: "/ws", clientID: fleet.me))))
            state.apply(ComfyAction(at: fleet.at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            state.apply(ComfyAction(at: fleet.at(0.2), server: name, .http(.capabilities(ServerCapabilities(classes: FleetIndexTests.full)))))
        }
        var random = SplitMix64(seed: UInt64(seed))
        var skipped = 0
        var nanLines = 0
        for step in 0..<400 {
            var action = fleet.next(state, step: step, t: 1 + Double(step), random: &random)
            let server = fleet.names[Int(random.next() % 3)]
            if random.next() % 3 == 0, let running = state.queue.runningIDs(on: server).first {
                let value = random.next() % 8 == 0 ? Double.nan : Double(random.next() % 20)
                action = ComfyAction(at: fleet.at(1 + Double(step)), server: server,
                    .server(.progress(.init(value: value, max: 20, promptID: running, node: "2"))))
            }
            let old = state
            state.apply(action)
            let lines = StateDiff.between(old, state)
            try #require(text(lines) == text(StateDiff.between(old, rebuilt(state))), "seed \(seed) step \(step): \(action.event.summary)")
            skipped += state.servers.indices.filter { bits(old, state, at: $0) }.count
            nanLines += lines.filter { $0.path.hasSuffix(".value") && $0.old?.doubleValue?.isNaN == true }.count
        }
        // The shortcut was taken, and servers holding NaN were diffed as before.
        #expect(skipped > 400)
        #expect(nanLines > 0)
    }

    /// A server holding NaN is never taken as unchanged by its bytes: `==` says it changed,
    /// and the diff says so as it always did.
    @Test func aServerHoldingNaNIsComparedByEquality() {
        var state = AppState(servers: ["a", "b"])
        state.apply(ComfyAction(at: Timestamp(seconds: 1), server: "b", .server(.progress(.init(value: .nan, max: 20, promptID: "p1", node: "2")))))
        let old = state
        state.apply(ComfyAction(at: Timestamp(seconds: 2), server: "a", .server(.status(.init(queueRemaining: 0)))))
        #expect(!bits(old, state, at: 1))
        let lines = StateDiff.between(old, state)
        #expect(text(lines) == text(StateDiff.between(old, rebuilt(state))))
        #expect(lines.contains { $0.path == "servers.b.progress.value" && $0.old?.doubleValue?.isNaN == true })
    }
}
