import Foundation
import ComfyCore

/// Reads transcripts: a file into lines, a line into a `TranscriptEntry`.
public enum TranscriptReader {
    /// Reads every entry of the file at `path`, with its line number.
    public static func read(path: String) throws(TranscriptError) -> [(line: Int, entry: TranscriptEntry)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw TranscriptError(
                line: 0, reason: exists ? (isDirectory.boolValue ? "\(path) is a directory" : "cannot read \(path)") : "no such file: \(path)")
        }
        return try parse(data)
    }

    /// Every entry of a transcript held in memory, with its line number; blank lines are
    /// skipped. Throws at the first line that cannot be read.
    public static func parse(_ data: some Collection<UInt8>) throws(TranscriptError) -> [(line: Int, entry: TranscriptEntry)] {
        var entries: [(line: Int, entry: TranscriptEntry)] = []
        var number = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            entries.append((number, try entry(line, number: number)))
        }
        return entries
    }

    /// The entry of one line (line number `number`, for the error).
    public static func entry(_ line: some Collection<UInt8>, number: Int) throws(TranscriptError) -> TranscriptEntry {
        let object: JSONValue
        do { object = try JSONValue.parse(line) } catch { throw TranscriptError(line: number, reason: "not JSON (\(error))") }
        guard case .object = object else { throw TranscriptError(line: number, reason: "not a JSON object") }
        let t = object["t"]?.doubleValue ?? 0
        if let meta = object["meta"] { return .meta(meta) }
        if let note = object["note"] { return .note(t: t, text: note.stringValue ?? JSONWriter.string(note)) }
        if let ws = object["ws"] {
            guard let socket = ws["conn"]?.intValue else { throw TranscriptError(line: number, reason: "ws line without conn") }
            switch ws["event"]?.stringValue {
            case "open": return .open(t: t, socket: socket, path: ws["path"]?.stringValue ?? "/ws")
            case "close": return .close(t: t, socket: socket)
            case let other: throw TranscriptError(line: number, reason: "unknown ws event \(other.map { "\"\($0)\"" } ?? "(none)")")
            }
        }
        if let http = object["http"] {
            guard let method = http["method"]?.stringValue, let path = http["path"]?.stringValue,
                let status = http["status"]?.intValue
            else { throw TranscriptError(line: number, reason: "http line without method, path or status") }
            return .http(
                t: t, method: method, path: path, status: status, request: http["request"] ?? .null,
                response: http["response"] ?? .null)
        }
        if let kind = object["kind"]?.stringValue {
            guard let socket = object["conn"]?.intValue else { throw TranscriptError(line: number, reason: "frame without conn") }
            let incoming = object["dir"]?.stringValue != "out"
            switch kind {
            case "text":
                guard let text = object["text"]?.stringValue else { throw TranscriptError(line: number, reason: "text frame without text") }
                return .text(t: t, socket: socket, incoming: incoming, text: text)
            case "binary":
                let bytes = object["b64"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
                return .binary(t: t, socket: socket, bytes: bytes)
            default:
                throw TranscriptError(line: number, reason: "unknown frame kind \"\(kind)\"")
            }
        }
        throw TranscriptError(line: number, reason: "unknown line kind (keys: \(object.objectValue!.map(\.key).joined(separator: ", ")))")
    }
}
