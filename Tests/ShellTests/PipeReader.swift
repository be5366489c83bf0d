import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pipe on a thread of its own with blocking `read(2)`, handing each chunk to
/// `onData` and an empty chunk at the end.
///
/// Why not `FileHandle.readabilityHandler`: on Linux its dispatch read source can crash the
/// whole test process in `_dispatch_event_loop_drain` when it is torn down while another is
/// set up (swift-corelibs-libdispatch#949, swift-corelibs-foundation#3276); it did here, once
/// in 25 runs of two subprocess tests. A blocking read registers nothing with libdispatch.
enum PipeReader {
    static func start(_ handle: FileHandle, onData: @escaping @Sendable ([UInt8]) -> Void) {
        let fd = handle.fileDescriptor
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    onData([])
                    withExtendedLifetime(handle) {}  // the descriptor stays open until here
                    return
                }
                onData(Array(buffer[..<n]))
            }
        }
        thread.start()
    }
}
