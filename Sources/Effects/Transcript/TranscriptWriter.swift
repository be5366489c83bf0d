import Foundation
import ComfyCore

/// Writes transcripts in the fixture format (JSON Lines), so `comfysh replay` can read
/// back what `record` wrote. Only what crossed the wire is written: never the extra
/// headers (tokens live there), which are not part of any entry.
public final class TranscriptWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var closed = false
    private var failed: String?
    /// The file being written.
    public let path: String

    /// Creates `path` (mode 0600, never over an existing file) and writes the meta line.
    public init(path: String, meta: JSONValue) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: path])
        }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        self.handle = handle
        self.path = path
        write(line: .object([JSONField("t", 0), JSONField("meta", meta)]))
    }

    /// Appends one line. Safe from any thread.
    public func write(_ entry: TranscriptEntry) {
        write(line: entry.json)
    }

    /// Why writing stopped (a full disk, a removed mount), if it did: the lines before
    /// it are in the file, the later ones are not.
    public var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }

    /// Closes the file. What the tap still sends after (traffic in flight as the shell
    /// stops recording or quits) is dropped, not a crash.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        try? handle.close()
    }

    private func write(line: JSONValue) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, failed == nil else { return }
        // The throwing write: the old `write(_:)` traps on any error (a closed handle,
        // ENOSPC), and a recording must never take the client down.
        do { try handle.write(contentsOf: Data((JSONWriter.string(line) + "\n").utf8)) } catch {
            failed = "\(error.localizedDescription)"
        }
    }
}

extension TranscriptEntry {
    /// The entry as one line of the fixture format.
    public var json: JSONValue {
        func t(_ value: Double) -> JSONValue { .number((value * 10_000).rounded() / 10_000) }
        switch self {
        case .meta(let meta): return .object([JSONField("t", 0), JSONField("meta", meta)])
        case .open(let time, let socket, let path):
            return .object([JSONField("t", t(time)), JSONField("ws", .object(["event": "open", "conn": .number(Double(socket)), "path": .string(path)]))])
        case .close(let time, let socket):
            return .object([JSONField("t", t(time)), JSONField("ws", .object(["event": "close", "conn": .number(Double(socket))]))])
        case .text(let time, let socket, let incoming, let text):
            return .object([JSONField("t", t(time)), JSONField("conn", .number(Double(socket))), JSONField("dir", incoming ? "in" : "out"),
                            JSONField("kind", "text"), JSONField("text", .string(text))])
        case .binary(let time, let socket, let bytes):
            return .object([JSONField("t", t(time)), JSONField("conn", .number(Double(socket))), JSONField("dir", "in"),
                            JSONField("kind", "binary"), JSONField("b64", .string(Data(bytes ?? []).base64EncodedString()))])
        case .http(let time, let method, let path, let status, let request, let response):
            return .object([JSONField("t", t(time)), JSONField("http", .object([
                JSONField("method", .string(method)), JSONField("path", .string(path)), JSONField("status", .number(Double(status))),
                JSONField("request", request), JSONField("response", response),
            ]))])
        case .note(let time, let text): return .object([JSONField("t", t(time)), JSONField("note", .string(text))])
        }
    }

    /// One line for `trace`: direction, kind and the frame, cut to `width`.
    public func traceLine(width: Int = 200) -> String? {
        func cut(_ s: String) -> String { s.count > width ? String(s.prefix(width)) + "…" : s }
        switch self {
        case .meta, .note: return nil
        case .open(_, let socket, let path): return "⇄ socket \(socket) open \(path)"
        case .close(_, let socket): return "⇄ socket \(socket) closed"
        case .text(_, _, let incoming, let text): return "\(incoming ? "←" : "→") \(cut(text))"
        case .binary(_, _, let bytes):
            let type = (bytes?.count ?? 0) >= 4 ? Int(bytes![3]) | Int(bytes![2]) << 8 : -1
            return "← binary type \(type), \(bytes?.count ?? 0) bytes"
        case .http(_, let method, let path, let status, _, let response):
            return "⇢ \(method) \(path) → \(status) \(cut(JSONWriter.string(response)))"
        }
    }
}
