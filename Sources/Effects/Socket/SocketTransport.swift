import ComfyCore

/// A frame from the server.
public enum SocketMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}

/// An open WebSocket, for as long as the transport's handler runs.
public protocol SocketChannel: Sendable {
    /// Frames as they arrive. Ends when the socket closes; throws if it failed.
    var inbound: AsyncThrowingStream<SocketMessage, any Error> { get }
    func send(text: String) async throws
    /// Starts a clean close (code 1000 unless told otherwise).
    func close(code: Int, reason: String) async
}

/// How the connection ended, as far as the wire says.
public struct SocketEnd: Sendable, Equatable {
    /// The peer's close code, nil when no close frame was exchanged (peer vanished,
    /// reset, or the heartbeat gave up).
    public var code: Int?
    public var reason: String?
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

public struct SocketOptions: Sendable {
    public var maxFrameSize: Int
    public var heartbeat: Duration
    public var extraCAFile: String?
    public init(maxFrameSize: Int, heartbeat: Duration, extraCAFile: String? = nil) {
        self.maxFrameSize = maxFrameSize
        self.heartbeat = heartbeat
        self.extraCAFile = extraCAFile
    }
}
