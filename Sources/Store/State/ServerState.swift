/// One ComfyUI server of the fleet as we know it: its connection, its queue's length, the
/// prompt it runs (nodes and progress), what it can run, and whether it still counts.
///
/// A single server is simply a fleet of one: every action names its server (or none: the
/// first), and the same reducers apply.
public struct ServerState: Sendable, Equatable {
    /// The fleet's name for it (`--server NAME=URL`, `servers.toml`, or `host:port`).
    public var name: String { didSet { stamp = ServerStamp() } }
    /// Its connection, as the top-level `connection` of the JSON.
    public var connection = ConnectionState() { didSet { stamp = ServerStamp() } }
    /// `queue_remaining` as this server last said (pending plus running, every client's).
    public var remaining: Int? { didSet { stamp = ServerStamp() } }
    /// The nodes of the prompt this server runs (or ran last).
    public var nodes = NodesState() { didSet { stamp = ServerStamp() } }
    /// Where that prompt is.
    public var progress = ProgressState() { didSet { stamp = ServerStamp() } }
    /// What it can run (its `/object_info`); nil until fetched.
    public var capabilities: ServerCapabilities? { didSet { stamp = ServerStamp() } }
    /// `active`, or `lost` (its waiting jobs went back to our queue).
    public var status = Status.active { didSet { stamp = ServerStamp() } }
    /// The highest queue number seen from this server (its numbers only grow): what ran
    /// there before we looked is at or below it.
    var highestNumber: Double? { didSet { stamp = ServerStamp() } }
    /// Its history was empty when we first looked: every entry it shows later ran since.
    var historyWasEmpty = false { didSet { stamp = ServerStamp() } }
    /// The most prompts it counted (`status`) beyond what we knew, since the last look at
    /// its queue.
    var unidentified = 0 { didSet { stamp = ServerStamp() } }
    /// Which value this is (`ServerStamp`): reset by every write above — a stored property
    /// added here must reset it too, or the diff would miss its changes.
    var stamp = ServerStamp()

    /// Where "ran since we looked" starts: the highest number seen, or before every number
    /// when its history was empty at our look; nil while we do not know how far it has gone.
    var watermark: Double? { highestNumber ?? (historyWasEmpty ? -.infinity : nil) }

    mutating func noteNumber(_ number: Double) {
        if number > (highestNumber ?? -.infinity) { highestNumber = number }
    }

    /// Whether the server still counts in the fleet: the JSON's `servers.<name>.status`.
    public enum Status: String, Sendable, Equatable {
        /// In the fleet: work is routed to it when it is online.
        case active
        /// Gone: offline past the grace period or its breaker open. Its waiting jobs went
        /// back to the client queue; if it returns, its history is still believed.
        case lost
    }

    /// The name a server gets when none is given.
    public static let defaultName = "default"

    /// A server called `name`: active, idle, nothing known yet.
    public init(name: String) { self.name = name }

    /// Work can be sent to it now: in the fleet, online, and resynced since it connected.
    public var isUsable: Bool { status == .active && connection.isOnline && connection.resyncedAt != nil }
}
