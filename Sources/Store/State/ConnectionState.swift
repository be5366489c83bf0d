/// The socket as we know it: where it stands, who we are to the server, what was negotiated.
public struct ConnectionState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case idle
        case connecting(attempt: Int)
        case connected
        case reconnecting(attempt: Int, nextTryAt: Timestamp)
        case disconnected(reason: String)
        case failed(reason: String)

        public var name: String {
            switch self {
            case .idle: "idle"
            case .connecting: "connecting"
            case .connected: "connected"
            case .reconnecting: "reconnecting"
            case .disconnected: "disconnected"
            case .failed: "failed"
            }
        }
    }

    public struct Close: Sendable, Equatable {
        public var code: Int?
        public var reason: String
        public var byClient: Bool
        public var at: Timestamp
    }

    public var phase: Phase = .idle
    public var url: String?
    /// The `clientId` we connect with; prompts submitted with it are ours.
    public var clientID: String?
    /// The `sid` the server reported for the current socket.
    public var sessionID: String?
    /// The current socket's number (transcript `conn`).
    public var socket: Int?
    /// Successful opens so far.
    public var connects = 0
    public var connectedAt: Timestamp?
    public var lastFrameAt: Timestamp?
    public var lastClose: Close?
    /// What we announced in our first frame on the current socket.
    public var clientFeatures: JSONValue?
    /// The server's `feature_flags` reply (or `GET /features`): an open dictionary.
    public var serverFeatures: JSONValue?
    /// Type-4 previews were negotiated on this socket (both sides said so).
    public var previewMetadata = false
    /// Progress text carries a prompt id (both sides said so; no released server does).
    public var progressTextMetadata = false
    public var server: ServerInfo?

    public init() {}

    public var json: JSONValue {
        var fields: [JSONField] = [JSONField("phase", .string(phase.name))]
        switch phase {
        case .connecting(let attempt):
            fields.append(JSONField("attempt", .number(Double(attempt))))
        case .reconnecting(let attempt, let next):
            fields.append(JSONField("attempt", .number(Double(attempt))))
            fields.append(JSONField("next_try_at", next.json))
        case .disconnected(let reason), .failed(let reason):
            fields.append(JSONField("reason", .string(reason)))
        case .idle, .connected: break
        }
        fields += [
            JSONField("url", url.json),
            JSONField("client_id", clientID.json),
            JSONField("session_id", sessionID.json),
            JSONField("socket", socket.json),
            JSONField("connects", .number(Double(connects))),
            JSONField("connected_at", connectedAt?.json ?? .null),
            JSONField("last_frame_at", lastFrameAt?.json ?? .null),
            JSONField(
                "last_close",
                lastClose.map {
                    .object([
                        JSONField("code", $0.code.json), JSONField("reason", .string($0.reason)),
                        JSONField("by_client", .bool($0.byClient)), JSONField("at", $0.at.json),
                    ])
                } ?? .null),
            JSONField("client_features", clientFeatures ?? .null),
            JSONField("server_features", serverFeatures ?? .null),
            JSONField("preview_metadata", .bool(previewMetadata)),
            JSONField("progress_text_metadata", .bool(progressTextMetadata)),
            JSONField("server", server?.json ?? .null),
        ]
        return .object(fields)
    }
}

extension ServerInfo {
    public var json: JSONValue {
        .object([
            JSONField("comfyui_version", comfyuiVersion.json),
            JSONField("python_version", pythonVersion.json),
            JSONField("pytorch_version", pytorchVersion.json),
            JSONField("os", os.json),
            JSONField("devices", devices.json),
        ])
    }
}
