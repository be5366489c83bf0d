extension StateDiff {
    /// `queue.waiting`, given the records that differ: the list is a function of the
    /// waiting records (their priority and arrival), so it moves only when one of these
    /// joined it, left it or moved in it; and when jobs only joined at its end, the lines
    /// are the ones appended, found without building either list.
    static func waiting(_ old: QueueState, _ new: QueueState, changed: [RecordPair], into out: inout [DiffLine]) {
        var joined: [QueueState.WaitingKey] = []
        var moved = false
        for pair in changed {
            let a = pair.old.flatMap { $0.record.status == .waiting ? QueueState.WaitingKey($0.record) : nil }
            let b = pair.new.flatMap { $0.record.status == .waiting ? QueueState.WaitingKey($0.record) : nil }
            switch (a, b) {
            case (nil, nil): continue
            case (nil, let b?): joined.append(b)
            case let (a?, b?) where !(a < b) && !(b < a): continue
            default: moved = true
            }
        }
        if !moved, joined.isEmpty { return }
        guard let before = old.waitingOrder, let after = new.waitingOrder else {
            JSONDiff.diff(old.waitingIDs.json, new.waitingIDs.json, at: "queue.waiting", into: &out)
            return
        }
        if !moved, before.count + joined.count == after.count, before.last.map({ key in joined.allSatisfy { key < $0 } }) ?? true {
            // The old list is the new one's prefix: JSONDiff's lines for an array that grew.
            for (offset, key) in after.suffix(joined.count).enumerated() {
                out.append(DiffLine(.added, "queue.waiting[\(before.count + offset)]", new: .string(key.id)))
            }
            return
        }
        waiting(before, after, into: &out)
    }

    /// The lines `JSONDiff` gives for the two lists of ids, read from the orders: what
    /// a changed index, an array that grew or one changed whole gives, with a list built
    /// only when a line is read (`LineValue`).
    static func waiting(_ before: WaitingOrder, _ after: WaitingOrder, into out: inout [DiffLine]) {
        if before.count == after.count {
            // JSONDiff's rule for arrays of one length: a line per index that differs.
            var index = 0
            for (a, b) in zip(before, after) {
                if a.id != b.id { out.append(DiffLine(.changed, "queue.waiting[\(index)]", old: .string(a.id), new: .string(b.id))) }
                index += 1
            }
            return
        }
        if after.count > before.count, zip(before, after).allSatisfy({ $0.id == $1.id }) {
            // Grew at its end: a line per id appended.
            for (offset, key) in after.suffix(after.count - before.count).enumerated() {
                out.append(DiffLine(.added, "queue.waiting[\(before.count + offset)]", new: .string(key.id)))
            }
            return
        }
        // Any other change of length (the head of the queue sent: the usual one) is one
        // line holding both lists — kept as the two orders, built when read.
        out.append(DiffLine(.changed, "queue.waiting", deferredOld: .deferred { before.json }, deferredNew: .deferred { after.json }))
    }
}

extension WaitingOrder {
    /// The ids in order, as `queue.waiting` is in the state's JSON.
    var json: JSONValue {
        var items: [JSONValue] = []
        items.reserveCapacity(count)
        for key in self { items.append(.string(key.id)) }
        return .array(items)
    }
}
