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
        var socket: (event: Int, conn: Int, path: String?)?  // event: 1 open, 2 close
        let read = timedLine(line) { r, key throws(JSONError) -> UInt8? in
            if key.matches("note") {
                try r.skipValueStrictly(depth: 1)
                return 2
            }
            if key.matches("ws") {
                socket = try ws(&r)
                return 4
            }
            return nil
        }
        guard let (at, seen) = read else { return nil }
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
