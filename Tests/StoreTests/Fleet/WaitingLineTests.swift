@testable import ComfyCore
import Testing

/// `queue.waiting`'s lines read from the two orders (`StateDiff.waiting(_:_:into:)`), one
/// of them with its lists built only when read, are `JSONDiff`'s lines for the two lists
/// of ids: the same kinds, paths and values, in the same order, and the same renderings.
@Suite struct WaitingLineTests {
    typealias Key = QueueState.WaitingKey

    func key(_ n: Int) -> Key { Key(PromptRecord(id: "p\(n)", status: .waiting, owner: .ours, seen: n)) }

    func order(_ ns: [Int]) -> WaitingOrder { WaitingOrder(sorted: ns.map(key)) }

    /// The lines from the orders, and the lines JSONDiff gives for the lists built whole.
    func both(_ a: [Int], _ b: [Int]) -> (fromOrders: [DiffLine], full: [DiffLine]) {
        var fromOrders: [DiffLine] = []
        StateDiff.waiting(order(a), order(b), into: &fromOrders)
        var full: [DiffLine] = []
        JSONDiff.diff(.array(a.map { .string("p\($0)") }), .array(b.map { .string("p\($0)") }), at: "queue.waiting", into: &full)
        return (fromOrders, full)
    }

    /// The head sent (the usual change): one line, its lists deferred, reading as the
    /// lists built whole.
    @Test func theHeadLeavingIsOneLineBuiltWhenRead() throws {
        let a = Array(1...300)
        let b = Array(2...300)
        let (lines, full) = both(a, b)
        try #require(lines.count == 1)
        let line = lines[0]
        guard case .deferred = line.oldStored, case .deferred = line.newStored else {
            Issue.record("the lists were built")
            return
        }
        #expect(line == full[0])
        #expect(line.kind == .changed)
        #expect(line.path == "queue.waiting")
        #expect(line.old == .array(a.map { .string("p\($0)") }))
        #expect(line.new == .array(b.map { .string("p\($0)") }))
        #expect(line.old?.arrayValue?.count == 300)
        #expect(line.rendered() == full[0].rendered())
        #expect(line.readable(width: 40) == full[0].readable(width: 40))
        #expect(line.rendered(width: 40) == #"~ queue.waiting: ["p1","p2","p3","p4"… → ["p2","p3","p4","p5","p6","p7","p8","p9"…"#)
    }

    /// Setting `old` or `new` replaces a deferred value, as for any line.
    @Test func aDeferredValueCanBeReplaced() {
        var (lines, _) = both([1, 2, 3], [2, 3])
        lines[0].old = .string("x")
        #expect(lines[0].old == .string("x"))
        #expect(lines[0].new == .array(["p2", "p3"]))
        lines[0].new = nil
        #expect(lines[0].new == nil)
        #expect(lines[0] == DiffLine(.changed, "queue.waiting", old: .string("x")))
    }

    /// Every kind of change of the two lists: equal, reordered (a line per index), grown at
    /// the end, grown elsewhere, shrunk at the head, the tail or the middle, emptied.
    @Test func everyKindOfChangeGivesJSONDiffsLines() {
        let cases: [([Int], [Int])] = [
            ([1, 2, 3], [1, 2, 3]), ([], []), ([1, 2, 3], [1, 3, 2]), ([1, 2, 3], [4, 2, 5]),
            ([1, 2], [1, 2, 3, 4]), ([], [1]), ([1, 2], [0, 1, 2]), ([1, 2], [1, 5, 2]),
            ([1, 2, 3], [2, 3]), ([1, 2, 3], [1, 2]), ([1, 2, 3], [1, 3]), ([1], []), ([1, 2, 3], [4]),
        ]
        for (a, b) in cases {
            let (lines, full) = both(a, b)
            #expect(lines == full, "\(a) → \(b)")
            #expect(lines.map { $0.rendered() } == full.map { $0.rendered() }, "\(a) → \(b)")
        }
    }

    /// Long random orders across chunk boundaries, against JSONDiff.
    @Test(arguments: [1, 2, 3]) func randomOrdersGiveJSONDiffsLines(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        for round in 0..<40 {
            let a = (0..<Int(random.next() % 400)).map { $0 * 2 }
            var b = a
            switch random.next() % 4 {
            case 0: b.removeFirst(min(b.count, Int(random.next() % 3)))
            case 1: b += (0..<Int(random.next() % 5)).map { 10_000 + $0 }
            case 2: if !b.isEmpty { b.remove(at: Int(random.next() % UInt64(b.count))) }
            default: if !b.isEmpty { b[Int(random.next() % UInt64(b.count))] = 99_999 }
            }
            let (lines, full) = both(a, b)
            try #require(lines == full, "round \(round): \(a.count) → \(b.count)")
        }
    }
}
