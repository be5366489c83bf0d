import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and with what the figures were measured: a figure without its machine and
/// compiler cannot be compared with another.
enum Machine {
    /// `uname -m`: the architecture (x86_64, aarch64, arm64).
    static var architecture: String {
        var info = utsname()
        guard uname(&info) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// What `nproc` prints: the processors this process may run on.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The compiler that built this binary, to the precision `#if compiler` can tell.
    static var compiler: String {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3.1)
        "6.3.1"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "older than 6.2"
        #endif
    }

    static var date: String { Date().ISO8601Format() }
}
