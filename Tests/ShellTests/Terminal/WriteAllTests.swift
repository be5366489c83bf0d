import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ComfyShell

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `writeAll` is how every byte reaches the terminal: all of it, in order, even when the
/// descriptor takes only part of a write or none at all for a while.
@Suite struct WriteAllTests {
    /// Reads `fd` to its end on a thread of its own; `wait()` returns everything read.
    final class Reader: Sendable {
        private let received = Mutex<[UInt8]>([])
        private let done = DispatchSemaphore(value: 0)

        init(fd: Int32) {
            let thread = Thread { [self] in
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(fd, &chunk, chunk.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    received.withLock { $0.append(contentsOf: chunk[..<n]) }
                }
                done.signal()
            }
            thread.start()
        }

        func wait() -> [UInt8] {
            done.wait()
            return received.withLock { $0 }
        }
    }

    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func everythingArrivesThroughAPipe() throws {
        let (readEnd, writeEnd) = try Self.makePipe()
        defer { close(readEnd) }
        let text = "printed above ✓\r\n"
        var bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { writeAll(writeEnd, $0) })
        close(writeEnd)
        bytes = [UInt8](repeating: 0, count: 64)
        let n = read(readEnd, &bytes, bytes.count)
        #expect(n == text.utf8.count)
        #expect(String(decoding: bytes[..<max(n, 0)], as: UTF8.self) == text)
    }

    /// Far more than a pipe holds (64 KiB on Linux), into a non-blocking pipe: writes are
    /// partial, then fail with EAGAIN until the reader makes room.
    @Test func moreThanAFullNonBlockingPipeArrivesWholeAndInOrder() throws {
        let (readEnd, writeEnd) = try Self.makePipe()
        defer { close(readEnd) }
        try #require(fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK) == 0)
        let payload = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 251) }
        let reader = Reader(fd: readEnd)
        let written = payload.withUnsafeBytes { writeAll(writeEnd, $0) }
        close(writeEnd)
        let received = reader.wait()
        #expect(written)
        #expect(received.count == payload.count)
        #expect(received == payload)
    }

    @Test func nothingToWriteIsDoneAtOnce() {
        #expect(writeAll(-1, UnsafeRawBufferPointer(start: nil, count: 0)))
        #expect([UInt8]().withUnsafeBytes { writeAll(-1, $0) })
    }

    @Test func aDescriptorThatCannotBeWrittenIsAFailureNotARetry() throws {
        #expect(![UInt8(0x61)].withUnsafeBytes { writeAll(-1, $0) })  // EBADF
        let (readEnd, writeEnd) = try Self.makePipe()
        defer { close(readEnd); close(writeEnd) }
        #expect(![UInt8(0x61)].withUnsafeBytes { writeAll(readEnd, $0) })  // the read end: EBADF
    }
}
