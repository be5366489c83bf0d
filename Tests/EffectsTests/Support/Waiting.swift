import Clocks
import ComfyCore

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
