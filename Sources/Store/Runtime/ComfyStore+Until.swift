extension ComfyStore {
    /// Waits until the state satisfies `condition` — without polling or sleeping: it
    /// subscribes before looking, so no change can slip between the look and the wait.
    public func until(_ condition: @Sendable (AppState) -> Bool) async {
        let changes = self.changes()
        if condition(state) { return }
        for await change in changes where condition(change.new) { return }
    }
}
