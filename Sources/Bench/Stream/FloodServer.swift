import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A minimal WebSocket server on loopback for the stream figures: it accepts upgrades on
/// any path, answers pings, and on command writes a `FloodPlan` to a connection.
///
/// Why not the simulator: its frames go one by one through an actor and Hummingbird's
/// writer, which flushes (one syscall) per frame, so the server, not the client, would set
/// the pace. Here frames are prepared bytes copied into 64 KiB writes (`FloodWriter`), so
/// almost all the CPU goes to the client being measured. One event-loop thread.
final class FloodServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    let port: Int
    private let accepted = Mutex(Accepted())

    private struct Accepted {
        var ready: [FloodConnection] = []
    }

    private init(group: MultiThreadedEventLoopGroup, listener: any Channel) {
        self.group = group
        self.listener = listener
        self.port = listener.localAddress?.port ?? 0
    }

    static func start() async throws -> FloodServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = ServerBox()
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let writer = FloodWriter()
                    // First in the pipeline, so its prepared bytes go straight to the
                    // socket and bypass the frame encoder; pongs still go through it.
                    try channel.pipeline.syncOperations.addHandler(writer, position: .first)
                    try channel.pipeline.syncOperations.addHandler(ControlFrames())
                    box.server?.register(FloodConnection(channel: channel, writer: NIOLoopBound(writer, eventLoop: channel.eventLoop)))
                }
            })
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = FloodServer(group: group, listener: listener)
        box.server = server
        return server
    }

    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws?clientId=comfyshbench" }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    fileprivate func register(_ connection: FloodConnection) {
        accepted.withLock { $0.ready.append(connection) }
    }

    /// The oldest upgraded connection not yet taken, if any.
    func takeConnection() -> FloodConnection? {
        accepted.withLock { $0.ready.isEmpty ? nil : $0.ready.removeFirst() }
    }

    /// Waits (polling every 5 ms) for the next connection; nil after `timeout`, or as soon
    /// as `giveUp` says the client will not come (a child process that exited).
    func nextConnection(timeout: Duration = .seconds(20), giveUp: () -> Bool = { false }) async -> FloodConnection? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let connection = takeConnection() { return connection }
            if giveUp() { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// CPU time its one event-loop thread has used, in nanoseconds: what the benchmark
    /// takes off this process's CPU time to count the client's alone.
    func threadCPU() async throws -> UInt64 {
        try await group.next().submit { CPUTime.thread }.get()
    }

    func stop() async {
        try? await listener.close()
        try? await group.shutdownGracefully()
    }
}

/// Lets the upgrade handler, built before the server object exists, reach it.
private final class ServerBox: @unchecked Sendable {
    // Written once before the first connection can be accepted; read on the event loop.
    var server: FloodServer?
}

/// One upgraded connection.
struct FloodConnection: Sendable {
    let channel: any Channel
    let writer: NIOLoopBound<FloodWriter>

    /// Writes `plan` and returns when its last byte was handed to the kernel.
    func flood(_ plan: FloodPlan) async throws -> FloodResult {
        let promise = channel.eventLoop.makePromise(of: FloodResult.self)
        let writer = writer
        channel.eventLoop.execute { writer.value.start(plan, promise: promise) }
        return try await promise.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// What to send: `count` frames taken in order from `frames` (cycling, a new pass number
/// each time round), then the sentinel. With `rate`, frames go out in 1 ms ticks at that
/// many per second and each one's send time is recorded; without, as fast as the socket
/// takes them.
struct FloodPlan: Sendable {
    var frames: StreamFrames
    var count: Int
    var rate: Double?
}

struct FloodResult: Sendable {
    /// When the first frame was written and when the sentinel's write completed.
    var startNs: UInt64
    var endNs: UInt64
    /// With a rate: the time each frame (not the sentinel) was written.
    var sendTimes: [UInt64]
}

/// Answers pings and close frames; ignores what clients send (their `feature_flags`).
private final class ControlFrames: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(close), promise: nil)
            context.close(promise: nil)  // after the close frame: writes go out in order
        default:
            break
        }
    }
}
