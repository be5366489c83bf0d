/// The socket as we know it: where it stands, who we are to the server, what was negotiated.
public struct ConnectionState: Sendable, Equatable {
    /// Where the socket stands; its ``name`` is the JSON's `connection.phase`.
    public enum Phase: Sendable, Equatable {
        /// Not started: no attempt made yet.
        case idle
        /// Dialling; `attempt` 0 is the first try.
        case connecting(attempt: Int)
        /// The socket is open (requests still wait while ``ConnectionState/resyncing``).
        case connected
        /// Waiting to try again: attempt `attempt` is due at `nextTryAt`.
        case reconnecting(attempt: Int, nextTryAt: Timestamp)
        /// The socket closed, or an attempt failed, and why; the live client tries again.
        case disconnected(reason: ConnectionProblem)
        /// Given up (401/403 under the default policy): no more attempts.
        case failed(reason: ConnectionProblem)

        /// `idle`, `connecting`, `connected`, `reconnecting`, `disconnected` or `failed`.
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

    /// How the last socket ended (the JSON's `last_close`).
    public struct Close: Sendable, Equatable {
        /// The close code; nil when no close frame was exchanged (the peer vanished).
        public var code: Int?
        /// Why, typed.
        public var problem: ConnectionProblem
        /// We closed it (the user, a failed resync, the stall detector); false: the server or
        /// the network did.
        public var byClient: Bool
        /// When it closed.
        public var at: Timestamp
        /// Why, in words (the JSON's `reason`).
        public var reason: String { problem.description }
    }

    /// Where the socket stands now.
    public var phase: Phase = .idle
    /// The server URL being used (`http(s)://host:port[/base]`); nil before the first attempt.
    public var url: String?
    /// The `clientId` we connect with; prompts submitted with it are ours.
    public var clientID: String?
    /// The `sid` the server reported for the current socket.
    public var sessionID: String?
    /// The current socket's number (transcript `conn`).
    public var socket: Int?
    /// Successful opens so far.
    public var connects = 0
    /// When the current (or last) socket opened.
    public var connectedAt: Timestamp?
    /// When the last frame of any kind arrived. Its age is `now − lastFrameAt`, on the
    /// reader's clock.
    public var lastFrameAt: Timestamp?
    /// How the last socket ended; nil until one has.
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
    /// What `GET /system_stats` said (versions, devices); nil until it answered.
    public var server: ServerInfo?
    /// Reconnect attempts scheduled so far (a storm would show here).
    public var reconnects = 0
    /// The circuit breaker's state: `open` means no attempts until ``breakerOpenUntil``.
    public var breaker = BreakerState.closed
    /// Connection failures in a row, as the breaker counts them.
    public var breakerFailures = 0
    /// While the breaker is open: when the cool-down ends and one probe may decide.
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
    /// The most requests the outbox holds; beyond it the oldest is dropped (and the log says so).
    public var outboxLimit = 100
    /// Seconds an outbox entry may wait before it is dropped (and said so).
    public var outboxTTL = 300.0

    /// A request waiting for the connection: the JSON's `{command, at}`.
    public struct OutboxEntry: Sendable, Equatable {
        /// What to send.
        public var command: Command
        /// When it was asked for: it is dropped after ``ConnectionState/outboxTTL`` seconds.
        public var at: Timestamp
    }

    /// The JSON's `connection.quality`: see ``ConnectionState/quality``.
    public enum Quality: String, Sendable, Equatable {
        /// `healthy`; `degraded` (resyncing, recent failures, or a probe slower than 1 s);
        /// `stalled` (a prompt of ours runs and nothing arrives); `offline` (no socket).
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

    /// Idle, with nothing known yet.
    public init() {}

    /// The `connection` object of the state's JSON (docs/state.md).
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
    /// The `connection.server` object:
    /// `{comfyui_version, python_version, pytorch_version, os, devices}`.
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
