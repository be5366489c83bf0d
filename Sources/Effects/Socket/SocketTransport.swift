import ComfyCore

/// A frame from the server.
public enum SocketMessage: Sendable, Equatable {
    /// A text frame: JSON, for the frame decoder.
    case text(String)
    /// A binary frame: a preview or progress text.
    case binary([UInt8])
}

/// An open WebSocket, for as long as the transport's handler runs.
public protocol SocketChannel: Sendable {
    /// Frames as they arrive. Ends when the socket closes; throws if it failed.
    var inbound: AsyncThrowingStream<SocketMessage, any Error> { get }
    /// Sends a text frame; throws if the socket is gone.
    func send(text: String) async throws
    /// Starts a clean close (code 1000 unless told otherwise).
    func close(code: Int, reason: String) async
}

/// How the connection ended, as far as the wire says.
public struct SocketEnd: Sendable, Equatable {
    /// The peer's close code, nil when no close frame was exchanged (peer vanished,
    /// reset, or the heartbeat gave up).
    public var code: Int?
    /// The close reason the peer gave, if any.
    public var reason: String?
    /// An end with this close code and reason.
    public init(code: Int?, reason: String?) {
        self.code = code
        self.reason = reason
    }
}

/// Opens WebSockets. The live one is `WSClientTransport`; a test can substitute its own.
public protocol SocketTransport: Sendable {
    /// Connects, runs `handler` with the open channel, closes when it returns, and
    /// returns how it ended. Throws if the connection could not be made.
    func connect(
        url: String, headers: [(name: String, value: String)], options: SocketOptions,
        handler: @escaping @Sendable (any SocketChannel) async throws -> Void
    ) async throws -> SocketEnd
}

/// How to open a socket: the frame cap, the heartbeat, an extra CA.
public struct SocketOptions: Sendable {
    /// The largest frame accepted, in bytes; a larger one ends the connection.
    public var maxFrameSize: Int
    /// The ping interval: a pong missing by the next ping closes the socket.
    public var heartbeat: Duration
    /// A PEM file of extra CA certificates to trust (verification stays on).
    public var extraCAFile: String?
    /// Options with this frame cap, heartbeat and extra CA file.
    public init(maxFrameSize: Int, heartbeat: Duration, extraCAFile: String? = nil) {
        self.maxFrameSize = maxFrameSize
        self.heartbeat = heartbeat
        self.extraCAFile = extraCAFile
    }
}
