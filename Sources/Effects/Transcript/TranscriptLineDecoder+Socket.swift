import ComfyCore

/// Socket and note lines (`{"t":…,"ws":{"event":"open","conn":N,"path":…}}`,
/// `{"t":…,"ws":{"event":"close","conn":N}}`, `{"t":…,"note":…}`) read without a
/// `JSONValue` tree of the line: a long transcript has one of these for every few
/// frames. As with frames and HTTP lines, only what the fast path is sure of — those
/// keys, each once, of the types the reader takes — and anything else goes to
/// `TranscriptReader.entry`, whose actions and errors are the reference.
extension TranscriptLineDecoder {
    /// The actions of a socket or note line (none for a note); nil for any other line, or
    /// one this is not sure of.
    static func socketOrNote(_ line: UnsafeBufferPointer<UInt8>) -> [ComfyAction]? {
        var r = JSONReader(line)
        var t: Double?
        var seen: UInt8 = 0  // one bit per key
        var socket: (event: Int, conn: Int, path: String?)?  // event: 1 open, 2 close
        do throws(JSONError) {
            guard r.peek() == UInt8(ascii: "{") else { return nil }
            try r.members { r, key throws(JSONError) in
                let bit: UInt8
                if key.matches("t") {
                    bit = 1
                    guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw notFast }
                    t = try r.readNumber()
                } else if key.matches("note") {
                    bit = 2
                    try r.skipValueStrictly(depth: 1)
                } else if key.matches("ws") {
                    bit = 4
                    socket = try ws(&r)
                } else {
                    throw notFast
                }
                guard seen & bit == 0 else { throw notFast }
                seen |= bit
            }
            try r.expectEnd()
        } catch {
            return nil
        }
        let at = Timestamp(seconds: t ?? 0)
        switch (seen & 6, socket) {
        case (2, nil):
            return []  // a note: no action
        case (4, let socket?):
            if socket.event == 1 {
                let path = socket.path ?? "/ws"
                return [
                    ComfyAction(
                        at: at,
                        .connection(.opened(socket: socket.conn, path: path, clientID: TranscriptActions.clientID(inPath: path))))
                ]
            }
            return [
                ComfyAction(at: at, .connection(.closed(socket: socket.conn, code: nil, reason: "closed by the client", byClient: true)))
            ]
        default:
            return nil
        }
    }

    /// The `ws` object: its event (1 open, 2 close), socket and path.
    private static func ws(_ r: inout JSONReader) throws(JSONError) -> (event: Int, conn: Int, path: String?) {
        guard r.peek() == UInt8(ascii: "{") else { throw notFast }
        var event = 0
        var conn: Int?
        var path: String?
        var seen: UInt8 = 0
        try r.members { r, key throws(JSONError) in
            let bit: UInt8
            if key.matches("event") {
                bit = 1
                guard r.peek() == UInt8(ascii: "\""), let raw = try r.readRawString() else { throw notFast }
                if raw.elementsEqual("open".utf8) {
                    event = 1
                } else if raw.elementsEqual("close".utf8) {
                    event = 2
                } else {
                    throw notFast
                }
            } else if key.matches("conn") {
                bit = 2
                guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw notFast }
                // The reader's rule (`JSONValue.intValue`).
                let d = try r.readNumber()
                guard d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { throw notFast }
                conn = Int(d)
            } else if key.matches("path") {
                bit = 4
                guard r.peek() == UInt8(ascii: "\"") else { throw notFast }
                path = try r.readString()
            } else {
                throw notFast
            }
            guard seen & bit == 0 else { throw notFast }
            seen |= bit
        }
        guard event != 0, let conn else { throw notFast }
        return (event, conn, path)
    }
}
