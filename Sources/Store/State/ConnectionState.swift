/// The socket as we know it: where it stands, who we are to the server, what was negotiated.
public struct ConnectionState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case idle
        case connecting(attempt: Int)
        case connected
        case reconnecting(attempt: Int, nextTryAt: Timestamp)
        case disconnected(reason: ConnectionProblem)
        case failed(reason: ConnectionProblem)

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
        /// Why, typed.
        public var problem: ConnectionProblem
        public var byClient: Bool
        public var at: Timestamp
        /// Why, in words (the JSON's `reason`).
        public var reason: String { problem.description }
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
    /// Why the latest connection attempt failed before its socket opened; nil once one opens.
    public var lastAttemptFailure: ConnectionProblem?
    /// What we announced in our first frame on the current socket.
    public var clientFeatures: JSONValue?
    /// The server's `feature_flags` reply (or `GET /features`): an open dictionary.
    public var serverFeatures: JSONValue?
    /// Type-4 previews were negotiated on this socket (both sides said so).
    public var previewMetadata = false
    /// Progress text carries a prompt id (both sides said so; no released server does).
    public var progressTextMetadata = false
    public var server: ServerInfo?
    /// Reconnect attempts scheduled so far (a storm would show here).
    public var reconnects = 0
    public var breaker = BreakerState.closed
    /// Connection failures in a row, as the breaker counts them.
    public var breakerFailures = 0
    public var breakerOpenUntil: Timestamp?
    /// Round trip of the last liveness probe.
    public var rttMs: Double?
    /// A prompt of ours is running and nothing has arrived since then.
    public var stalledSince: Timestamp?
    /// A resync is under way: incoming frames wait, commands wait in the outbox.
    public var resyncing = false
    /// When the current socket's first resync was applied: until then the server is not
    /// sent jobs (what it holds is not known yet). Nil before that, and between sockets.
    public var resyncedAt: Timestamp?
    /// Commands asked for while offline (or resyncing), sent after the next resync.
    public var outbox: [OutboxEntry] = []
    public var outboxLimit = 100
    /// Seconds an outbox entry may wait before it is dropped (and said so).
    public var outboxTTL = 300.0

    public struct OutboxEntry: Sendable, Equatable {
        public var command: Command
        public var at: Timestamp
    }

    public enum Quality: String, Sendable, Equatable {
        case healthy, degraded, stalled, offline
    }

    /// A verdict at a glance: offline (no socket), stalled (our prompt runs and nothing
    /// arrives), degraded (resyncing, recent failures, or a slow probe), else healthy.
    public var quality: Quality {
        guard phase == .connected else { return .offline }
        if stalledSince != nil { return .stalled }
        if resyncing || breakerFailures > 0 || (rttMs ?? 0) > 1000 { return .degraded }
        return .healthy
    }

    /// Commands can go out now; otherwise they wait in the outbox.
    public var isOnline: Bool { phase == .connected && !resyncing }

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
            fields.append(JSONField("reason", .string(reason.description)))
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
            JSONField("last_attempt_failure", lastAttemptFailure.map { .string($0.description) } ?? .null),
            JSONField("client_features", clientFeatures ?? .null),
            JSONField("server_features", serverFeatures ?? .null),
            JSONField("preview_metadata", .bool(previewMetadata)),
            JSONField("progress_text_metadata", .bool(progressTextMetadata)),
            JSONField("server", server?.json ?? .null),
            JSONField("quality", .string(quality.rawValue)),
            JSONField("reconnects", .number(Double(reconnects))),
            JSONField(
                "breaker",
                .object([
                    JSONField("state", .string(breaker.rawValue)),
                    JSONField("failures", .number(Double(breakerFailures))),
                    JSONField("open_until", breakerOpenUntil?.json ?? .null),
                ])),
            JSONField("rtt_ms", rttMs.json),
            JSONField("stalled_since", stalledSince?.json ?? .null),
            JSONField("resyncing", .bool(resyncing)),
            JSONField("resynced_at", resyncedAt?.json ?? .null),
            JSONField(
                "outbox",
                .array(outbox.map { .object([JSONField("command", .string($0.command.summary)), JSONField("at", $0.at.json)]) })),
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
