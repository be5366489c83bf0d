import Foundation
import ComfyCore

/// A long transcript of real-shaped frames for the replay figure: the recorded sessions
/// `success_progress` (progress, progress_state, metadata previews, progress text,
/// executed, status, HTTP), `success_progress_legacy` (legacy previews) and `cached_rerun`
/// (cached nodes, three prompts) and `history` (history and jobs listings over HTTP), one after the other, over and over, until the file has
/// the size asked for.
///
/// Each pass is a session of its own, as in the stream figure: every prompt id gets the
/// pass number as its last eight hex digits (in text and HTTP lines, and inside the
/// binary previews' metadata), and times run on (`t` is shifted past the previous pass).
/// Lines are otherwise the recordings' own bytes; the meta line comes once, at the top.
enum LongTranscript {
    static let sources = [
        "success_progress.jsonl", "success_progress_legacy.jsonl", "cached_rerun.jsonl", "history.jsonl",
    ]

    struct Written {
        var lines: Int
        var bytes: Int
        var passes: Int
    }

    struct GenerationError: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes the transcript to `path` (replacing it), at least `bytes` long.
    static func write(to path: String, fixtures: String, bytes target: Int) throws -> Written {
        var sessions: [[[UInt8]]] = []
        var meta: [UInt8]?
        for name in sources {
            let file = (fixtures as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw GenerationError(description: "cannot read \(file) (run from the package root)")
            }
            var lines = data.split(separator: UInt8(ascii: "\n")).map { [UInt8]($0) }
            if let first = lines.first, first.starts(with: Array(#"{"t":0,"meta""#.utf8)) {
                if meta == nil { meta = first }
                lines.removeFirst()
            }
            sessions.append(lines)
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw GenerationError(description: "cannot write \(path)")
        }
        defer { try? handle.close() }
        var out: [UInt8] = []
        out.reserveCapacity(4 << 20)
        var written = Written(lines: 0, bytes: 0, passes: 0)
        func flush() {
            handle.write(Data(out))
            written.bytes += out.count
            out.removeAll(keepingCapacity: true)
        }
        if let meta {
            out += meta
            out.append(0x0A)
            written.lines += 1
        }
        var offset = 0.0
        var pass: UInt32 = 0
        while written.bytes + out.count < target {
            for session in sessions {
                var last = 0.0
                for line in session {
                    let (t, rewritten) = rewrite(line, shift: offset, pass: pass)
                    last = max(last, t)
                    out += rewritten
                    out.append(0x0A)
                    written.lines += 1
                }
                offset += last + 1
                pass += 1
                if out.count >= 4 << 20 { flush() }
            }
            written.passes += 1
        }
        flush()
        return written
    }

    /// The line with `t` shifted and prompt ids renamed for `pass`; also the line's own `t`.
    static func rewrite(_ line: [UInt8], shift: Double, pass: UInt32) -> (Double, [UInt8]) {
        // Every recorded line starts `{"t":NUMBER,`.
        let prefix = Array(#"{"t":"#.utf8)
        guard line.starts(with: prefix), let comma = line[prefix.count...].firstIndex(of: UInt8(ascii: ",")),
            let t = Double(String(decoding: line[prefix.count..<comma], as: UTF8.self))
        else { return (0, line) }
        var out = prefix + Array(String(format: "%.4f", t + shift).utf8) + line[comma...]
        if let b64 = range(of: #""b64":""#, in: out) {
            // A binary frame: the prompt id inside the preview's metadata is base64'd.
            let end = out[b64.upperBound...].firstIndex(of: UInt8(ascii: "\""))!
            if var bytes = Data(base64Encoded: Data(out[b64.upperBound..<end])).map({ [UInt8]($0) }) {
                rename(&bytes, pass: pass)
                out.replaceSubrange(b64.upperBound..<end, with: Array(Data(bytes).base64EncodedString().utf8))
            }
        } else {
            rename(&out, pass: pass)
        }
        return (t, out)
    }

    static func rename(_ bytes: inout [UInt8], pass: UInt32) {
        for offset in StreamFrames.promptIDTails(bytes) {
            StreamFrames.patch({ bytes[$0] = $1 }, at: offset, pass: pass)
        }
    }

    static func range(of needle: String, in bytes: [UInt8]) -> Range<Int>? {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return nil }
        for i in 0...(bytes.count - n.count) where bytes[i] == n[0] && bytes[i..<(i + n.count)].elementsEqual(n) {
            return i..<(i + n.count)
        }
        return nil
    }
}
