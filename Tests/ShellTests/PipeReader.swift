import Foundation
import Synchronization

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

    /// Like `start`, handing over whole lines (without the newline) as they complete, then
    /// `nil` at the end — after the last unterminated piece, if there was one.
    static func lines(_ handle: FileHandle, onLine: @escaping @Sendable (String?) -> Void) {
        let pending = Mutex([UInt8]())
        start(handle) { data in
            if data.isEmpty {
                let rest = pending.withLock { bytes in defer { bytes = [] }; return bytes }
                if !rest.isEmpty { onLine(String(decoding: rest, as: UTF8.self)) }
                onLine(nil)
                return
            }
            let complete: [String] = pending.withLock { bytes in
                bytes.append(contentsOf: data)
                var found: [String] = []
                while let newline = bytes.firstIndex(of: 0x0A) {
                    found.append(String(decoding: bytes[..<newline], as: UTF8.self))
                    bytes.removeSubrange(...newline)
                }
                return found
            }
            for line in complete { onLine(line) }
        }
    }
}
