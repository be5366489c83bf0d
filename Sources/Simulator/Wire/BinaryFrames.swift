/// The binary frame layouts of `protocol.py` (protocol reference, section 3): a 4-byte
/// big-endian event type, then the payload.
enum BinaryFrame {
    /// `PREVIEW_IMAGE`: u32 1 | u32 image format (1 = JPEG) | image bytes. What an owner
    /// that did not negotiate `supports_preview_metadata` gets, and what every socket
    /// gets for a prompt without an owner.
    static func legacyPreview(jpeg: [UInt8]) -> [UInt8] {
        var out = header(1)
        append(1, to: &out)
        out += jpeg
        return out
    }

    /// `PREVIEW_IMAGE_WITH_METADATA`: u32 4 | u32 length | metadata JSON | image bytes.
    /// The metadata JSON is written with Python's separators, like every other JSON.
    static func previewWithMetadata(jpeg: [UInt8], metadata: PyJSON) -> [UInt8] {
        let json = Array(metadata.serialized.utf8)
        var out = header(4)
        append(UInt32(json.count), to: &out)
        out += json
        out += jpeg
        return out
    }

    /// `TEXT` in the released layout: u32 3 | u32 node id length | node id | text.
    static func progressText(nodeID: String, text: String) -> [UInt8] {
        let node = Array(nodeID.utf8)
        var out = header(3)
        append(UInt32(node.count), to: &out)
        out += node
        out += Array(text.utf8)
        return out
    }

    private static func header(_ type: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        append(type, to: &out)
        return out
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
