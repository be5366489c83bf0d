import ComfyCore

extension ComfyStore {
    /// `until`, giving up after `limit`: true if the condition came, false if time ran
    /// out. The limit is real time (it bounds a wait on I/O, it is not a policy), which
    /// is why this lives here and not in the pure core.
    @discardableResult
    public func until(_ condition: @escaping @Sendable (AppState) -> Bool, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.until(condition)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
