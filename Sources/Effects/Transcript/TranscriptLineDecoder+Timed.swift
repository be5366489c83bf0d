import ComfyCore

extension TranscriptLineDecoder {
    /// A line `{"t": number, …}` whose other keys `member` reads: it returns the key's bit
    /// (one per key, never 1, which is `t`'s), or nil for a key the fast path does not
    /// know. Nil when the line is not an object, a key comes twice, `t` is not a number,
    /// or `member` or the reader is unsure (throws): that line goes to
    /// `TranscriptReader.entry`. The HTTP and socket/note paths share it.
    static func timedLine(
        _ line: UnsafeBufferPointer<UInt8>, _ member: (inout JSONReader, JSONReader.Key) throws(JSONError) -> UInt8?
    ) -> (at: Timestamp, seen: UInt8)? {
        var r = JSONReader(line)
        var t: Double?
        var seen: UInt8 = 0  // one bit per key
        do throws(JSONError) {
            guard r.peek() == UInt8(ascii: "{") else { return nil }
            try r.members { r, key throws(JSONError) in
                let bit: UInt8
                if key.matches("t") {
                    bit = 1
                    guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw notFast }
                    t = try r.readNumber()
                } else if let other = try member(&r, key) {
                    bit = other
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
        return (Timestamp(seconds: t ?? 0), seen)
    }
}
