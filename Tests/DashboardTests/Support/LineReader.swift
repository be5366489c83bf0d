import Foundation
import Synchronization

/// A child process's output as lines, as they come: each complete line is yielded, the
/// stream ends with the output.
enum LineReader {
    static func follow(_ handle: FileHandle, into sink: AsyncStream<String>.Continuation) {
        let pending = Mutex("")
        handle.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                sink.finish()
                return
            }
            let text = String(decoding: data, as: UTF8.self)
            let complete: [String] = pending.withLock { buffer in
                buffer += text
                var out: [String] = []
                while let newline = buffer.firstIndex(of: "\n") {
                    out.append(String(buffer[..<newline]))
                    buffer = String(buffer[buffer.index(after: newline)...])
                }
                return out
            }
            for line in complete { sink.yield(line) }
        }
    }
}
