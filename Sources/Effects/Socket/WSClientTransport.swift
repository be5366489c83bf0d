import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import ComfyCore
import WSClient

/// `SocketTransport` over swift-websocket's `WSClient`, with its traps handled:
///
/// * `maxFrameSize` is set explicitly (its 16 KiB default drops larger frames silently);
/// * one child task does nothing but iterate `inbound` and hand each message to a stream,
///   because WSClient answers pings and handles close frames only while `inbound` is
///   being read: nothing slow ever runs in that loop;
/// * the heartbeat is WSClient's `autoPing`: a ping every period, and a missing pong by
///   the next one closes the socket, so a dead peer is found within two periods. It ends
///   `inbound` without an error and `connect` returns no close frame; the client reports
///   that as a connection lost without a close frame.
public struct WSClientTransport: SocketTransport {
    let logger: Logger

    /// A transport that logs to `logger` (by default nowhere).
    public init(logger: Logger = Logger(label: "comfysh.socket", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.logger = logger
    }

    public func connect(
        url: String, headers: [(name: String, value: String)], options: SocketOptions,
        handler: @escaping @Sendable (any SocketChannel) async throws -> Void
    ) async throws -> SocketEnd {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: options.maxFrameSize, additionalHeaders: fields, closeTimeout: .seconds(2),
            autoPing: .enabled(timePeriod: options.heartbeat), validateUTF8: true)
        var tls: TLSConfiguration?
        if let file = options.extraCAFile {
            var t = TLSConfiguration.makeClientConfiguration()
            t.additionalTrustRoots = [.file(file)]
            tls = t
        }
        let maxSize = options.maxFrameSize
        let close = try await WebSocketClient.connect(
            url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            let (stream, continuation) = AsyncThrowingStream<SocketMessage, any Error>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // The only reader: never blocks on anything but the socket.
                    do {
                        for try await message in inbound.messages(maxSize: maxSize) {
                            switch message {
                            case .text(let text): continuation.yield(.text(text))
                            case .binary(let buffer): continuation.yield(.binary(Array(buffer.readableBytesView)))
                            }
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                group.addTask {
                    try await handler(WSChannel(inbound: stream, outbound: outbound))
                }
                // Whichever ends first ends the connection: the handler returning, or the
                // socket closing (the handler sees its stream end and returns too).
                try await group.next()
                try await group.next()
            }
        }
        return SocketEnd(code: close.map { Int($0.closeCode.code) }, reason: close?.reason)
    }
}

struct WSChannel: SocketChannel {
    let inbound: AsyncThrowingStream<SocketMessage, any Error>
    let outbound: WebSocketOutboundWriter

    func send(text: String) async throws {
        try await outbound.write(.text(text))
    }

    func close(code: Int, reason: String) async {
        try? await outbound.close(WebSocketErrorCode(codeNumber: code), reason: reason)
    }
}

extension WebSocketErrorCode {
    var code: UInt16 {
        UInt16(truncatingIfNeeded: WebSocketErrorCode.codeNumber(self))
    }

    static func codeNumber(_ code: WebSocketErrorCode) -> Int {
        var buffer = ByteBufferAllocator().buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        return Int(buffer.readInteger(as: UInt16.self) ?? 0)
    }
}
