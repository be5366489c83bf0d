import Foundation

/// Reads a pipe to its end on a thread of its own and hands the bytes to async code.
///
/// Why not `Task.detached { readDataToEndOfFile() }`: that blocks a thread of Swift's
/// cooperative pool, which has one thread per core — two such reads on this two-core
/// machine would leave no thread for anything else, the flood server's waiting included.
enum PipeReader {
    static func readToEnd(_ pipe: Pipe) -> Task<Data, Never> { readToEnd(pipe.fileHandleForReading) }

    /// Reads `handle` to its end (see the type's note).
    static func readToEnd(_ handle: FileHandle) -> Task<Data, Never> {
        let (stream, continuation) = AsyncStream<Data>.makeStream()
        let thread = Thread {
            continuation.yield(handle.readDataToEndOfFile())
            continuation.finish()
        }
        thread.start()
        return Task {
            var data = Data()
            for await chunk in stream { data.append(chunk) }
            return data
        }
    }
}
