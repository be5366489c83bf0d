/// The client's clock, with its type erased: time since the client was made, and sleeping.
///
/// The client runs on any `Clock<Duration>` — a `TestClock` in tests, `ContinuousClock`
/// live — but a front end that holds a client should not have to name the clock's type in
/// its own signatures, so `ComfyClient` is not generic: it keeps these two closures.
struct ClientClock: Sendable {
    /// Time since the clock was erased (the client's start).
    let elapsed: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C, origin: C.Instant? = nil) where C.Duration == Duration {
        let origin = origin ?? clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }
}
