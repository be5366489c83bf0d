import Clocks
import Store

extension Store {
    /// Waits, without sleeping, until the state satisfies `condition` (the test's time
    /// limit bounds it). Subscribes before looking, so no change can slip between.
    func until(_ condition: @Sendable (AppState) -> Bool) async {
        let changes = self.changes()
        if condition(state) { return }
        for await change in changes where condition(change.new) { return }
    }
}

extension TestClock<Duration> {
    /// Waits until something sleeps on the clock, so `advance` will wake it
    /// (`advance` only wakes sleepers that are already registered).
    func untilSuspended() async {
        while true {
            do {
                try await checkSuspension()
                await Task.yield()
            } catch {
                return
            }
        }
    }
}
