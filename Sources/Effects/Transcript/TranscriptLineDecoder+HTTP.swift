import ComfyCore

/// HTTP lines (`{"t":…,"t_sent":…,"http":{"method":…,"path":…,"status":…,"request":…,
/// "response":…}}`) read straight into their `HTTPResult`, the bodies only as far as
/// `HTTPResultDecoder` reads them (`HTTPResultDecoder.shapes`): a transcript's history
/// and jobs listings and `POST /prompt` bodies were whole `JSONValue` trees, built and
/// thrown away, a sixth of a long replay (docs/performance.md, "Replay").
///
/// Like the frame fast path, it takes only what it is sure of — the keys `t`, `t_sent`
/// and `http`, each once; in `http` the method, path and status (once each, strings and
/// a whole number) before the bodies — and leaves any other line to
/// `TranscriptReader.entry`, whose results and errors it must match
/// (`TranscriptStreamTests`, `HTTPShapeTests`).
extension TranscriptLineDecoder {
    /// The action of an HTTP line; nil for any other line, or one this is not sure of.
    static func http(_ line: UnsafeBufferPointer<UInt8>) -> ComfyAction? {
        var result: HTTPResult?
        let read = timedLine(line) { r, key throws(JSONError) -> UInt8? in
            if key.matches("t_sent") {
                try r.skipValueStrictly(depth: 1)
                return 2
            }
            if key.matches("http") {
                result = try exchange(&r)
                return 4
            }
            return nil
        }
        guard let read, let result else { return nil }
        return ComfyAction(at: read.at, .http(result))
    }

    /// The `http` object (at depth 1 of its line) as `TranscriptReader.entry` and
    /// `TranscriptActions` would make it into a result.
    private static func exchange(_ r: inout JSONReader) throws(JSONError) -> HTTPResult {
        guard r.peek() == UInt8(ascii: "{") else { throw notFast }
        var method: String?
        var path: String?
        var status: Int?
        var shapes: (request: JSONShape, response: JSONShape)?
        // As the reader gives them: a missing request is no request, a missing response null.
        var request: JSONValue = .null
        var response: JSONValue = .null
        var seen: UInt8 = 0
        try r.members { r, key throws(JSONError) in
            let bit: UInt8
            if key.matches("method") || key.matches("path") {
                bit = key.matches("method") ? 1 : 2
                guard r.peek() == UInt8(ascii: "\"") else { throw notFast }
                let s = try r.readString()
                if bit == 1 { method = s } else { path = s }
            } else if key.matches("status") {
                bit = 4
                guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw notFast }
                // The reader's rule (`JSONValue.intValue`).
                let d = try r.readNumber()
                guard d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { throw notFast }
                status = Int(d)
            } else if key.matches("request") || key.matches("response") {
                bit = key.matches("request") ? 8 : 16
                // What to build depends on the route: known only when these came first.
                guard let method, let path, let status else { throw notFast }
                if shapes == nil { shapes = HTTPResultDecoder.shapes(method: method, path: path, status: status) }
                if bit == 8 {
                    request = try r.readValue(shape: shapes!.request, depth: 2)
                } else {
                    response = try r.readValue(shape: shapes!.response, depth: 2)
                }
            } else {
                try r.skipValueStrictly(depth: 2)
                return
            }
            guard seen & bit == 0 else { throw notFast }
            seen |= bit
        }
        guard let method, let path, let status else { throw notFast }
        return HTTPResultDecoder.decode(
            method: method, path: path, status: status, request: request.isNull ? nil : request, response: response)
    }
}
