/// The server's binary frames: a 4-byte big-endian type, then a payload (protocol section 3).
public enum BinaryMessage: Sendable, Equatable {
    /// Type 1: an image with no identity (format 1 = JPEG, 2 = PNG).
    case preview(LegacyPreview)
    /// Type 4: an image with JSON metadata naming the prompt and node.
    /// (Boxed: six fields; it would make every `ComfyAction` twice as large.)
    indirect case previewWithMetadata(Preview)
    /// Type 3: progress text for a node, in either layout.
    case progressText(ProgressText)

    /// A type-1 preview: image bytes with no prompt or node id. It is attributed to our running
    /// prompt's current node only when we own the running prompt.
    public struct LegacyPreview: Sendable, Equatable {
        /// The image format number: 1 = JPEG, 2 = PNG.
        public var format: UInt32
        /// The encoded image, as sent.
        public var image: [UInt8]
        /// A type-1 preview with this format number and image.
        public init(format: UInt32, image: [UInt8]) {
            self.format = format
            self.image = image
        }
        /// `image/jpeg` or `image/png` by `format`; `application/octet-stream` for an unknown number.
        public var mimeType: String {
            switch format {
            case 1: "image/jpeg"
            case 2: "image/png"
            default: "application/octet-stream"
            }
        }
    }

    /// A type-4 preview: the image with JSON metadata naming its prompt and node. Sent only
    /// when both sides announced `supports_preview_metadata`.
    public struct Preview: Sendable, Equatable {
        /// The node that made it (its inner id for expanded nodes).
        public var nodeID: String?
        /// The prompt it belongs to.
        public var promptID: String?
        /// The node a UI should highlight for it.
        public var displayNodeID: String?
        /// The node that expanded into this one, for nodes made at run time.
        public var parentNodeID: String?
        /// The node of the submitted graph it stands for (the outermost).
        public var realNodeID: String?
        /// The image's type from the metadata (`image/png`…), when given.
        public var mimeType: String?
        /// The encoded image, as sent.
        public var image: [UInt8]
        /// A type-4 preview as the server would send it.
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

    /// A type-3 frame: a line of text a node reports while it runs (a status, a percentage).
    public struct ProgressText: Sendable, Equatable {
        /// Only in the proposed layout (server flag `supports_progress_text_metadata`).
        public var promptID: String?
        /// The node the text is about.
        public var nodeID: String
        /// The text, decoded as UTF-8.
        public var text: String
        /// Progress text for `nodeID`, with a prompt id in the proposed layout.
        public init(promptID: String?, nodeID: String, text: String) {
            self.promptID = promptID
            self.nodeID = nodeID
            self.text = text
        }
    }
}
