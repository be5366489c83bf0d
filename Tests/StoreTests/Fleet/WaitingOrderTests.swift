@testable import ComfyCore
import Testing

/// Our queue's ordered index in chunks (`WaitingOrder`) against a plain sorted array: random
/// inserts (at the end mostly, at the head for `--front`, anywhere for a job back from a
/// lost server) and removals (from the head mostly), enough to split chunks and empty them.
@Suite struct WaitingOrderTests {
    typealias Key = QueueState.WaitingKey

    func key(_ n: Int, priority: Double) -> Key {
        var record = PromptRecord(id: "p\(n)", status: .waiting, owner: .ours, seen: n)
        record.priority = priority
        return Key(record)
    }

    @Test(arguments: [1, 2, 3]) func sameKeysInTheSameOrderAsASortedArray(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        var order = WaitingOrder()
        var model: [Key] = []
        var next = 0
        for step in 0..<4_000 {
            let roll = random.next() % 10
            if roll < 6 || model.isEmpty {
                next += 1
                let k = key(random.next() % 8 == 0 ? Int(random.next() % UInt64(next)) : next, priority: random.next() % 10 == 0 ? -1 : 0)
                guard !model.contains(where: { $0.id == k.id }) else { continue }
                order.insert(k)
                model.insert(k, at: model.partitioningIndex { k < $0 })
            } else {
                let at = roll < 9 ? 0 : Int(random.next() % UInt64(model.count))
                order.remove(model[at])
                model.remove(at: at)
            }
            try #require(order.count == model.count, "step \(step)")
            if step % 97 == 0 || model.count < 3 {
                try #require(Array(order).map(\.id) == model.map(\.id), "step \(step)")
                try #require(order.suffix(5).map(\.id) == model.suffix(5).map(\.id), "step \(step)")
                let after = model.isEmpty ? nil : model[Int(random.next() % UInt64(model.count))]
                let start = after.map { a in model.partitioningIndex { a < $0 } } ?? 0
                try #require(order.keys(after: after, limit: 16).map(\.id) == model[start..<min(model.count, start + 16)].map(\.id), "step \(step)")
            }
        }
        #expect(Array(order).map(\.id) == model.map(\.id))
        #expect(order == WaitingOrder(sorted: model))
    }
}
