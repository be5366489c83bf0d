#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time used, in nanoseconds, from the kernel's clocks (`clock_gettime`): what a
/// figure that must not depend on how busy the machine is reads instead of wall time.
enum CPUTime {
    /// Every thread of this process, those that ended included.
    static var process: UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }
    /// The calling thread.
    static var thread: UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
