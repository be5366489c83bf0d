#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A transcript file read in chunks, line by line, without holding the file.
///
/// Why: `comfysh replay` of a 40 MB transcript read the whole file into memory, split it
/// into a `Data` per line and kept every parsed entry — 111 MB resident, and most of the
/// time in the split (docs/performance.md, "Replay"). Here the file is read with read(2)
/// into one buffer of 1 MiB (grown only for a longer line), each line is found with
/// memchr and handed over in place as bytes; nothing outlives the call but the buffer.
public enum TranscriptFile {
    /// Bytes read per read(2).
    public static let chunkSize = 1 << 20

    /// Calls `body` with every line of the file at `path` (without its `\n`) and its
    /// 1-based number, in order; the bytes are valid only during the call. Lines that are
    /// empty or only blanks are skipped (their numbers still count), as `TranscriptReader`
    /// does. Stops at the first error `body` throws.
    public static func forEachLine(
        path: String, _ body: (_ number: Int, _ line: UnsafeBufferPointer<UInt8>) throws(TranscriptError) -> Void
    ) throws(TranscriptError) {
        let fd = try open(path)
        defer { close(fd) }
        var capacity = chunkSize
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var filled = 0  // bytes in the buffer
        var number = 0
        var atEnd = false
        while !atEnd {
            if filled == capacity {
                // A line longer than the buffer: grow it (a 50 MB HTTP body is one line).
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw TranscriptError(line: 0, reason: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            atEnd = n == 0
            let end = filled + n
            // Every complete line in the buffer (and at the end of the file, the rest).
            var start = 0
            while start < end {
                let rest = end - start
                guard let newline = memchr(buffer + start, 0x0A, rest) else {
                    if atEnd {
                        number += 1
                        try line(number, UnsafeBufferPointer(start: buffer + start, count: rest), body)
                        start = end
                    }
                    break
                }
                let length = buffer.distance(to: newline.assumingMemoryBound(to: UInt8.self)) - start
                number += 1
                try line(number, UnsafeBufferPointer(start: buffer + start, count: length), body)
                start += length + 1
            }
            // Keep the incomplete last line for the next read.
            filled = end - start
            if filled > 0, start > 0 { (buffer).update(from: buffer + start, count: filled) }
        }
        // A file that ends with "\n" has an empty last line, as `split` gives: counted, skipped.
    }

    @inline(__always)
    private static func line(
        _ number: Int, _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws(TranscriptError) -> Void
    ) throws(TranscriptError) {
        // Blank lines are skipped; a JSON line starts with `{`, so this looks at one byte.
        if let first = bytes.first, first != 0x20, first != 0x0D, first != 0x09 {
            try body(number, bytes)
        } else if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            try body(number, bytes)
        }
    }

    /// Opens `path` for reading, with the reader's error messages.
    private static func open(_ path: String) throws(TranscriptError) -> Int32 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw TranscriptError(line: 0, reason: "no such file: \(path)") }
            throw TranscriptError(line: 0, reason: "cannot read \(path)")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw TranscriptError(line: 0, reason: "\(path) is a directory") }
        #if canImport(Glibc)
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        let fd = Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
        guard fd >= 0 else { throw TranscriptError(line: 0, reason: "cannot read \(path)") }
        return fd
    }
}
