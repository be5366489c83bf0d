/// Something that happened, and when. Every change to `AppState` is the result of one.
///
/// Actions are named for events, not for what to do (TCA's rule): the socket delivered
/// a frame, an HTTP call came back, the user asked for something.
public struct ComfyAction: Sendable, Equatable {
    /// When it happened, on the dispatcher's clock: the only way time enters the state.
    public var at: Timestamp
    /// The server it came from or concerns (its name in the fleet); nil: the first server.
    public var server: String?
    /// What happened.
    public var event: Event

    /// `event`, happened at `at`, on `server` (nil: the first server).
    public init(at: Timestamp, server: String? = nil, _ event: Event) {
        self.at = at
        self.server = server
        self.event = event
    }
}

/// What an action reports: a frame from the server, the socket's life, an HTTP answer, a
/// request from the user, a change to the fleet.
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

/// Input the decoders could not understand: logged as `protocol_error` with the input,
/// never a crash.
public struct ProtocolError: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with it, in words (`a text frame must be a JSON object`).
    public var reason: String
    /// The start of the offending input, for the log (at most 200 characters).
    public var excerpt: String

    /// A protocol error with its reason and the start of the input.
    public init(reason: String, excerpt: String) {
        self.reason = reason
        self.excerpt = excerpt
    }

    /// `reason: excerpt`, or the reason alone when there is no input to show.
    public var description: String { excerpt.isEmpty ? reason : "\(reason): \(excerpt)" }
}
