/// How the benchmarks time work: whole passes over the frame set, repeated on the
/// calling thread until a minimum time has passed.
///
/// Whole passes (rather than a fixed message count) keep every contender on exactly the
/// same mix of frames; the pass is short (hundreds of frames), so overshooting the time
/// by part of one pass costs nothing in accuracy, and reading the clock once per pass
/// keeps its cost out of the per-message figure.
struct Measurement {
    let messages: Int
    let seconds: Double
    /// One pass's digest. Every pass must give the same one, and each is checked: that
    /// reads every result (so the optimiser cannot drop the work) and makes the printed
    /// checksum a fingerprint of what was decoded, stable from run to run.
    let checksum: Int
    /// False if some pass disagreed with the first: the code under test is not
    /// deterministic, which would be a bug worth more than the figure.
    let consistent: Bool

    var perSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }
}

enum Stopwatch {
    /// Runs `pass` (one pass over `messagesPerPass` messages, returning a digest of its
    /// results) until at least `seconds` have passed on `ContinuousClock`.
    ///
    /// A short untimed warm-up first, so page faults, lazy initialisers (the decoder's
    /// type table) and the first allocations of each size are not billed to the figure.
    static func measure(seconds: Double, messagesPerPass: Int, _ pass: () -> Int) -> Measurement {
        let clock = ContinuousClock()
        let checksum = pass()
        var consistent = true

        let warmUp = Duration.seconds(min(0.2, seconds / 10))
        let warmUpStart = clock.now
        repeat { consistent = pass() == checksum && consistent } while clock.now - warmUpStart < warmUp

        let budget = Duration.seconds(seconds)
        var passes = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            consistent = pass() == checksum && consistent
            passes += 1
            elapsed = clock.now - start
        } while elapsed < budget
        return Measurement(
            messages: passes * messagesPerPass, seconds: elapsed.inSeconds, checksum: checksum, consistent: consistent)
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
