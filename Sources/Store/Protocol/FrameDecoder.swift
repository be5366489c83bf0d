/// Turns a raw text frame into a `ComfyAction`. Pure and total: any input at all yields an
/// action; at worst `unknown` (a type we do not know, kept whole) or `protocolError`.
public enum FrameDecoder {
    /// The action for one text frame, received at `time`.
    public static func decode(text: String, at time: Timestamp) -> ComfyAction {
        var text = text
        return text.withUTF8 { decode(utf8: $0, at: time) }
    }

    /// The action for one text frame given as UTF-8 bytes.
    public static func decode(utf8 bytes: some Collection<UInt8>, at time: Timestamp) -> ComfyAction {
        if let action = bytes.withContiguousStorageIfAvailable({ decode(utf8: $0, at: time) }) { return action }
        return Array(bytes).withUnsafeBufferPointer { decode(utf8: $0, at: time) }
    }

    /// The same, over bytes the caller already holds (no copy).
    public static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, at time: Timestamp) -> ComfyAction {
        ComfyAction(at: time, decodeEvent(bytes))
    }

    /// The same, a prompt id equal to `knownPromptID` given as that very string (see
    /// `JSONReader.readPromptIDOrNull`): for a decoder that remembers the running prompt.
    static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, at time: Timestamp, knownPromptID: String?) -> ComfyAction {
        ComfyAction(at: time, decodeEvent(bytes, knownPromptID: knownPromptID))
    }

    static func decodeEvent(_ bytes: UnsafeBufferPointer<UInt8>, knownPromptID: String? = nil) -> Event {
        var reader = JSONReader(bytes)
        reader.knownPromptID = knownPromptID
        var type: String?
        var decoder: MessageDecoders.Kind?
        var message: ServerMessage?
        // `data` normally follows `type` and is decoded in one pass; if it comes first,
        // remember where it starts and decode it once the type is known.
        var deferredData: Int?
        do throws(JSONError) {
            guard reader.peek() == UInt8(ascii: "{") else {
                return .protocolError(ProtocolError(reason: "a text frame must be a JSON object", excerpt: excerpt(bytes)))
            }
            try reader.members { r, key throws(JSONError) in
                if key.matches("type") {
                    guard r.peek() == UInt8(ascii: "\"") else { throw JSONError("\"type\" is not a string", at: r.offset) }
                    if let raw = try r.readRawString() {
                        decoder = MessageDecoders.Kind(raw: raw)
                        type = decoder?.name ?? String(decoding: raw, as: UTF8.self)
                    } else {
                        // Escapes: make the string, then look it up.
                        let text = try r.readString()
                        (type, decoder) = (text, MessageDecoders.Kind(text))
                    }
                } else if key.matches("data") {
                    if let decoder {
                        message = try decoder.decode(&r)
                    } else {
                        deferredData = r.offset
                        try r.skipValue()
                    }
                } else {
                    try r.skipValue()
                }
            }
            try reader.expectEnd()
            guard let type else {
                return .protocolError(ProtocolError(reason: "frame has no \"type\"", excerpt: excerpt(bytes)))
            }
            if message == nil, let decoder {
                guard let start = deferredData else {
                    return .protocolError(ProtocolError(reason: "\(type) frame has no \"data\"", excerpt: excerpt(bytes)))
                }
                var dataReader = JSONReader(bytes, at: start)
                dataReader.knownPromptID = knownPromptID
                message = try decoder.decode(&dataReader)
            }
            if let message { return .server(message) }
            return .unknown(type: type, payload: String(decoding: bytes, as: UTF8.self))
        } catch {
            let what = type.map { "malformed \($0) frame" } ?? "malformed frame"
            return .protocolError(ProtocolError(reason: "\(what): \(error)", excerpt: excerpt(bytes)))
        }
    }

    /// The start of the input for a log line: at most 200 characters, never more.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(400), as: UTF8.self)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
