extension QueueState {
    /// Keeps `runningOrder` in step with a record written: the diff lists the running
    /// prompts of the state before and after every action that starts or ends one, and
    /// collecting them from the records copied each record on every server (a fifth of a
    /// completion's dispatch+diff in a fleet of 32, measured). A sorted array of at most a
    /// few ids per server: an insert or a removal, copied whole when shared, is cheap.
    mutating func noteRunning(_ id: String, _ before: PromptRecord?, _ after: PromptRecord?) {
        if runningOrder == nil {
            runningOrder = records.values.lazy.filter { $0.status == .running && $0.id != id }.map(\.id).sorted()
        } else if before?.status == .running, let at = runningOrder!.firstIndex(of: id) {
            runningOrder!.remove(at: at)
        }
        if after?.status == .running { runningOrder!.insert(id, at: runningOrder!.partitioningIndex { id < $0 }) }
    }
}
