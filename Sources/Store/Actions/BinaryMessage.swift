/// The server's binary frames: a 4-byte big-endian type, then a payload (protocol section 3).
public enum BinaryMessage: Sendable, Equatable {
    /// Type 1: an image with no identity (format 1 = JPEG, 2 = PNG).
    case preview(LegacyPreview)
    /// Type 4: an image with JSON metadata naming the prompt and node.
    /// (Boxed: six fields; it would make every `ComfyAction` twice as large.)
    indirect case previewWithMetadata(Preview)
    /// Type 3: progress text for a node, in either layout.
    case progressText(ProgressText)

    public struct LegacyPreview: Sendable, Equatable {
        public var format: UInt32
        public var image: [UInt8]
        public init(format: UInt32, image: [UInt8]) {
            self.format = format
            self.image = image
        }
        public var mimeType: String {
            switch format {
            case 1: "image/jpeg"
            case 2: "image/png"
            default: "application/octet-stream"
            }
        }
    }

    public struct Preview: Sendable, Equatable {
        public var nodeID: String?
        public var promptID: String?
        public var displayNodeID: String?
        public var parentNodeID: String?
        public var realNodeID: String?
        public var mimeType: String?
        public var image: [UInt8]
        public init(
            nodeID: String?, promptID: String?, displayNodeID: String? = nil, parentNodeID: String? = nil,
            realNodeID: String? = nil, mimeType: String?, image: [UInt8]
        ) {
            self.nodeID = nodeID
            self.promptID = promptID
            self.displayNodeID = displayNodeID
            self.parentNodeID = parentNodeID
            self.realNodeID = realNodeID
            self.mimeType = mimeType
            self.image = image
        }
    }

    public struct ProgressText: Sendable, Equatable {
        /// Only in the proposed layout (server flag `supports_progress_text_metadata`).
        public var promptID: String?
        public var nodeID: String
        public var text: String
        public init(promptID: String?, nodeID: String, text: String) {
            self.promptID = promptID
            self.nodeID = nodeID
            self.text = text
        }
    }
}
