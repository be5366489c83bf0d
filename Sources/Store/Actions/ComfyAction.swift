/// Something that happened, and when. Every change to `AppState` is the result of one.
///
/// Actions are named for events, not for what to do (TCA's rule): the socket delivered
/// a frame, an HTTP call came back, the user asked for something.
public struct ComfyAction: Sendable, Equatable {
    public var at: Timestamp
    /// The server it came from or concerns (its name in the fleet); nil: the first server.
    public var server: String?
    public var event: Event

    public init(at: Timestamp, server: String? = nil, _ event: Event) {
        self.at = at
        self.server = server
        self.event = event
    }
}

public enum Event: Sendable, Equatable {
    /// A text frame from the server, decoded.
    case server(ServerMessage)
    /// A binary frame from the server, decoded.
    case binary(BinaryMessage)
    /// A frame whose type we do not know: kept, with its raw payload, never dropped.
    case unknown(type: String, payload: String)
    /// Input that could not be understood, and why. The state records it; nothing crashes.
    case protocolError(ProtocolError)
    /// The socket's life: opened, closed, a frame we sent.
    case connection(ConnectionEvent)
    /// An HTTP call's outcome. (Boxed, like `user`: large and rare next to frames, so
    /// they do not set the size of every action.)
    indirect case http(HTTPResult)
    /// Something the user asked for (the reducer answers with commands for Effects).
    indirect case user(UserRequest)
    /// The fleet changed: a server joined or left, or jobs were restored.
    indirect case fleet(FleetEvent)
}

public struct ProtocolError: Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// The start of the offending input, for the log (at most 200 characters).
    public var excerpt: String

    public init(reason: String, excerpt: String) {
        self.reason = reason
        self.excerpt = excerpt
    }

    public var description: String { excerpt.isEmpty ? reason : "\(reason): \(excerpt)" }
}
