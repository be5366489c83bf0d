/// Turns a raw binary frame into a `ComfyAction`: `u32 type` (big-endian), then the payload
/// (protocol section 3). Pure and total: truncated headers and lengths that overrun the
/// frame become `protocolError`; unknown type numbers are kept as `unknown`.
public enum BinaryDecoder {
    /// Which type-3 layout the server uses: the released one (node id, text) unless it
    /// advertised `supports_progress_text_metadata` (prompt id, node id, text).
    public enum ProgressTextLayout: Sendable {
        /// `released`: node id, then text. `withPromptID`: prompt id, node id, then text. A frame
        /// whose lengths do not fit one layout is read with the other.
        case released, withPromptID
    }

    /// The action for one binary frame, received at `time`. Never fails: bad input becomes a
    /// `protocolError` action, an unknown type an `unknown` one.
    public static func decode(_ bytes: [UInt8], at time: Timestamp, layout: ProgressTextLayout = .released) -> ComfyAction {
        ComfyAction(at: time, bytes.withUnsafeBufferPointer { decodeEvent($0, layout: layout) })
    }

    /// The same, over bytes the caller already holds (no copy).
    public static func decode(bytes: UnsafeBufferPointer<UInt8>, at time: Timestamp, layout: ProgressTextLayout = .released)
        -> ComfyAction
    {
        ComfyAction(at: time, decodeEvent(bytes, layout: layout))
    }

    static func decodeEvent(_ b: UnsafeBufferPointer<UInt8>, layout: ProgressTextLayout) -> Event {
        guard b.count >= 4 else { return error("binary frame of \(b.count) bytes has no 4-byte type", b) }
        let type = u32(b, 0)
        switch type {
        case 1:
            guard b.count >= 8 else { return error("preview frame (type 1) without its image format", b) }
            return .binary(.preview(.init(format: u32(b, 4), image: Array(b[8...]))))
        case 3:
            if let text = progressText(b, layout: layout) ?? progressText(b, layout: layout.other) {
                return .binary(.progressText(text))
            }
            return error("progress text frame (type 3) with a length that overruns the frame", b)
        case 4:
            return previewWithMetadata(b)
        default:
            let hex = b.prefix(64).map { String($0, radix: 16).leftPadded(2) }.joined()
            return .unknown(type: "binary:\(type)", payload: "\(b.count) bytes: \(hex)\(b.count > 64 ? "…" : "")")
        }
    }

    static func progressText(_ b: UnsafeBufferPointer<UInt8>, layout: ProgressTextLayout) -> BinaryMessage.ProgressText? {
        var offset = 4
        var promptID: String?
        if layout == .withPromptID {
            guard let id = lengthPrefixed(b, &offset) else { return nil }
            promptID = id
        }
        guard let node = lengthPrefixed(b, &offset) else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[offset...]), as: UTF8.self)
        return .init(promptID: promptID, nodeID: node, text: text)
    }

    static func previewWithMetadata(_ b: UnsafeBufferPointer<UInt8>) -> Event {
        guard b.count >= 8 else { return error("preview frame (type 4) without its metadata length", b) }
        let length = Int(u32(b, 4))
        guard length <= b.count - 8 else {
            return error("preview frame (type 4) metadata length \(length) overruns the frame", b)
        }
        let meta = UnsafeBufferPointer(rebasing: b[8..<(8 + length)])
        var preview = BinaryMessage.Preview(nodeID: nil, promptID: nil, mimeType: nil, image: Array(b[(8 + length)...]))
        var reader = JSONReader(meta)
        do throws(JSONError) {
            try reader.members { r, key throws(JSONError) in
                if key.matches("node_id") {
                    preview.nodeID = try r.readIDOrNull()
                } else if key.matches("prompt_id") {
                    preview.promptID = try r.readIDOrNull()
                } else if key.matches("display_node_id") {
                    preview.displayNodeID = try r.readIDOrNull()
                } else if key.matches("parent_node_id") {
                    preview.parentNodeID = try r.readIDOrNull()
                } else if key.matches("real_node_id") {
                    preview.realNodeID = try r.readIDOrNull()
                } else if key.matches("image_type") {
                    preview.mimeType = try r.readStringOrNull()
                } else {
                    try r.skipValue()
                }
            }
            try reader.expectEnd()
        } catch {
            return Self.error("preview frame (type 4) with malformed metadata: \(error)", b)
        }
        return .binary(.previewWithMetadata(preview))
    }

    static func lengthPrefixed(_ b: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> String? {
        guard b.count - offset >= 4 else { return nil }
        let n = Int(u32(b, offset))
        guard n <= b.count - offset - 4 else { return nil }
        let s = String(decoding: UnsafeBufferPointer(rebasing: b[(offset + 4)..<(offset + 4 + n)]), as: UTF8.self)
        offset += 4 + n
        return s
    }

    static func u32(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func error(_ reason: String, _ b: UnsafeBufferPointer<UInt8>) -> Event {
        let hex = b.prefix(32).map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
        return .protocolError(ProtocolError(reason: reason, excerpt: hex))
    }
}

extension BinaryDecoder.ProgressTextLayout {
    var other: Self { self == .released ? .withPromptID : .released }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
