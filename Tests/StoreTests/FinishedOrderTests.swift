@testable import ComfyCore
import Testing

/// The order finished prompts are forgotten in (`FinishedOrder`, chunks) against a plain
/// array: appends and removals from the front, across chunk boundaries, with copies kept
/// (as a front end keeps the state before) that must not see later writes.
@Suite struct FinishedOrderTests {
    @Test func sameIDsInTheSameOrderAsAnArray() throws {
        var random = SplitMix64(seed: 7)
        var order = FinishedOrder(["x0", "x1", "x2"])
        var model = ["x0", "x1", "x2"]
        var kept: [(FinishedOrder, [String])] = []
        for step in 0..<3_000 {
            if random.next() % 3 != 0 || model.isEmpty {
                order.append("p\(step)")
                model.append("p\(step)")
            } else {
                try #require(order.popFirst() == model.removeFirst(), "step \(step)")
            }
            try #require(order.count == model.count, "step \(step)")
            if step % 101 == 0 { kept.append((order, model)) }
        }
        for (copy, expected) in kept {
            var copy = copy
            var drained: [String] = []
            while let id = copy.popFirst() { drained.append(id) }
            #expect(drained == expected)
        }
        var empty = FinishedOrder()
        #expect(empty.popFirst() == nil)
    }
}
